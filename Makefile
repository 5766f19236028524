# Builds the C core to WebAssembly (SIMD and scalar, one source) and natively for the C tests.
# `make` (= `make all`) builds everything the tests need; `make wasm` only what the page and the
# package need; `make bench` what bench/run.js needs. Every output goes to build/ (bench/build/
# for the benchmarks). Nothing here installs anything: scripts/setup.sh does (npm test, npm start
# and CI call it).

CC ?= gcc
EMCC ?= emcc
FUZZ_CC ?= clang
# the FMA wasm build's compiler and linker (emscripten's own LLVM predates relaxed SIMD)
FMA_CC ?= clang-19
FMA_LD ?= wasm-ld-19
# Debian's emcc needs acorn from /usr/share/nodejs to optimise JS (TOOLCHAIN.md)
export NODE_PATH := /usr/share/nodejs

SRC := c_src/kernels.c c_src/cell.c c_src/model.c c_src/layers.c c_src/train.c c_src/decode.c c_src/modelfile.c
HDR := $(wildcard c_src/*.h)
CORE := $(SRC) $(HDR)
# -ffp-contract=off: no fused multiply-add, so every build rounds the same way (determinism)
COMMON := -std=c11 -Wall -Wextra -Wno-unused-parameter -ffp-contract=off
# AddressSanitizer + UndefinedBehaviorSanitizer, stopping at the first report
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: all wasm native test-c asan valgrind fuzz fuzz-build fuzz-corpus bench limits clean

# everything the test suite uses
all: wasm native lib/limits.js

# lib/limits.js: the S2S_MIN_*/S2S_MAX_* bounds of c_src/s2s.h for the JS library and the page
# (committed, so lib/ works without a build step; tests/core-limits.test.js checks it is current)
limits: lib/limits.js
lib/limits.js: c_src/s2s.h scripts/limits.js
	node scripts/limits.js

# everything built: build/ and bench/build/ (lib/limits.js is committed, so it stays)
clean:
	rm -rf build bench/build

# ---- WebAssembly --------------------------------------------------------------------------------

# the three wasm builds the library loads (fma only when asked for: backend 'fma')
wasm: build/wasm/s2s-simd.wasm build/wasm/s2s-scalar.wasm build/wasm/s2s-fma.wasm

# Standalone wasm (no JS glue; lib/wasm.js instantiates it): memory grows up to 2 GiB, no
# filesystem, an undefined symbol is an error, nothing imported but what the loader provides.
WASM_FLAGS := -O3 $(COMMON) --no-entry -sSTANDALONE_WASM=1 -sALLOW_MEMORY_GROWTH=1 \
  -sINITIAL_MEMORY=4MB -sTOTAL_STACK=1MB -sMAXIMUM_MEMORY=2GB -sERROR_ON_UNDEFINED_SYMBOLS=1 -sFILESYSTEM=0
# c_src/exports.txt, one function a line, as emcc's JSON list; the scalar build has no *_simd
EXPORTS_simd := $(shell grep -v '^\#' c_src/exports.txt)
EXPORTS_scalar := $(filter-out %_simd,$(EXPORTS_simd))
comma := ,
empty :=
space := $(empty) $(empty)
exported = -sEXPORTED_FUNCTIONS='[$(subst $(space),$(comma),$(foreach f,$(1),"_$(f)"))]'
# $(call have,TOOL): stop with what to do when a compiler is missing (nothing here installs it)
have = @command -v $(1) >/dev/null 2>&1 || { echo "$(1) not found: run bash scripts/setup.sh (it installs the compilers)" >&2; exit 1; }

# SIMD wasm: -msimd128 turns on the wasm_simd128.h paths of c_src/simd.h.
# Scalar wasm: the same source without it (the baseline SIMD is measured against).
simd128 = $(if $(filter simd,$(1)),-msimd128)
build/wasm/s2s-%.wasm: $(CORE) c_src/exports.txt
	$(call have,$(EMCC))
	@mkdir -p $(@D)
	$(EMCC) $(WASM_FLAGS) $(call simd128,$*) $(call exported,$(EXPORTS_$*)) $(SRC) -o $@

# FMA wasm: the SIMD build plus relaxed SIMD, so F32X4_MADD (c_src/simd.h) is one f32x4.relaxed_madd.
# Emscripten 3.1.6's LLVM predates relaxed SIMD, so Debian's clang-19 compiles and wasm-ld-19
# links, against the libc, malloc and compiler-rt that Debian's emscripten ships prebuilt (the
# same ones emcc links): the module has the same exports and the same single import as the others.
EMSYSROOT ?= /usr/share/emscripten/cache/sysroot
EMLIB := $(EMSYSROOT)/lib/wasm32-emscripten
FMA_FLAGS := --target=wasm32-unknown-emscripten --sysroot=$(EMSYSROOT) -O3 $(COMMON) -msimd128 -mrelaxed-simd
FMA_OBJ := $(patsubst c_src/%.c,build/fma/%.o,$(SRC))
build/fma/%.o: c_src/%.c $(HDR)
	$(call have,$(FMA_CC))
	@mkdir -p $(@D)
	$(FMA_CC) $(FMA_FLAGS) -c $< -o $@
build/wasm/s2s-fma.wasm: $(FMA_OBJ) c_src/exports.txt
	$(call have,$(FMA_LD))
	@mkdir -p $(@D)
	echo emscripten_notify_memory_growth > build/fma/imports.txt
	$(FMA_LD) -o $@ $(FMA_OBJ) $(EMLIB)/crt1_reactor.o -L$(EMLIB) -lstandalonewasm-memgrow -lstubs -lnoexit \
	  -lc -ldlmalloc -lcompiler_rt --allow-undefined-file=build/fma/imports.txt --strip-debug \
	  $(addprefix --export=,$(EXPORTS_simd)) --entry=_initialize -z stack-size=1048576 \
	  --initial-memory=4194304 --max-memory=2147483648 --global-base=1024

# ---- native tests -------------------------------------------------------------------------------

# the native test programs and the command-line door the JS tests compare the wasm builds with
native: build/native/test_core build/native/test_core_scalar build/native/test_gradients build/native/s2s-tool

# Each native program is its main file (MAIN_name) and the core, built with FLAGS_name.
# test_core: the float build on the SSE paths, under the sanitizers (-O1 -g: readable reports).
MAIN_test_core := tests/c/test_core.c
FLAGS_test_core := -O1 -g $(SANITIZE)
# test_core_scalar: forced onto the scalar paths (compared with the SIMD ones), sanitized too.
MAIN_test_core_scalar := tests/c/test_core.c
FLAGS_test_core_scalar := -O1 -g -DS2S_NO_SIMD $(SANITIZE)
# test_gradients: double precision, where central finite differences are exact to ~1e-9 so
# gradient errors show; -O2 because it runs the loss thousands of times; sanitized.
MAIN_test_gradients := tests/c/test_gradients.c
FLAGS_test_gradients := -O2 -g -DS2S_DOUBLE $(SANITIZE)
# s2s-tool: optimised, no sanitizers: the JS tests run it many times.
MAIN_s2s-tool := tests/c/s2s_tool.c
FLAGS_s2s-tool := -O2
# *_vg: the three tests without sanitizers (valgrind cannot run sanitized programs);
# GRADIENTS_QUICK leaves out the 50000-target gradient check, minutes under memcheck (the
# sanitized test_gradients runs it).
MAIN_test_core_vg := tests/c/test_core.c
FLAGS_test_core_vg := -O1 -g
MAIN_test_core_scalar_vg := tests/c/test_core.c
FLAGS_test_core_scalar_vg := -O1 -g -DS2S_NO_SIMD
MAIN_test_gradients_vg := tests/c/test_gradients.c
FLAGS_test_gradients_vg := -O2 -g -DS2S_DOUBLE -DGRADIENTS_QUICK

.SECONDEXPANSION:
build/native/%: $$(MAIN_$$*) $(CORE)
	@mkdir -p $(@D)
	$(CC) $(FLAGS_$*) $(COMMON) -Ic_src $< $(SRC) -lm -o $@

# run the native C tests (all three are ASan + UBSan builds, so this is also `make asan`)
test-c asan: native
	build/native/test_core && build/native/test_core_scalar && build/native/test_gradients

# the native tests under valgrind memcheck: no errors, no leaks
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
valgrind: build/native/test_core_vg build/native/test_core_scalar_vg build/native/test_gradients_vg
	$(VALGRIND) build/native/test_core_vg && $(VALGRIND) build/native/test_core_scalar_vg && $(VALGRIND) build/native/test_gradients_vg

# ---- fuzzing (libFuzzer) ------------------------------------------------------------------------

FUZZ_SECONDS ?= 60
# libFuzzer with the sanitizers; -O1 -g as for the sanitized tests
FUZZ_FLAGS := -g -O1 $(COMMON) -fsanitize=fuzzer $(SANITIZE) -Ic_src

# the harnesses: model-file loader; decoding and loss on loaded models; size arithmetic
fuzz-build: build/fuzz/fuzz_load build/fuzz/fuzz_decode build/fuzz/fuzz_shapes
build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(CORE)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_EXTRA) $< $(SRC) -lm -o $@
# the size-arithmetic harness is 32-bit: size_t is 32 bits there, as in wasm32 (no comparison
# tracing: its inputs are a few numbers, and tracing the long loops made it 10x slower)
build/fuzz/fuzz_shapes: FUZZ_EXTRA := -m32 -fno-sanitize-coverage=trace-cmp

