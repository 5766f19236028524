/* native.c: whole training steps and decoding of the C core built natively, to hold the wasm
 * builds against (issue 5: "SIMD wasm training within 1.5x of the native 128-bit build").
 * The models come on the command line from bench/common.js (MODELS, nativeModelArg), the one
 * place they are defined; times s2s_train_step and s2s_decode through the public C API
 * (c_src/s2s.h) on synthetic batches and prints JSON lines.
 * usage: train-<build> IMPL quick|full decode|nodecode MODEL...
 *   MODEL: name:cell:attention:scale:E:H:A:Vs:Vt:m:n:B, e.g. A:lstm:dot:0:64:64:64:53:13:18:10:128
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "s2s.h"

typedef struct {
  char name[16];
  int cell, attn, scale, E, H, A, Vs, Vt, M, N, B;
} mcfg;

static int index_of(const char *s, const char *const *names, int n) {
  for (int i = 0; i < n; i++)
    if (!strcmp(s, names[i])) return i;
  return -1;
}

/* name:cell:attention:scale:E:H:A:Vs:Vt:m:n:B; 0 when it is not one */
static int parse_model(const char *arg, mcfg *c) {
  static const char *const cells[] = {"rnn", "gru", "lstm"}, *const attns[] = {"none", "additive", "dot"};
  char cell[16], attn[16];
  if (sscanf(arg, "%15[^:]:%15[^:]:%15[^:]:%d:%d:%d:%d:%d:%d:%d:%d:%d", c->name, cell, attn, &c->scale,
             &c->E, &c->H, &c->A, &c->Vs, &c->Vt, &c->M, &c->N, &c->B) != 12)
    return 0;
  c->cell = index_of(cell, cells, 3);
  c->attn = index_of(attn, attns, 3);
  return c->cell >= 0 && c->attn >= 0 && c->M > 0 && c->N > 0 && c->B > 0 && c->B * c->N <= 1 << 20;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}
static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}
static int cmpd(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}
static double median(double *t, int n) {
  qsort(t, n, sizeof t[0], cmpd);
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

static uint32_t rs = 7;
static int rnd(int lo, int hi) { /* [lo, hi) */
  rs = rs * 1664525u + 1013904223u;
  return lo + (int)((rs >> 8) % (uint32_t)(hi - lo));
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s IMPL quick|full decode|nodecode MODEL...\n", argv[0]);
    return 2;
  }
  const char *impl = argv[1];
  int quick = !strcmp(argv[2], "quick"), no_decode = !strcmp(argv[3], "nodecode");
  for (int mi = 4; mi < argc; mi++) {
    mcfg model, *c = &model;
    if (!parse_model(argv[mi], c)) {
      fprintf(stderr, "not a model: %s (name:cell:attention:scale:E:H:A:Vs:Vt:m:n:B)\n", argv[mi]);
      return 2;
    }
    s2s_model *m = s2s_create(c->cell, c->attn, c->scale, c->E, c->H, c->A, c->Vs, c->Vt, 1);
    if (!m) {
      printf("{\"bench\":\"train\",\"impl\":\"%s\",\"model\":\"%s\",\"error\":\"%s\"}\n", impl, c->name, s2s_last_error());
      continue;
    }
    int B = c->B, M = c->M, N = c->N;
    int32_t *src = malloc(sizeof(int32_t) * B * M), *len = malloc(sizeof(int32_t) * B);
    int32_t *ti = malloc(sizeof(int32_t) * B * N), *to = malloc(sizeof(int32_t) * B * N);
    for (int i = 0; i < B * M; i++) src[i] = rnd(4, c->Vs);
    for (int b = 0; b < B; b++) {
      len[b] = M;
      for (int t = 0; t < N; t++) {
        to[b * N + t] = t == N - 1 ? S2S_EOS : rnd(4, c->Vt);
        ti[b * N + t] = t == 0 ? S2S_BOS : to[b * N + t - 1];
      }
    }
    int warm = quick ? 2 : 3, reps = quick ? 5 : 11;
    if (c->H >= 256) { warm = quick ? 1 : 2; reps = quick ? 3 : 7; }
    double t[64], ct[64];
    real loss = 0, first = 0;
    int rc = 0;
    for (int i = 0; i < warm + reps && rc == 0; i++) {
      double t0 = now_ms(), c0 = cpu_ms();
      rc = s2s_train_step(m, src, len, ti, to, B, M, N, 1e-3f, 5.0f, &loss);
      if (i == 0) first = loss;
      if (i >= warm) t[i - warm] = now_ms() - t0, ct[i - warm] = cpu_ms() - c0;
    }
    if (rc) {
      printf("{\"bench\":\"train\",\"impl\":\"%s\",\"model\":\"%s\",\"error\":\"%s\"}\n", impl, c->name, s2s_last_error());
    } else {
      double ms = median(t, reps), cms = median(ct, reps);
      printf("{\"bench\":\"train\",\"impl\":\"%s\",\"model\":\"%s\",\"batch\":%d,\"srcLength\":%d,\"tgtLength\":%d,"
             "\"msPerStep\":%.3f,\"cpuMsPerStep\":%.3f,\"reps\":%d,\"examplesPerSec\":%.1f,\"tgtTokensPerSec\":%.1f,\"lossFirst\":%.4f,\"lossLast\":%.4f}\n",
             impl, c->name, B, M, N, ms, cms, reps, B / ms * 1e3, (double)B * N / ms * 1e3, (double)first, (double)loss);
    }
    /* decoding one input: greedy and beam 5, maxLength N (EOS suppressed through out.bias so
     * every call decodes exactly N steps, like a trained model on an input of that length) */
    int bi = no_decode ? -1 : s2s_param_index(m, "out.bias");
    if (bi >= 0) s2s_param_data(m, bi)[S2S_EOS] = -30;
    for (int beam = 1; beam <= 5 && !no_decode; beam += 4) {
      int calls = quick ? 50 : 200;
      double *dt = malloc(sizeof(double) * calls);
      for (int i = 0; i < 20; i++) s2s_decode(m, src, M, beam, 1, 0, N, 0);
      double w0 = now_ms(), c0 = cpu_ms();
      for (int i = 0; i < calls; i++) {
        double t0 = now_ms();
        rc = s2s_decode(m, src, M, beam, 1, 0, N, 0);
        dt[i] = now_ms() - t0;
      }
      double cpu = cpu_ms() - c0, wall = now_ms() - w0;
      if (rc) printf("{\"bench\":\"decode\",\"impl\":\"%s\",\"model\":\"%s\",\"beam\":%d,\"error\":\"%s\"}\n", impl, c->name, beam, s2s_last_error());
      else printf("{\"bench\":\"decode\",\"impl\":\"%s\",\"model\":\"%s\",\"beam\":%d,\"srcLength\":%d,\"steps\":%d,\"msPerCall\":%.4f,\"cpuMsPerCall\":%.4f,\"busyFraction\":%.3f,\"calls\":%d}\n",
                  impl, c->name, beam, M, s2s_result_length(m, 0), median(dt, calls), cpu / calls, cpu / wall, calls);
      free(dt);
    }
    free(src); free(len); free(ti); free(to);
    s2s_destroy(m);
  }
  return 0;
}
