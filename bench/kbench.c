/* kbench.c: kernel benchmark harness, one source for every build of the kernels.
 *
 * Links with c_src/kernels.c. Built three ways:
 *   - wasm SIMD   (emcc -O3 -msimd128): variant 1 = the `_simd` kernels;
 *   - wasm scalar (emcc -O3, no SIMD):  variant 0 = the `_scalar` kernels, the product's scalar build;
 *   - native      (gcc -O3, and gcc -O3 -march=native) with -DKB_MAIN: both variants, timed by
 *     main() itself, one JSON line per case and variant.
 * In wasm, JS calls kb_run() many times (V8 only moves a function to its optimizing tier between
 * calls, TOOLCHAIN.md) and times each call.
 * The cases are the kernels at the sizes the benchmark models (A, B, C of issue 5) call them with.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

enum { K_GEMM_NT, K_GEMM_NN, K_GEMM_TN, K_SCORES_ADD, K_SCORES_ADD_BWD, K_SCORES_DOT, K_SOFTMAX,
       K_WSUM, K_TANH, K_SIGMOID, K_GEMM_TN_T, K_GEMM_NT_BLK };

typedef struct {
  int kernel;
  int a, b, c; /* gemm: B N K; scores: m A; softmax: m; weighted_sum: m H; elementwise: n */
  const char *model;
  const char *what;
} kcase;