# fuzz every harness from the committed seed corpus for FUZZ_SECONDS in all (crashes -> fuzz/artifacts/)
fuzz: fuzz-build
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# rewrite the committed seed corpus (fuzz/corpus/load, decode, shapes) from the current core;
# plain -O1: it only writes files
fuzz-corpus: fuzz/make_corpus.c fuzz/fuzz_common.h $(CORE)
	@mkdir -p build/fuzz fuzz/corpus/load fuzz/corpus/decode fuzz/corpus/shapes
	$(CC) -O1 $(COMMON) -Ic_src $< $(SRC) -lm -o build/fuzz/make_corpus
	build/fuzz/make_corpus fuzz/corpus

# ---- benchmarks (bench/run.js builds them with `make bench`) ------------------------------------

B := bench/build
bench: wasm $(B)/peak-sse $(B)/peak-march $(B)/peak-avx512 $(B)/peak-ports-xmm $(B)/peak-simd.wasm $(B)/peak-scalar.wasm $(B)/peak-fma.wasm \
  $(B)/kernels-sse $(B)/kernels-march $(B)/kernels-simd.wasm $(B)/kernels-scalar.wasm \
  $(B)/train-sse $(B)/train-march $(B)/prof/build/wasm/s2s-simd.wasm $(B)/insitu/build/wasm/s2s-simd.wasm
	@mkdir -p $(B)/prof/lib && cp -r lib/. $(B)/prof/lib/
	@mkdir -p $(B)/insitu/lib && cp -r lib/. $(B)/insitu/lib/

