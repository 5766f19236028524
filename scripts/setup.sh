#!/usr/bin/env bash
# Installs the build tools the project needs from Debian when they are missing:
# emscripten (emcc) for the wasm builds. Called by `make setup` and by .ci/run.
set -euo pipefail
need=()
command -v emcc >/dev/null 2>&1 || need+=(emscripten)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} with apt-get"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
