#!/bin/sh
# Builds what the benchmarks need into bench/build/ (not committed):
#   peak-{simd,scalar}.wasm, peak-{sse,march}: the peak mul+add loops (bench/peak.c);
#   kernels-{sse,march}: the native kernel/training benchmark from c_src/*.c (when the core exists).
# The project's own wasm (build/wasm/s2s-*.wasm) comes from the main Makefile (`make wasm`).
# Needs gcc and emcc (Debian's emscripten; NODE_PATH=/usr/share/nodejs for its JS optimizer).
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/build"
mkdir -p "$out"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
CC=${CC:-gcc}
EMCC=${EMCC:-emcc}

stale() { # stale target deps...: true when target is missing or older than a dependency
  t=$1; shift
  [ -e "$t" ] || return 0
  for d in "$@"; do [ "$d" -nt "$t" ] && return 0; done
  return 1
}

if stale "$out/peak-sse" "$here/peak.c"; then
  $CC -O3 -DPEAK_MAIN "$here/peak.c" -o "$out/peak-sse"
fi
if stale "$out/peak-march" "$here/peak.c"; then
  $CC -O3 -march=native -DPEAK_MAIN "$here/peak.c" -o "$out/peak-march"
fi
if command -v "$EMCC" >/dev/null 2>&1; then
  for v in simd scalar; do
    if stale "$out/peak-$v.wasm" "$here/peak.c"; then
      flags=""; [ $v = simd ] && flags="-msimd128"
      $EMCC -O3 $flags --no-entry -sSTANDALONE_WASM -sEXPORTED_FUNCTIONS=_peak_run,_peak_lanes \
        "$here/peak.c" -o "$out/peak-$v.wasm"
    fi
  done
else
  echo "bench/build.sh: emcc not found (apt-get install -y emscripten); wasm peak skipped" >&2
fi

# Native benchmark of the C core: kernels and whole training steps, same source as the wasm.
if [ -f "$root/c_src/kernels.c" ] && [ -f "$here/native.c" ]; then
  srcs=$(ls "$root"/c_src/*.c | grep -v -e '/main' -e 'test' -e 'fuzz')
  for v in sse march; do
    flags="-O3"; [ $v = march ] && flags="-O3 -march=native"
    if stale "$out/kernels-$v" $srcs "$here/native.c" "$root"/c_src/*.h; then
      $CC $flags -std=c11 -D_POSIX_C_SOURCE=199309L -I"$root/c_src" "$here/native.c" $srcs -lm -o "$out/kernels-$v"
    fi
  done
fi