# -march=native variants: what the same C reaches with this machine's widest vectors
$(B)/%-march: MARCH := -march=native
# the mul+add ceiling (bench/peak.c): plain -O3 and gnu C, so -march=native may contract into FMA
# as any native build would; that is the peak the kernels are held against
$(B)/peak-sse $(B)/peak-march: bench/peak.c
	@mkdir -p $(@D)
	$(CC) -O3 $(MARCH) -DPEAK_MAIN $< -o $@
# 16 lanes where the machine has AVX-512 (else the same 8 as peak-march): the widest native peak
$(B)/peak-avx512: bench/peak.c
	@mkdir -p $(@D)
	$(CC) -O3 -march=native -DPEAK_512 -DPEAK_MAIN $< -o $@
# port_run's loops natively with 128-bit VEX (what V8 emits, in gcc's schedule); no contraction,
# so a mul and an add stay two instructions
$(B)/peak-ports-xmm: bench/peak.c
	@mkdir -p $(@D)
	$(CC) -O2 -mavx2 -mfma -ffp-contract=off -DPEAK_PORTS_MAIN $< -o $@
# the same loops as wasm, SIMD and scalar (-O3, no libc needed)
PEAK_EXPORTS := peak_run peak_lanes peak_mix peak_mix_flops_per_iter port_run port_ops port_clock port_has_madd
$(B)/peak-%.wasm: bench/peak.c
	$(call have,$(EMCC))
	@mkdir -p $(@D)
	$(EMCC) -O3 $(call simd128,$*) --no-entry -sSTANDALONE_WASM=1 -sERROR_ON_UNDEFINED_SYMBOLS=1 \
	  $(call exported,$(PEAK_EXPORTS)) $< -o $@
