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
      $EMCC -O3 $flags --no-entry -sSTANDALONE_WASM -sEXPORTED_FUNCTIONS=_peak_run,_peak_lanes,_peak_mix,_peak_mix_flops_per_iter \
        "$here/peak.c" -o "$out/peak-$v.wasm"
    fi
  done
else
  echo "bench/build.sh: emcc not found (apt-get install -y emscripten); wasm peak skipped" >&2
fi
# the peak loops with relaxed SIMD (the FMA build's ceiling): clang-19 and wasm-ld-19, no libc
if command -v clang-19 >/dev/null 2>&1 && command -v wasm-ld-19 >/dev/null 2>&1; then
  if stale "$out/peak-fma.wasm" "$here/peak.c"; then
    clang-19 --target=wasm32 -O3 -msimd128 -mrelaxed-simd -c "$here/peak.c" -o "$out/peak-fma.o"
    wasm-ld-19 --no-entry --export=peak_run --export=peak_lanes --export=peak_mix --export=peak_mix_flops_per_iter \
      "$out/peak-fma.o" -o "$out/peak-fma.wasm"
  fi
fi

# Kernel benchmark (bench/kbench.c + c_src/kernels.c): wasm SIMD, wasm scalar, native SSE2 and
# native -march=native.
if [ -f "$root/c_src/kernels.c" ]; then
  kdeps="$here/kbench.c $root/c_src/kernels.c $root/c_src/kernels.h $root/c_src/simd.h $root/c_src/s2s.h"
  for v in sse march; do
    flags="-O3 -std=c11 -ffp-contract=off"; [ $v = march ] && flags="$flags -march=native"
    if stale "$out/kernels-$v" $kdeps; then
      $CC $flags -DKB_MAIN -I"$root/c_src" "$here/kbench.c" "$root/c_src/kernels.c" -lm -o "$out/kernels-$v"
    fi
  done
  if command -v "$EMCC" >/dev/null 2>&1; then
    for v in simd scalar; do
      if stale "$out/kernels-$v.wasm" $kdeps; then
        flags=""; [ $v = simd ] && flags="-msimd128"
        $EMCC -O3 -std=c11 -ffp-contract=off $flags --no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH=1 \
          -sEXPORTED_FUNCTIONS=_kb_cases,_kb_has_simd,_kb_flops,_kb_case_json,_kb_setup,_kb_run \
          -I"$root/c_src" "$here/kbench.c" "$root/c_src/kernels.c" -o "$out/kernels-$v.wasm"
      fi
    done
  fi
fi

# Native training benchmark of the whole core (bench/native.c + c_src/*.c), when the core exists.
if [ -f "$root/c_src/model.c" ] && [ -f "$here/native.c" ]; then
  # the core's sources as the Makefile lists them (SRC := ...), else every c_src/*.c
  srcs=$(sed -n 's/^SRC *:= *//p' "$root/Makefile" 2>/dev/null | tr ' ' '\n' | sed "s|^|$root/|" | tr '\n' ' ')
  [ -n "$srcs" ] || srcs=$(ls "$root"/c_src/*.c)
  nodec=""; grep -q '^int s2s_decode(' $srcs || nodec="-DBENCH_NO_DECODE" # core without decoding yet
  for v in sse march; do
    # the product's C flags (Makefile COMMON: -std=c11 -ffp-contract=off), -O3, then SSE2 or native
    flags="-O3 -std=c11 -ffp-contract=off"; [ $v = march ] && flags="$flags -march=native"
    if stale "$out/train-$v" $srcs "$here/native.c" "$root"/c_src/*.h; then
      $CC $flags -w $nodec -I"$root/c_src" "$here/native.c" $srcs -lm -o "$out/train-$v"
    fi
  done
fi

# A copy of the core's SIMD wasm with function names (--profiling-funcs), and of lib/, for
# bench/profile.js (V8's CPU profiler then names the C functions). Same flags as the Makefile.
if [ -f "$root/c_src/exports.txt" ] && [ -f "$root/lib/core.js" ] && command -v "$EMCC" >/dev/null 2>&1; then
  srcs=$(sed -n 's/^SRC *:= *//p' "$root/Makefile" 2>/dev/null | tr ' ' '\n' | sed "s|^|$root/|" | tr '\n' ' ')
  [ -n "$srcs" ] || srcs=$(ls "$root"/c_src/*.c)
  mkdir -p "$out/prof/build/wasm" "$out/prof/lib"
  cp -r "$root"/lib/. "$out/prof/lib/"
  if stale "$out/prof/build/wasm/s2s-simd.wasm" $srcs "$root"/c_src/*.h "$root/c_src/exports.txt"; then
    exports=$(grep -v '^#' "$root/c_src/exports.txt" | grep -v '^ *$' | sed 's/^/_/' | paste -sd, -)
    $EMCC -O3 -std=c11 -ffp-contract=off -msimd128 --profiling-funcs --no-entry -sSTANDALONE_WASM=1 \
      -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=4MB -sTOTAL_STACK=1MB -sMAXIMUM_MEMORY=2GB -sFILESYSTEM=0 \
      -sEXPORTED_FUNCTIONS="$exports" $srcs -o "$out/prof/build/wasm/s2s-simd.wasm" 2>/dev/null
  fi
fi