static const kcase cases[] = {
  /* model C: GRU hidden 256, embed 64, batch 64, additive attention A 256, source 30, target 30.
   * Per-step GEMMs have B = batch rows; weight gradients run once over all steps (B = T*batch). */
  {K_GEMM_NT, 64, 768, 256, "C", "per step: gates += h . W_hh^T"},
  {K_GEMM_NN, 64, 768, 256, "C", "per step: dh += dgates . W_hh"},
  {K_GEMM_TN, 1920, 768, 256, "C", "all steps: dW_hh += dgates^T . h"},
  {K_GEMM_NT, 1920, 768, 64, "C", "all steps: enc gates += x . W_ih^T"},
  {K_GEMM_NT, 1, 768, 256, "C", "decode: one row"},
  {K_SCORES_ADD, 30, 256, 0, "C", "additive scores, one row"},
  {K_SCORES_ADD_BWD, 30, 256, 0, "C", "additive scores backward, one row"},
  {K_SOFTMAX, 30, 0, 0, "C", "masked softmax, one row"},
  {K_WSUM, 30, 256, 0, "C", "context = sum_j w_j h_j, one row"},
  {K_TANH, 64 * 256, 0, 0, "C", "tanh over B*H"},
  {K_SIGMOID, 64 * 512, 0, 0, "C", "sigmoid over B*2H"},
  /* model A: LSTM hidden 64, embed 64, batch 128, dot attention A 64, source 18, target 10 */
  {K_GEMM_NT, 128, 256, 128, "A", "per step: dec gates += [x;c] . W_ih^T"},
  {K_GEMM_NT, 128, 256, 64, "A", "per step: gates += h . W_hh^T"},
  {K_GEMM_NN, 128, 256, 64, "A", "per step: dh += dgates . W_hh"},
  {K_GEMM_TN, 2304, 256, 64, "A", "all steps: enc dW_hh += dgates^T . h"},
  {K_GEMM_TN, 1280, 256, 128, "A", "all steps: dec dW_ih += dgates^T . [x;c]"},
  {K_SCORES_DOT, 18, 64, 0, "A", "dot scores, one row"},
  {K_SOFTMAX, 18, 0, 0, "A", "masked softmax, one row"},
  {K_WSUM, 18, 64, 0, "A", "context, one row"},
  /* model B: GRU hidden 64, embed 32, batch 64, additive A 64, source 16, target 10 */
  {K_GEMM_NT, 64, 192, 64, "B", "per step: gates += h . W_hh^T"},
  {K_GEMM_TN, 640, 192, 96, "B", "all steps: dec dW_ih += dgates^T . [x;c]"},
  {K_SCORES_ADD, 16, 64, 0, "B", "additive scores, one row"},
  /* experiment (not a product kernel): gemm_tn done as transpose(A), transpose(X) then gemm_nt */
  {K_GEMM_TN_T, 1920, 768, 256, "C", "experiment: dW_hh via 2 transposes + gemm_nt"},
  {K_GEMM_TN_T, 2304, 256, 64, "A", "experiment: enc dW_hh via 2 transposes + gemm_nt"},
  /* experiment: gemm_nn's product as gemm_nt against W_hh^T transposed once per training step */
  {K_GEMM_NT, 64, 256, 768, "C", "experiment: dh += dgates . (W_hh^T)^T, W_hh^T kept"},
  /* experiment: the same gemm_nt over blocks of 32 rows of W (32 KiB at K 256) so each block stays
   * in L1/L2 while all batch rows pass over it (partial products in a scratch block, then added) */
  {K_GEMM_NT_BLK, 64, 768, 256, "C", "experiment: gates += h . W_hh^T in blocks of 32 W rows"},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static const char *kname[] = {"gemm_nt", "gemm_nn", "gemm_tn", "scores_additive",
                              "scores_additive_backward", "scores_dot", "softmax_masked",
                              "weighted_sum", "vtanh", "vsigmoid", "gemm_tn_via_nt", "gemm_nt_blocked"};

static real *buf[7];
static int cur = -1;
static volatile real sink;

int kb_cases(void) { return NCASES; }
int kb_has_simd(void) { return S2S_SIMD; }

/* flops per call (tanh/exp not counted; elementwise kernels count elements) */
double kb_flops(int i) {
  const kcase *c = &cases[i];
  switch (c->kernel) {
  case K_GEMM_NT: case K_GEMM_NN: case K_GEMM_TN: case K_GEMM_TN_T: case K_GEMM_NT_BLK: return 2.0 * c->a * c->b * c->c;
  case K_SCORES_ADD: return 3.0 * c->a * c->b;
  case K_SCORES_ADD_BWD: return 8.0 * c->a * c->b;
  case K_SCORES_DOT: return 2.0 * c->a * c->b + c->a;
  case K_SOFTMAX: return 4.0 * c->a;
  case K_WSUM: return 2.0 * c->a * c->b;
  default: return (double)c->a;
  }
}

static char jbuf[256];
/* {"kernel":..., "shape":..., "model":..., "what":..., "unit":...} of case i */
const char *kb_case_json(int i) {
  const kcase *c = &cases[i];
  char shape[64];
  switch (c->kernel) {
  case K_GEMM_NT: case K_GEMM_NN: case K_GEMM_TN: case K_GEMM_TN_T: case K_GEMM_NT_BLK:
    snprintf(shape, sizeof shape, "B%d N%d K%d", c->a, c->b, c->c); break;
  case K_SCORES_ADD: case K_SCORES_ADD_BWD: case K_SCORES_DOT:
    snprintf(shape, sizeof shape, "m%d A%d", c->a, c->b); break;
  case K_SOFTMAX: snprintf(shape, sizeof shape, "m%d", c->a); break;
  case K_WSUM: snprintf(shape, sizeof shape, "m%d H%d", c->a, c->b); break;
  default: snprintf(shape, sizeof shape, "n%d", c->a);
  }
  snprintf(jbuf, sizeof jbuf, "{\"kernel\":\"%s\",\"shape\":\"%s\",\"model\":\"%s\",\"what\":\"%s\",\"unit\":\"%s\"}",
           kname[c->kernel], shape, c->model, c->what, c->kernel == K_TANH || c->kernel == K_SIGMOID ? "Gelem/s" : "GFLOP/s");
  return jbuf;
}

static real *alloc_fill(size_t n, uint32_t seed, real scale) {
  real *p = (real *)aligned_alloc(16, ((n * sizeof(real)) + 15) / 16 * 16 + 16);
  if (!p) return NULL;
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = ((real)(seed >> 8) / 16777216.0f - 0.5f) * 2 * scale; /* uniform in [-scale, scale) */
  }
  return p;
}

