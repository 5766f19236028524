/* peak.c: the arithmetic ceiling one core reaches on f32 mul+add with 12 independent chains.
 *
 * Each chain does v = v * a + b (2 flops per lane per iteration). The same source builds:
 *   - wasm SIMD    (emcc -O3 -msimd128): 12 chains of f32x4;
 *   - wasm scalar  (emcc -O3):           12 chains of f32;
 *   - native SSE   (gcc -O3, x86-64 baseline = 128-bit SSE2): 12 chains of 4 floats;
 *   - native -march=native: 12 chains of 8 floats when AVX is there (FMA contracts mul+add).
 * Built as a wasm module, peak_run(iters) is exported and JS calls it many times so V8 moves it
 * to its optimizing tier before the timed calls (TOOLCHAIN.md). Built natively with
 * -DPEAK_MAIN, main() times it itself and prints one JSON line.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>

#if defined(__wasm_simd128__) || (defined(__SSE__) && !defined(__AVX__) && !defined(__wasm__))
#define PEAK_LANES 4
#elif defined(__AVX__) && !defined(__wasm__)
#define PEAK_LANES 8
#else
#define PEAK_LANES 1
#endif

#if PEAK_LANES > 1
typedef float vf __attribute__((vector_size(PEAK_LANES * 4)));
#else
typedef float vf;
#endif

static volatile float g_a = 0.99999f, g_b = 1e-5f;

static inline vf splat(float x) {
#if PEAK_LANES > 1
  vf v;
  for (int i = 0; i < PEAK_LANES; i++) v[i] = x;
  return v;
#else
  return x;
#endif
}

static inline float hsum(vf v) {
#if PEAK_LANES > 1
  float s = 0;
  for (int i = 0; i < PEAK_LANES; i++) s += v[i];
  return s;
#else
  return v;
#endif
}

/* flops done by one call: iters * 12 chains * PEAK_LANES lanes * 2 */
int peak_lanes(void) { return PEAK_LANES; }

float peak_run(int iters) {
  const vf a = splat(g_a), b = splat(g_b);
  vf v0 = splat(0.1f), v1 = splat(0.2f), v2 = splat(0.3f), v3 = splat(0.4f);
  vf v4 = splat(0.5f), v5 = splat(0.6f), v6 = splat(0.7f), v7 = splat(0.8f);
  vf v8 = splat(0.9f), v9 = splat(1.0f), v10 = splat(1.1f), v11 = splat(1.2f);
  for (int i = 0; i < iters; i++) {
    v0 = v0 * a + b; v1 = v1 * a + b; v2 = v2 * a + b; v3 = v3 * a + b;
    v4 = v4 * a + b; v5 = v5 * a + b; v6 = v6 * a + b; v7 = v7 * a + b;
    v8 = v8 * a + b; v9 = v9 * a + b; v10 = v10 * a + b; v11 = v11 * a + b;
  }
  return hsum(v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11);
}

/* The ceiling for the core's own instruction mix: a register-blocked GEMM on data that stays in
 * L1 (a 4 x 64 panel of A times a 64 x 8 panel of W into a 4 x 8 tile of C, as the core's
 * gemm_rows inner loop issues it: two vector loads of W and four broadcasts of A per step, eight
 * independent multiplies and eight adds into eight accumulators). Unlike peak_run, no multiply
 * waits for the add before it. In a build with relaxed SIMD (clang-19 -mrelaxed-simd, the FMA
 * build) each multiply-add is one f32x4.relaxed_madd. flops per call: iters * MIX_P * 64. */
#define MIX_P 64
static float mix_a[4 * MIX_P] __attribute__((aligned(16)));
static float mix_w[8 * MIX_P] __attribute__((aligned(16)));
#if defined(__wasm_relaxed_simd__)
#include <wasm_simd128.h>
#define MADD(acc, a, b) (vf) wasm_f32x4_relaxed_madd((v128_t)(a), (v128_t)(b), (v128_t)(acc))
#else
#define MADD(acc, a, b) ((acc) + (a) * (b))
#endif
int peak_mix_flops_per_iter(void) { return MIX_P * 64; }
float peak_mix(int iters) {
#if PEAK_LANES == 4
  for (int i = 0; i < 4 * MIX_P; i++) mix_a[i] = g_b * (float)(i % 7);
  for (int i = 0; i < 8 * MIX_P; i++) mix_w[i] = g_b * (float)(i % 5);
  vf c00 = splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int it = 0; it < iters; it++) {
    const float *a = mix_a, *w = mix_w;
    for (int p = 0; p < MIX_P; p++, a += 4, w += 8) {
      vf w0 = *(const vf *)w, w1 = *(const vf *)(w + 4), x;
      x = (vf){a[0], a[0], a[0], a[0]}; c00 = MADD(c00, x, w0); c01 = MADD(c01, x, w1);
      x = (vf){a[1], a[1], a[1], a[1]}; c10 = MADD(c10, x, w0); c11 = MADD(c11, x, w1);
      x = (vf){a[2], a[2], a[2], a[2]}; c20 = MADD(c20, x, w0); c21 = MADD(c21, x, w1);
      x = (vf){a[3], a[3], a[3], a[3]}; c30 = MADD(c30, x, w0); c31 = MADD(c31, x, w1);
    }
  }
  return hsum(c00 + c01 + c10 + c11 + c20 + c21 + c30 + c31);
#else
  return (float)iters; /* only the 4-lane builds have it */
#endif
}

#ifdef PEAK_MAIN
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "native";
  int reps = argc > 2 ? atoi(argv[2]) : 15;
  int iters = 2000000;
  double t[64], w[64];
  if (reps > 64) reps = 64;
  volatile float sink = 0;
  for (int w = 0; w < 3; w++) sink += peak_run(iters);
  for (int r = 0; r < reps; r++) {
    double t0 = now_s(), c0 = cpu_s();
    sink += peak_run(iters);
    t[r] = cpu_s() - c0;
    w[r] = now_s() - t0;
  }
  qsort(t, reps, sizeof t[0], cmp);
  qsort(w, reps, sizeof w[0], cmp);
  double flops = (double)iters * 12 * PEAK_LANES * 2;
  printf("{\"bench\":\"peak\",\"impl\":\"%s\",\"lanes\":%d,\"gflops\":%.2f,\"bestGflops\":%.2f,\"wallGflops\":%.2f,\"reps\":%d}\n",
         name, PEAK_LANES, flops / t[reps / 2] / 1e9, flops / t[0] / 1e9, flops / w[reps / 2] / 1e9, reps);
  return sink == 12345.f;
}
#endif
