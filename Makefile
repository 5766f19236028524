# Builds the C core to WebAssembly (SIMD and scalar, one source) and natively for the C tests.
# `make` (= `make all`) builds everything the tests need; `make wasm` only what the page and the
# package need. Every output goes to build/.

CC ?= gcc
EMCC ?= emcc
# Debian's emcc needs acorn from /usr/share/nodejs to optimise JS (TOOLCHAIN.md)
export NODE_PATH := /usr/share/nodejs

SRC := c_src/kernels.c c_src/cell.c c_src/model.c c_src/layers.c c_src/train.c c_src/decode.c c_src/modelfile.c
HDR := $(wildcard c_src/*.h)
# -ffp-contract=off: no fused multiply-add, so every build rounds the same way (determinism)
COMMON := -std=c11 -Wall -Wextra -Wno-unused-parameter -ffp-contract=off

# Standalone wasm (no JS glue; lib/wasm.js instantiates it): memory grows up to 2 GiB, no
# filesystem, nothing imported but what the loader provides.
WASM_FLAGS := -O3 $(COMMON) --no-entry -sSTANDALONE_WASM=1 -sALLOW_MEMORY_GROWTH=1 \
  -sINITIAL_MEMORY=4MB -sTOTAL_STACK=1MB -sMAXIMUM_MEMORY=2GB -sERROR_ON_UNDEFINED_SYMBOLS=1 -sFILESYSTEM=0

EXPORTS_ALL := $(shell grep -v '^\#' c_src/exports.txt)
EXPORTS_SCALAR := $(filter-out %_simd,$(EXPORTS_ALL))
comma := ,
empty :=
space := $(empty) $(empty)
json = [$(subst $(space),$(comma),$(foreach f,$(1),"_$(f)"))]

.PHONY: all wasm native test-c clean setup

# everything the test suite uses
all: wasm native

# the three wasm builds the library loads (fma only when asked for: backend 'fma')
wasm: build/wasm/s2s-simd.wasm build/wasm/s2s-scalar.wasm build/wasm/s2s-fma.wasm

# native test programs: float SSE build, scalar float build, double-precision gradient build
native: build/native/test_core build/native/test_core_scalar build/native/test_gradients build/native/s2s-tool

# install emscripten from Debian when emcc is missing (CI starts bare)
setup:
	@command -v $(EMCC) >/dev/null 2>&1 && command -v $(FMA_CC) >/dev/null 2>&1 && command -v $(FMA_LD) >/dev/null 2>&1 || bash scripts/setup.sh

# SIMD wasm: -msimd128 turns on the wasm_simd128.h paths of c_src/simd.h
build/wasm/s2s-simd.wasm: $(SRC) $(HDR) c_src/exports.txt | setup
	@mkdir -p $(@D)
	$(EMCC) $(WASM_FLAGS) -msimd128 -sEXPORTED_FUNCTIONS='$(call json,$(EXPORTS_ALL))' $(SRC) -o $@

# scalar wasm: the same source without -msimd128 (the baseline SIMD is measured against)
build/wasm/s2s-scalar.wasm: $(SRC) $(HDR) c_src/exports.txt | setup
	@mkdir -p $(@D)
	$(EMCC) $(WASM_FLAGS) -sEXPORTED_FUNCTIONS='$(call json,$(EXPORTS_SCALAR))' $(SRC) -o $@

# FMA wasm: the SIMD build plus relaxed SIMD, so F32X4_MADD (c_src/simd.h) is one f32x4.relaxed_madd.
# Emscripten 3.1.6's LLVM predates relaxed SIMD, so Debian's clang-19 compiles and wasm-ld-19
# links, against the libc, malloc and compiler-rt that Debian's emscripten ships prebuilt (the
# same ones emcc links): the module has the same exports and the same single import as the others.
FMA_CC ?= clang-19
FMA_LD ?= wasm-ld-19
EMSYSROOT ?= /usr/share/emscripten/cache/sysroot
EMLIB := $(EMSYSROOT)/lib/wasm32-emscripten
FMA_FLAGS := --target=wasm32-unknown-emscripten --sysroot=$(EMSYSROOT) -O3 $(COMMON) -msimd128 -mrelaxed-simd
FMA_OBJ := $(patsubst c_src/%.c,build/fma/%.o,$(SRC))
build/fma/%.o: c_src/%.c $(HDR) | setup
	@mkdir -p $(@D)
	$(FMA_CC) $(FMA_FLAGS) -c $< -o $@
build/wasm/s2s-fma.wasm: $(FMA_OBJ) c_src/exports.txt
	@mkdir -p $(@D)
	echo emscripten_notify_memory_growth > build/fma/imports.txt
	$(FMA_LD) -o $@ $(FMA_OBJ) $(EMLIB)/crt1_reactor.o -L$(EMLIB) -lstandalonewasm-memgrow -lstubs -lnoexit \
	  -lc -ldlmalloc -lcompiler_rt --allow-undefined-file=build/fma/imports.txt --strip-debug \
	  $(addprefix --export=,$(EXPORTS_ALL)) --entry=_initialize -z stack-size=1048576 \
	  --initial-memory=4194304 --max-memory=2147483648 --global-base=1024

# native float build with the SSE paths, run under ASan + UBSan
build/native/test_core: tests/c/test_core.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(CC) -O1 -g $(COMMON) -fsanitize=address,undefined -fno-sanitize-recover=all -Ic_src $< $(SRC) -lm -o $@

# native float build forced onto the scalar paths, to compare against the SIMD one
build/native/test_core_scalar: tests/c/test_core.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(CC) -O2 $(COMMON) -DS2S_NO_SIMD -Ic_src $< $(SRC) -lm -o $@

# double precision: central finite differences are exact to ~1e-9 here, so gradient errors show
build/native/test_gradients: tests/c/test_gradients.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(CC) -O2 -g $(COMMON) -DS2S_DOUBLE -fsanitize=address,undefined -fno-sanitize-recover=all -Ic_src $< $(SRC) -lm -o $@

# native command-line tool the JS tests use to compare native results with the wasm builds
build/native/s2s-tool: tests/c/s2s_tool.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(CC) -O2 $(COMMON) -Ic_src $< $(SRC) -lm -o $@

# run the native C tests alone
test-c: native
	build/native/test_core && build/native/test_core_scalar && build/native/test_gradients

clean:
	rm -rf build

# ---- hardening (issue 6): fuzzing, sanitizers, valgrind --------------------------------------
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 $(COMMON) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Ic_src
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-build fuzz-corpus asan valgrind

# the libFuzzer harnesses (model-file loader; decoding and loss on loaded models; size arithmetic), ASan + UBSan
fuzz-build: build/fuzz/fuzz_load build/fuzz/fuzz_decode build/fuzz/fuzz_shapes
build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(SRC) -lm -o $@
# the size-arithmetic harness is built 32-bit: size_t is 32 bits there, as in wasm32 (no
# comparison tracing: its inputs are a few numbers, and tracing the long loops made it 10x slower)
build/fuzz/fuzz_shapes: fuzz/fuzz_shapes.c fuzz/fuzz_common.h $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) -m32 $(FUZZ_FLAGS) -fno-sanitize-coverage=trace-cmp $< $(SRC) -lm -o $@

# fuzz every harness from the committed seed corpus for FUZZ_SECONDS in all (crashes -> fuzz/artifacts/)
fuzz: fuzz-build
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# rewrite the committed seed corpus (fuzz/corpus/load, decode, shapes) from the current core
fuzz-corpus: fuzz/make_corpus.c fuzz/fuzz_common.h $(SRC) $(HDR)
	@mkdir -p build/fuzz fuzz/corpus/load fuzz/corpus/decode fuzz/corpus/shapes
	$(CC) -O1 $(COMMON) -Ic_src $< $(SRC) -lm -o build/fuzz/make_corpus
	build/fuzz/make_corpus fuzz/corpus

# the whole native suite under ASan + UBSan, the scalar-only build included
asan: build/native/test_core build/native/test_gradients build/native/test_core_scalar_asan
	build/native/test_core && build/native/test_core_scalar_asan && build/native/test_gradients
build/native/test_core_scalar_asan: tests/c/test_core.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(CC) -O1 -g $(COMMON) -DS2S_NO_SIMD -fsanitize=address,undefined -fno-sanitize-recover=all -Ic_src $< $(SRC) -lm -o $@

# the native tests under valgrind memcheck (builds without sanitizers): no errors, no leaks
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
valgrind: build/native/test_core_vg build/native/test_core_scalar build/native/test_gradients_vg
	$(VALGRIND) build/native/test_core_vg && $(VALGRIND) build/native/test_core_scalar && $(VALGRIND) build/native/test_gradients_vg
build/native/test_core_vg: tests/c/test_core.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(CC) -O1 -g $(COMMON) -Ic_src $< $(SRC) -lm -o $@
build/native/test_gradients_vg: tests/c/test_gradients.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(CC) -O2 -g $(COMMON) -DS2S_DOUBLE -Ic_src $< $(SRC) -lm -o $@