# the peak loops with relaxed SIMD (the FMA build's ceiling): clang-19 and wasm-ld-19, no libc
$(B)/peak-fma.wasm: bench/peak.c
	$(call have,$(FMA_CC))
	@mkdir -p $(@D)
	$(FMA_CC) --target=wasm32 -O3 -msimd128 -mrelaxed-simd -c $< -o $(B)/peak-fma.o
	$(FMA_LD) --no-entry $(addprefix --export=,$(PEAK_EXPORTS)) $(B)/peak-fma.o -o $@
# the kernels at the benchmark models' shapes (bench/kbench.c): the product's flags, -O3
KB_EXPORTS := kb_set_case kb_kernel_index kb_name_buffer kb_has_simd kb_flops kb_case_json kb_run
$(B)/kernels-sse $(B)/kernels-march: bench/kbench.c $(CORE)
	@mkdir -p $(@D)
	$(CC) -O3 $(MARCH) $(COMMON) -DKB_MAIN -Ic_src $< $(SRC) -lm -o $@
$(B)/kernels-%.wasm: bench/kbench.c $(CORE)
	$(call have,$(EMCC))
	@mkdir -p $(@D)
	$(EMCC) $(WASM_FLAGS) $(call simd128,$*) $(call exported,$(KB_EXPORTS)) -Ic_src $< $(SRC) -o $@
# whole training steps and decoding of the core built natively (bench/native.c), -O3
$(B)/train-sse $(B)/train-march: bench/native.c $(CORE)
	@mkdir -p $(@D)
	$(CC) -O3 $(MARCH) $(COMMON) -Ic_src $< $(SRC) -lm -o $@
# the SIMD wasm with function names (--profiling-funcs) for bench/profile.js, which loads it
# through a copy of lib/ beside it
$(B)/prof/build/wasm/s2s-simd.wasm: $(CORE) c_src/exports.txt
	$(call have,$(EMCC))
	@mkdir -p $(@D)
	$(EMCC) $(WASM_FLAGS) -msimd128 --profiling-funcs $(call exported,$(EXPORTS_simd)) $(SRC) -o $@
# the SIMD wasm with every gemm_*_simd call timed (bench/gemm-timing.c through wasm-ld's --wrap;
# its two timer functions are imported) for bench/gemm-insitu.js, which loads it through a copy of
# lib/ beside it, as bench/profile.js does; the wrapped kernels are not exported
GEMM_WRAP := $(foreach k,nt nn tn,-Wl,--wrap=gemm_$(k)_simd)
$(B)/insitu/build/wasm/s2s-simd.wasm: $(CORE) c_src/exports.txt bench/gemm-timing.c
	$(call have,$(EMCC))
	@mkdir -p $(@D)
	$(EMCC) $(WASM_FLAGS) -sERROR_ON_UNDEFINED_SYMBOLS=0 -msimd128 -Ic_src $(GEMM_WRAP) \
	  $(call exported,$(filter-out gemm_%_simd,$(EXPORTS_simd))) $(SRC) bench/gemm-timing.c -o $@