int kb_setup(int i) {
  if (i < 0 || i >= NCASES) return -1;
  for (int k = 0; k < 7; k++) { free(buf[k]); buf[k] = NULL; }
  const kcase *c = &cases[i];
  size_t n0, n1, n2, n3 = 1, n4 = 1, n5 = 1, n6 = 1;
  switch (c->kernel) {
  case K_GEMM_NT: n0 = (size_t)c->a * c->b; n1 = (size_t)c->a * c->c; n2 = (size_t)c->b * c->c; break;
  case K_GEMM_NT_BLK: n0 = (size_t)c->a * c->b; n1 = (size_t)c->a * c->c; n2 = (size_t)c->b * c->c; n3 = (size_t)c->a * 32; break;
  case K_GEMM_NN: n0 = (size_t)c->a * c->c; n1 = (size_t)c->a * c->b; n2 = (size_t)c->b * c->c; break;
  case K_GEMM_TN: n0 = (size_t)c->b * c->c; n1 = (size_t)c->a * c->b; n2 = (size_t)c->a * c->c; break;
  case K_GEMM_TN_T: /* C[N,K], A[P,N], X[P,K], A^T[N,P], X^T[K,P] */
    n0 = (size_t)c->b * c->c; n1 = (size_t)c->a * c->b; n2 = (size_t)c->a * c->c;
    n3 = (size_t)c->a * c->b; n4 = (size_t)c->a * c->c; break;
  case K_SCORES_ADD: case K_SCORES_DOT: /* s, keys, q, v, and the kept tanh (additive) */
    n0 = c->a; n1 = (size_t)c->a * c->b; n2 = c->b; n3 = c->b; n4 = (size_t)c->a * c->b; break;
  case K_SCORES_ADD_BWD:
    /* dKh, dq, dv, kept tanh t (m,A), v, ds */
    n0 = (size_t)c->a * c->b; n1 = c->b; n2 = c->b; n3 = (size_t)c->a * c->b; n4 = c->b; n5 = c->a; n6 = c->b; break;
  case K_SOFTMAX: n0 = c->a; n1 = c->a; n2 = 1; break;
  case K_WSUM: n0 = c->b; n1 = c->a; n2 = (size_t)c->a * c->b; break;
  default: n0 = c->a; n1 = c->a; n2 = 1;
  }
  size_t ns[7] = {n0, n1, n2, n3, n4, n5, n6};
  /* GEMM operands small; the inputs of tanh/exp spread over [-1.5, 1.5] per operand (sums to
   * [-3, 3]) so both branches of tanh (|x| < 0.625 or not) are taken, as in training */
  int nonlinear = c->kernel == K_SCORES_ADD || c->kernel == K_SCORES_ADD_BWD || c->kernel == K_SOFTMAX ||
                  c->kernel == K_TANH || c->kernel == K_SIGMOID;
  for (int k = 0; k < 7; k++)
    if (!(buf[k] = alloc_fill(ns[k], 12345u + 77u * k, nonlinear ? 1.5f : 0.1f))) return -2;
  cur = i;
  return 0;
}

