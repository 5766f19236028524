/* s2s_tool.c: a native command-line door into the core, for tests that compare the native build
 * with the wasm builds on the same model file.
 *   s2s-tool loss MODEL BATCH      BATCH: int32 B, M, N, then src[B*M], srcLengths[B], tgtIn[B*N], tgtOut[B*N]
 *   s2s-tool greedy MODEL ID...    greedy decoding of one source sequence
 *   s2s-tool create OUT CELL ATTN SCALE E H A VS VT SEED   writes a freshly initialised model
 * Prints one JSON object; exit status 1 with the core's message on any error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s2s.h"

static void *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *buf = malloc(n > 0 ? (size_t)n : 1);
  *len = fread(buf, 1, (size_t)n, f);
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: s2s-tool loss MODEL BATCH | s2s-tool greedy MODEL ID...\n");
    return 2;
  }
  if (!strcmp(argv[1], "create") && argc == 12) {
    int a[8];
    for (int i = 0; i < 8; i++) a[i] = atoi(argv[3 + i]);
    s2s_model *m = s2s_create(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], (uint32_t)strtoul(argv[11], NULL, 10));
    if (!m || s2s_save(m)) {
      fprintf(stderr, "%s\n", s2s_last_error());
      return 1;
    }
    FILE *f = fopen(argv[2], "wb");
    int ok = f && fwrite(s2s_saved_bytes(m), 1, s2s_saved_length(m), f) == s2s_saved_length(m);
    if (f) fclose(f);
    s2s_destroy(m);
    return ok ? 0 : 1;
  }
  size_t len;
  uint8_t *file = read_file(argv[2], &len);
  if (!file) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  s2s_model *m = s2s_load(file, len);
  free(file);
  if (!m) {
    fprintf(stderr, "%s\n", s2s_last_error());
    return 1;
  }
  int rc = 0;
  if (!strcmp(argv[1], "loss") && argc == 4) {
    size_t blen;
    int32_t *b = read_file(argv[3], &blen);
    if (!b || blen < 12) {
      fprintf(stderr, "cannot read batch %s\n", argv[3]);
      return 1;
    }
    int B = b[0], M = b[1], N = b[2];
    if (blen != 4 * (3 + (size_t)B * M + B + 2 * (size_t)B * N)) {
      fprintf(stderr, "batch file has the wrong size\n");
      return 1;
    }
    int32_t *src = b + 3, *sl = src + B * M, *tin = sl + B, *tout = tin + B * N;
    real loss;
    rc = s2s_loss(m, src, sl, tin, tout, B, M, N, &loss);
    if (!rc) printf("{\"loss\": %.9g}\n", (double)loss);
    free(b);
  } else if (!strcmp(argv[1], "greedy") && argc > 3) {
    int n = argc - 3;
    int32_t *src = malloc(sizeof(int32_t) * n);
    for (int i = 0; i < n; i++) src[i] = atoi(argv[3 + i]);
    rc = s2s_decode(m, src, n, 1, 1, 0, 50, 0);
    if (!rc) {
      printf("{\"tokens\": [");
      for (int i = 0; i < s2s_result_length(m, 0); i++) printf("%s%d", i ? ", " : "", s2s_result_tokens(m, 0)[i]);
      printf("], \"logProb\": %.9g}\n", (double)s2s_result_logprob(m, 0));
    }
    free(src);
  } else {
    fprintf(stderr, "unknown command %s\n", argv[1]);
    rc = 1;
  }
  if (rc) fprintf(stderr, "%s\n", s2s_last_error());
  s2s_destroy(m);
  return rc ? 1 : 0;
}
