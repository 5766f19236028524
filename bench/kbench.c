/* kbench.c: kernel benchmark harness, one source for every build of the kernels.
 *
 * Links with the core (c_src/). Built three ways:
 *   - wasm SIMD   (emcc -O3 -msimd128): variant 1 = the `_simd` kernels;
 *   - wasm scalar (emcc -O3, no SIMD):  variant 0 = the `_scalar` kernels, the product's scalar build;
 *   - native      (gcc -O3, and gcc -O3 -march=native) with -DKB_MAIN: both variants, timed by
 *     main() itself, one JSON line per case and variant.
 * The cases are not spelled here: bench/kernels.js derives them from the benchmark models' shapes
 * (bench/common.js MODELS, the one place they are defined) and sets each with kb_set_case (wasm)
 * or as a line "kernel a b c" on standard input (native). In wasm, JS calls kb_run() many times
 * (V8 only moves a function to its optimizing tier between calls, TOOLCHAIN.md) and times each.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "layers.h"

enum { K_GEMM_NT, K_GEMM_NN, K_GEMM_TN, K_SCORES_ADD, K_SCORES_ADD_BWD, K_SCORES_DOT, K_SOFTMAX,
       K_WSUM, K_TANH, K_SIGMOID, K_GEMM_TN_T, K_GEMM_NT_BLK, K_OUTPUT_LOSS, K_OUTPUT_GEMMS,
       K_OUTPUT_GEMMS_CHUNKED, NKERNELS };

typedef struct {
  int kernel;
  int a, b, c; /* gemm: B N K; scores: m A; softmax: m; weighted_sum: m H; elementwise: n;
                  output layer: rows Vt Dout */
} kcase;

static const char *kname[] = {"gemm_nt", "gemm_nn", "gemm_tn", "scores_additive",
                              "scores_additive_backward", "scores_dot", "softmax_masked",
                              "weighted_sum", "vtanh", "vsigmoid", "gemm_tn_via_nt", "gemm_nt_blocked",
                              "output_loss", "output_gemms", "output_gemms_chunked"};

static kcase the_case;
static real *buf[7];
static int cur = -1;
static volatile real sink;
static s2s_model *out_model; /* the output-layer cases' model and workspace */
static s2s_workspace out_ws;
static int32_t *out_tgt;

/* The kernel's number for its name (as kernels.js spells it), or -1. */
int kb_kernel_index(const char *name) {
  for (int k = 0; k < NKERNELS; k++)
    if (!strcmp(kname[k], name)) return k;
  return -1;
}
/* a buffer of n bytes for JS to write a kernel name into */
char *kb_name_buffer(void) {
  static char name[64];
  return name;
}

int kb_has_simd(void) { return S2S_SIMD; }

/* flops per call (tanh/exp not counted; elementwise kernels count elements) */
/* flops per call (tanh/exp not counted; elementwise kernels count elements; the output layer
 * counts its three products, 3 x 2 rows Vt Dout, what the plain GEMMs beside it do) */
double kb_flops(void) {
  const kcase *c = &the_case;
  switch (c->kernel) {
  case K_GEMM_NT: case K_GEMM_NN: case K_GEMM_TN: case K_GEMM_TN_T: case K_GEMM_NT_BLK: return 2.0 * c->a * c->b * c->c;
  case K_OUTPUT_LOSS: case K_OUTPUT_GEMMS: case K_OUTPUT_GEMMS_CHUNKED: return 6.0 * c->a * c->b * c->c;
  case K_SCORES_ADD: return 3.0 * c->a * c->b;
  case K_SCORES_ADD_BWD: return 8.0 * c->a * c->b;
  case K_SCORES_DOT: return 2.0 * c->a * c->b + c->a;
  case K_SOFTMAX: return 4.0 * c->a;
  case K_WSUM: return 2.0 * c->a * c->b;
  default: return (double)c->a;
  }
}

