#!/usr/bin/env bash
# Installs, from Debian, the tools the project needs when they are missing:
#   always        emscripten (emcc) for the wasm builds; clang-19 and lld-19 for the FMA (relaxed
#                 SIMD) wasm build, which emscripten's older LLVM cannot compile
#   with --test   chromium, firefox-esr, and webkit2gtk-driver + xvfb (WebKitGTK's MiniBrowser
#                 under a virtual display) for the browser tests in three engines; clang,
#                 libclang-rt-14-dev (libFuzzer) and
#                 valgrind for the hardening tests (fuzzing, sanitizers, memcheck), and the 32-bit
#                 libc/libstdc++ files for the -m32 fuzzer; Debian's python3-torch and python3-pytest
#                 for the PyTorch bridge's tests (python/; Debian's /usr/bin/python3 sees them)
# Called by `npm test`, `npm start` and .ci/run (the Makefile only says to run it when a compiler
# is missing). Nothing else is downloaded.
set -euo pipefail
need=()
command -v emcc >/dev/null 2>&1 || need+=(emscripten)
command -v clang-19 >/dev/null 2>&1 || need+=(clang-19)
command -v wasm-ld-19 >/dev/null 2>&1 || need+=(lld-19)
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/firefox-esr ] || need+=(firefox-esr)
  [ -x /usr/bin/WebKitWebDriver ] || need+=(webkit2gtk-driver)
  command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
  command -v clang >/dev/null 2>&1 || need+=(clang)
  ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
  command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
  # the 32-bit size-arithmetic fuzzer (fuzz/fuzz_shapes.c, clang -m32)
  [ -e /usr/lib32/Scrt1.o ] || need+=(libc6-dev-i386)
  ls /usr/lib/gcc/x86_64-linux-gnu/*/32/libstdc++.so >/dev/null 2>&1 || need+=(lib32gcc-12-dev lib32stdc++-12-dev)
  /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
  /usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || need+=(python3-pytest)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} with apt-get"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
