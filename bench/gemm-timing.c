/* gemm-timing.c: every gemm_*_simd call of the core timed by its caller (bench/gemm-insitu.js).
 * Linked with wasm-ld's --wrap=gemm_nt_simd (and nn, tn): the core's calls land here, which
 * calls the kernel between two imported functions (the JS side reads its clock in them). Only
 * in bench/build/insitu's build; the product's builds have none of this. */
#include "kernels.h"

__attribute__((import_module("env"), import_name("gemm_timing_begin"))) void gemm_timing_begin(void);
__attribute__((import_module("env"), import_name("gemm_timing_end"))) void gemm_timing_end(int kind, int B, int N, int K, int add);

#define GEMM_TIMING_WRAP(name, kind)                                                               \
  void __real_gemm_##name##_simd(real *C, const real *A, const real *W, int B, int N, int K, int add, \
                                 const real *bias);                                               \
  void __wrap_gemm_##name##_simd(real *C, const real *A, const real *W, int B, int N, int K, int add, \
                                 const real *bias) {                                              \
    gemm_timing_begin();                                                                           \
    __real_gemm_##name##_simd(C, A, W, B, N, K, add, bias);                                        \
    gemm_timing_end(kind, B, N, K, add);                                                           \
  }
GEMM_TIMING_WRAP(nt, 0)
GEMM_TIMING_WRAP(nn, 1)
GEMM_TIMING_WRAP(tn, 2)