static char jbuf[256];
/* {"kernel":..., "shape":..., "unit":...} of the case set last (kernels.js adds model and what) */
const char *kb_case_json(void) {
  const kcase *c = &the_case;
  char shape[64];
  switch (c->kernel) {
  case K_GEMM_NT: case K_GEMM_NN: case K_GEMM_TN: case K_GEMM_TN_T: case K_GEMM_NT_BLK:
    snprintf(shape, sizeof shape, "B%d N%d K%d", c->a, c->b, c->c); break;
  case K_SCORES_ADD: case K_SCORES_ADD_BWD: case K_SCORES_DOT:
    snprintf(shape, sizeof shape, "m%d A%d", c->a, c->b); break;
  case K_SOFTMAX: snprintf(shape, sizeof shape, "m%d", c->a); break;
  case K_WSUM: snprintf(shape, sizeof shape, "m%d H%d", c->a, c->b); break;
  case K_OUTPUT_LOSS: case K_OUTPUT_GEMMS: case K_OUTPUT_GEMMS_CHUNKED:
    snprintf(shape, sizeof shape, "rows%d Vt%d D%d", c->a, c->b, c->c); break;
  default: snprintf(shape, sizeof shape, "n%d", c->a);
  }
  snprintf(jbuf, sizeof jbuf, "{\"kernel\":\"%s\",\"shape\":\"%s\",\"unit\":\"%s\"}",
           kname[c->kernel], shape, c->kernel == K_TANH || c->kernel == K_SIGMOID ? "Gelem/s" : "GFLOP/s");
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

static void free_case(void) {
  for (int k = 0; k < 7; k++) { free(buf[k]); buf[k] = NULL; }
  s2s_workspace_free(&out_ws);
  s2s_destroy(out_model);
  out_model = NULL;
  free(out_tgt);
  out_tgt = NULL;
  cur = -1;
}

/* Sets the case (kernel number, shape) and its inputs; 0, or < 0 when the case is not known or
 * memory runs out. */
int kb_set_case(int kernel, int a, int b, int c) {
  free_case();
  if (kernel < 0 || kernel >= NKERNELS || a < 1 || b < 1 || c < 1) return -1;
  kcase k = {kernel, a, b, c};
  the_case = k;
  size_t n0, n1, n2, n3 = 1, n4 = 1, n5 = 1, n6 = 1;
  switch (kernel) {
  case K_GEMM_NT: n0 = (size_t)a * b; n1 = (size_t)a * c; n2 = (size_t)b * c; break;
  case K_GEMM_NT_BLK: n0 = (size_t)a * b; n1 = (size_t)a * c; n2 = (size_t)b * c; n3 = (size_t)a * 32; break;
  case K_GEMM_NN: n0 = (size_t)a * c; n1 = (size_t)a * b; n2 = (size_t)b * c; break;
  case K_GEMM_TN: n0 = (size_t)b * c; n1 = (size_t)a * b; n2 = (size_t)a * c; break;
  case K_GEMM_TN_T: /* C[N,K], A[P,N], X[P,K], A^T[N,P], X^T[K,P] */
    n0 = (size_t)b * c; n1 = (size_t)a * b; n2 = (size_t)a * c;
    n3 = (size_t)a * b; n4 = (size_t)a * c; break;
  case K_SCORES_ADD: case K_SCORES_DOT: /* s, keys, q, v, and the kept tanh (additive) */
    n0 = a; n1 = (size_t)a * b; n2 = b; n3 = b; n4 = (size_t)a * b; break;
  case K_SCORES_ADD_BWD:
    /* dKh, dq, dv, kept tanh t (m,A), v, ds */
    n0 = (size_t)a * b; n1 = b; n2 = b; n3 = (size_t)a * b; n4 = b; n5 = a; n6 = b; break;
  case K_SOFTMAX: n0 = a; n1 = a; n2 = 1; break;
  case K_WSUM: n0 = b; n1 = a; n2 = (size_t)a * b; break;
  case K_OUTPUT_LOSS: case K_OUTPUT_GEMMS: case K_OUTPUT_GEMMS_CHUNKED:
    /* x (rows,D), dx (rows,D), logits (rows,Vt), W and dW (Vt,D); the loss case uses the model's
     * own W and gradient and logits of one chunk (its workspace) */
    n0 = (size_t)a * c; n1 = (size_t)a * c;
    n2 = kernel == K_OUTPUT_LOSS ? 1 : (size_t)a * b;
    n3 = kernel == K_OUTPUT_LOSS ? 1 : (size_t)b * c;
    n4 = n3; break;
  default: n0 = a; n1 = a; n2 = 1;
  }
  if (kernel == K_OUTPUT_LOSS) {
    /* GRU with additive attention, hidden D/2 (so the output layer's input is D = [s ; ctx] wide),
     * small embeddings and attention: only the output layer runs */
    if (c % 2) return -1;
    out_model = s2s_create(S2S_CELL_GRU, S2S_ATTN_ADDITIVE, 1, 8, c / 2, 8, 8, b, 1);
    if (!out_model || s2s_workspace_ensure(out_model, &out_ws, a, 1, 1, 1)) return -2;
    if (!(out_tgt = malloc(sizeof(int32_t) * a))) return -2;
    uint32_t seed = 99;
    for (int r = 0; r < a; r++) {
      seed = seed * 1664525u + 1013904223u;
      out_tgt[r] = 4 + (int32_t)((seed >> 8) % (uint32_t)(b - 4)); /* no PAD, BOS, EOS, UNK */
    }
  }
  size_t ns[7] = {n0, n1, n2, n3, n4, n5, n6};
  /* GEMM operands small; the inputs of tanh/exp spread over [-1.5, 1.5] per operand (sums to
   * [-3, 3]) so both branches of tanh (|x| < 0.625 or not) are taken, as in training */
  int nonlinear = kernel == K_SCORES_ADD || kernel == K_SCORES_ADD_BWD || kernel == K_SOFTMAX ||
                  kernel == K_TANH || kernel == K_SIGMOID;
  for (int k = 0; k < 7; k++)
    if (!(buf[k] = alloc_fill(ns[k], 12345u + 77u * k, nonlinear ? 1.5f : 0.1f))) return -2;
  cur = 1;
  return 0;
}

/* The output layer's three products as output_chunk runs them, a chunk of rows at a time
 * (s2s_output_chunk_rows), without the softmax, the loss and the copies between them. */
static void output_gemms_chunked(real **x, int rows, int Vt, int D) {
  int chunk = s2s_output_chunk_rows(Vt, rows);
  for (int r0 = 0; r0 < rows; r0 += chunk) {
    int n = rows - r0 < chunk ? rows - r0 : chunk;
    const real *xr = x[0] + (size_t)r0 * D;
    S2S_KERNEL(gemm_nt)(x[2], xr, x[3], n, Vt, D, 1, NULL);
    S2S_KERNEL(gemm_tn)(x[4], x[2], xr, n, Vt, D, 1, NULL);
    S2S_KERNEL(gemm_nn)(x[1] + (size_t)r0 * D, x[2], x[3], n, Vt, D, 1, NULL);
  }
}

static void transpose(real *dst, const real *src, int rows, int cols) { /* dst[cols,rows] */
  for (int r0 = 0; r0 < rows; r0 += 16)
    for (int c0 = 0; c0 < cols; c0 += 16)
      for (int r = r0; r < r0 + 16 && r < rows; r++)
        for (int c = c0; c < c0 + 16 && c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}

/* Run the case set last `reps` times; variant 1 = SIMD kernels, 0 = scalar. The output-layer
 * cases run the build's own kernels (S2S_KERNEL), so only in its own variant. */
int kb_run(int variant, int reps) {
  if (cur < 0) return -1;
#if !S2S_SIMD
  if (variant) return -2;
#endif
  const kcase *c = &the_case;
  if (c->kernel >= K_OUTPUT_LOSS && variant != S2S_SIMD) return -3;
  real **x = buf;
  for (int r = 0; r < reps; r++) {
    switch (c->kernel) {
#if S2S_SIMD
#define CALL(name, ...) (variant ? name##_simd(__VA_ARGS__) : name##_scalar(__VA_ARGS__))
#else
#define CALL(name, ...) name##_scalar(__VA_ARGS__)
#endif
    case K_GEMM_NT: CALL(gemm_nt, x[0], x[1], x[2], c->a, c->b, c->c, 1, NULL); break;
    case K_GEMM_NN: CALL(gemm_nn, x[0], x[1], x[2], c->a, c->b, c->c, 1, NULL); break;
    case K_GEMM_TN: CALL(gemm_tn, x[0], x[1], x[2], c->a, c->b, c->c, 1, NULL); break;
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
        CALL(gemm_nt, x[3], x[1], x[2] + (size_t)n0 * c->c, c->a, nb, c->c, 1, NULL);
        for (int b = 0; b < c->a; b++)
          for (int n = 0; n < nb; n++) x[0][(size_t)b * c->b + n0 + n] += x[3][(size_t)b * nb + n];
      }
      break;
    case K_GEMM_TN_T:
      transpose(x[3], x[1], c->a, c->b);
      transpose(x[4], x[2], c->a, c->c);
      CALL(gemm_nt, x[0], x[3], x[4], c->b, c->c, c->a, 1, NULL);
      break;
    case K_OUTPUT_LOSS:
      sink = (real)s2s_output_loss(x[1], &out_model->g, &out_ws, x[0], out_tgt, out_model, c->a, 1, c->a);
      break;
    case K_OUTPUT_GEMMS: /* one call each over all rows */
      S2S_KERNEL(gemm_nt)(x[2], x[0], x[3], c->a, c->b, c->c, 1, NULL);
      S2S_KERNEL(gemm_tn)(x[4], x[2], x[0], c->a, c->b, c->c, 1, NULL);
      S2S_KERNEL(gemm_nn)(x[1], x[2], x[3], c->a, c->b, c->c, 1, NULL);
      break;
    case K_OUTPUT_GEMMS_CHUNKED: output_gemms_chunked(x, c->a, c->b, c->c); break;
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
/* usage: kernels-<build> <impl-name> [samples] [simd|both] < cases, one "kernel a b c" a line
 * (bench/kernels.js writes them); prints one JSON line per case and variant, with the case's
 * line number ("case") */
int main(int argc, char **argv) {
  const char *impl = argc > 1 ? argv[1] : "native";
  int samples = argc > 2 ? atoi(argv[2]) : 15;
  if (samples < 3) samples = 3;
  if (samples > 99) samples = 99;
  int only_simd = argc > 3 && !strcmp(argv[3], "simd");
  char name[64];
  int a, b, c;
  for (int i = 0; scanf("%63s %d %d %d", name, &a, &b, &c) == 4; i++) {
    if (kb_set_case(kb_kernel_index(name), a, b, c)) { fprintf(stderr, "case %d (%s) failed\n", i, name); return 1; }
    for (int v = S2S_SIMD; v >= (only_simd && S2S_SIMD ? 1 : 0); v--) {
      if (kb_run(v, 1)) continue; /* touches the buffers; not run in this variant */
      /* calibrate: one sample ~2 ms */
      int reps = 1;
      for (;;) {
        double t0 = now_s();
        kb_run(v, reps);
        double dt = now_s() - t0;
        if (dt > 2e-3 || reps > (1 << 28)) break;
        reps *= 2;
      }
      double t[100], w[100];
      for (int s = 0; s < samples; s++) {
        double t0 = now_s(), c0 = cpu_s();
        kb_run(v, reps);
        t[s] = (cpu_s() - c0) / reps;
        w[s] = (now_s() - t0) / reps;
      }
      qsort(t, samples, sizeof t[0], cmpd);
      qsort(w, samples, sizeof w[0], cmpd);
      const char *j = kb_case_json();
      printf("{\"bench\":\"kernel\",\"impl\":\"%s-%s\",\"case\":%d,%.*s,\"nsPerCall\":%.1f,\"gflops\":%.3f,\"wallGflops\":%.3f}\n",
             impl, v ? "simd" : "scalar", i, (int)strlen(j) - 2, j + 1, t[samples / 2] * 1e9,
             kb_flops() / t[samples / 2] / 1e9, kb_flops() / w[samples / 2] / 1e9);
    }
  }
  free_case();
  return 0;
}
#endif