static void transpose(real *dst, const real *src, int rows, int cols) { /* dst[cols,rows] */
  for (int r0 = 0; r0 < rows; r0 += 16)
    for (int c0 = 0; c0 < cols; c0 += 16)
      for (int r = r0; r < r0 + 16 && r < rows; r++)
        for (int c = c0; c < c0 + 16 && c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}

/* Run case `i` (after kb_setup(i)) `reps` times; variant 1 = SIMD kernels, 0 = scalar. */
int kb_run(int i, int variant, int reps) {
  if (i != cur) return -1;
#if !S2S_SIMD
  if (variant) return -2;
#endif
  const kcase *c = &cases[i];
  real **x = buf;
  for (int r = 0; r < reps; r++) {
    switch (c->kernel) {
#if S2S_SIMD
#define CALL(name, ...) (variant ? name##_simd(__VA_ARGS__) : name##_scalar(__VA_ARGS__))
#else
#define CALL(name, ...) name##_scalar(__VA_ARGS__)
#endif
    case K_GEMM_NT: CALL(gemm_nt, x[0], x[1], x[2], c->a, c->b, c->c); break;
    case K_GEMM_NN: CALL(gemm_nn, x[0], x[1], x[2], c->a, c->b, c->c); break;
    case K_GEMM_TN: CALL(gemm_tn, x[0], x[1], x[2], c->a, c->b, c->c); break;
    case K_SCORES_ADD: CALL(scores_additive, x[0], x[1], c->b, x[2], x[3], c->a, c->b, x[4]); break;
    case K_SCORES_ADD_BWD:
      CALL(scores_additive_backward, x[0], c->b, x[1], x[2], x[3], x[4], x[5], c->a, c->b);
      break;
    case K_SCORES_DOT: CALL(scores_dot, x[0], x[1], c->b, x[2], 1.0f, c->a, c->b); break;
    case K_SOFTMAX: CALL(softmax_masked, x[0], x[1], c->a, c->a); break;
    case K_WSUM: CALL(weighted_sum, x[0], x[1], x[2], c->b, c->a, c->b); break;
    case K_TANH: CALL(vtanh, x[0], x[1], c->a); break;
    case K_SIGMOID: CALL(vsigmoid, x[0], x[1], c->a); break;
    case K_GEMM_NT_BLK:
      for (int n0 = 0; n0 < c->b; n0 += 32) {
        int nb = c->b - n0 < 32 ? c->b - n0 : 32;
        memset(x[3], 0, sizeof(real) * (size_t)c->a * nb);
        CALL(gemm_nt, x[3], x[1], x[2] + (size_t)n0 * c->c, c->a, nb, c->c);
        for (int b = 0; b < c->a; b++)
          for (int n = 0; n < nb; n++) x[0][(size_t)b * c->b + n0 + n] += x[3][(size_t)b * nb + n];
      }
      break;
    case K_GEMM_TN_T:
      transpose(x[3], x[1], c->a, c->b);
      transpose(x[4], x[2], c->a, c->c);
      CALL(gemm_nt, x[0], x[3], x[4], c->b, c->c, c->a);
      break;
    }
  }
  sink = x[0][0];
  return 0;
}


#ifdef KB_MAIN
#include <time.h>
static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static double cpu_s(void) { /* CPU time of this process: robust to other processes on the core */
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmpd(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}
/* usage: kernels-<build> <impl-name> [samples] */
int main(int argc, char **argv) {
  const char *impl = argc > 1 ? argv[1] : "native";
  int samples = argc > 2 ? atoi(argv[2]) : 15;
  if (samples < 3) samples = 3;
  if (samples > 99) samples = 99;
  int only_simd = argc > 3 && !strcmp(argv[3], "simd");
  for (int i = 0; i < NCASES; i++) {
    if (kb_setup(i)) { fprintf(stderr, "setup failed\n"); return 1; }
    for (int v = S2S_SIMD; v >= (only_simd && S2S_SIMD ? 1 : 0); v--) {
      /* calibrate: one sample ~2 ms */
      int reps = 1;
      kb_run(i, v, 1); /* touch the buffers */
      for (;;) {
        double t0 = now_s();
        kb_run(i, v, reps);
        double dt = now_s() - t0;
        if (dt > 2e-3 || reps > (1 << 28)) break;
        reps *= 2;
      }
      double t[100], w[100];
      for (int s = 0; s < samples; s++) {
        double t0 = now_s(), c0 = cpu_s();
        kb_run(i, v, reps);
        t[s] = (cpu_s() - c0) / reps;
        w[s] = (now_s() - t0) / reps;
      }
      qsort(t, samples, sizeof t[0], cmpd);
      qsort(w, samples, sizeof w[0], cmpd);
      const char *j = kb_case_json(i);
      printf("{\"bench\":\"kernel\",\"impl\":\"%s-%s\",%.*s,\"nsPerCall\":%.1f,\"gflops\":%.3f,\"wallGflops\":%.3f}\n",
             impl, v ? "simd" : "scalar", (int)strlen(j) - 2, j + 1, t[samples / 2] * 1e9,
             kb_flops(i) / t[samples / 2] / 1e9, kb_flops(i) / w[samples / 2] / 1e9);
    }
  }
  return 0;
}
#endif
