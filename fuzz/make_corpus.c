/* make_corpus.c: writes the seed corpora of the fuzz harnesses (run by `make fuzz-corpus`; the
 * output is committed in fuzz/corpus/).
 *   fuzz/corpus/load/    valid model files of every cell x attention (and unscaled dot, metadata,
 *                        the smallest sizes) and edge cases: empty, magic only, header only,
 *                        truncated, extra bytes, bad checksum, wrong version, a configuration past
 *                        the limits, a large configuration with no body, a NaN weight, a wrong
 *                        tensor name, a wrong shape, metadata past its limit.
 *   fuzz/corpus/decode/  inputs in fuzz_decode.c's layout: greedy, traced, beam, loss, bad ids.
 *   fuzz/corpus/shapes/  inputs in fuzz_shapes.c's layout: small calls and shapes past 1 GiB.
 * Usage: make_corpus <dir>   (writes <dir>/load, <dir>/decode and <dir>/shapes, which must exist)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "s2s.h"

static const char *out_dir;

static void write_file(const char *sub, const char *name, const uint8_t *p, size_t n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s/%s", out_dir, sub, name);
  FILE *f = fopen(path, "wb");
  if (!f || (n && fwrite(p, 1, n, f) != n)) {
    perror(path);
    exit(1);
  }
  fclose(f);
}

static void seal(uint8_t *p, size_t n) { fuzz_put_u32(p + n - 4, fuzz_crc32(p, n - 4)); }

static uint8_t *saved_copy(int cell, int attn, int scale, int E, int H, int A, int Vs, int Vt,
                           const char *meta, size_t *n) {
  s2s_model *m = s2s_create(cell, attn, scale, E, H, A, Vs, Vt, 7);
  if (!m) {
    fprintf(stderr, "%s\n", s2s_last_error());
    exit(1);
  }
  if (meta) s2s_set_meta(m, (const uint8_t *)meta, strlen(meta));
  if (s2s_save(m)) exit(1);
  *n = s2s_saved_length(m);
  uint8_t *copy = malloc(*n);
  memcpy(copy, s2s_saved_bytes(m), *n);
  s2s_destroy(m);
  return copy;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_corpus <dir>\n");
    return 2;
  }
  out_dir = argv[1];
  static const char *cells[] = {"rnn", "gru", "lstm"}, *attns[] = {"none", "additive", "dot"};
  char name[64];
  size_t n;
  for (int c = 0; c < 3; c++)
    for (int a = 0; a < 3; a++) {
      uint8_t *f = saved_copy(c, a, 1, 3, 4, 2, 6, 5, NULL, &n);
      snprintf(name, sizeof name, "valid-%s-%s.s2s", cells[c], attns[a]);
      write_file("load", name, f, n);
      free(f);
    }
  uint8_t *f = saved_copy(1, 2, 0, 3, 4, 2, 6, 5, NULL, &n);
  write_file("load", "valid-gru-dot-unscaled.s2s", f, n);
  free(f);
  f = saved_copy(0, 0, 1, 1, 1, 1, 5, 5, NULL, &n);
  write_file("load", "valid-smallest.s2s", f, n);
  free(f);

  const char *meta = "{\"source\":[\"a\",\"b\"],\"target\":[\"x\"],\"tokenizer\":\"char\"}";
  uint8_t *v = saved_copy(2, 1, 1, 3, 4, 2, 6, 5, meta, &n);
  write_file("load", "valid-lstm-additive-metadata.s2s", v, n);
  size_t meta_len = strlen(meta), body = 48 + meta_len; /* offset of the tensor count */

  write_file("load", "edge-empty.s2s", v, 0);
  write_file("load", "edge-magic-only.s2s", v, 8);
  write_file("load", "edge-header-only.s2s", v, 48);
  write_file("load", "edge-truncated.s2s", v, n / 2);
  uint8_t *e = malloc(n + 1);
  memcpy(e, v, n);
  e[n] = 0;
  write_file("load", "edge-extra-byte.s2s", e, n + 1);
  memcpy(e, v, n);
  e[n / 2] ^= 0x40;
  write_file("load", "edge-bad-checksum.s2s", e, n);
  memcpy(e, v, n);
  fuzz_put_u32(e + 8, 2);
  seal(e, n);
  write_file("load", "edge-version-2.s2s", e, n);
  memcpy(e, v, n);
  fuzz_put_u32(e + 28, 1025); /* hidden past the limit */
  seal(e, n);
  write_file("load", "edge-hidden-too-large.s2s", e, n);
  memcpy(e, v, n);
  fuzz_put_u32(e + 44, (16u << 20) + 1); /* metadata past its limit */
  seal(e, n);
  write_file("load", "edge-metadata-too-large.s2s", e, n);
  memcpy(e, v, n);
  e[body + 4 + 4] = 'X'; /* first tensor's name: "enc.embed" -> "Xnc.embed" */
  seal(e, n);
  write_file("load", "edge-wrong-tensor-name.s2s", e, n);
  memcpy(e, v, n);
  fuzz_put_u32(e + body + 4 + 4 + 9, 7); /* enc.embed rows 6 -> 7 */
  seal(e, n);
  write_file("load", "edge-wrong-shape.s2s", e, n);
  memcpy(e, v, n);
  fuzz_put_u32(e + body + 4 + 4 + 9 + 8, 0x7FC00000u); /* the first weight: NaN */
  seal(e, n);
  write_file("load", "edge-nan-weight.s2s", e, n);
  /* a header that asks for a large (allowed) model, with no body: must be refused as truncated
   * without allocating the model first */
  uint8_t big[52];
  memcpy(big, v, 48);
  uint32_t cfg[8] = {2, 1, 1, 1024, 1024, 1024, 8192, 8192};
  for (int i = 0; i < 8; i++) fuzz_put_u32(big + 12 + 4 * i, cfg[i]);
  fuzz_put_u32(big + 44, 0);
  seal(big, sizeof big);
  write_file("load", "edge-large-config-no-body.s2s", big, sizeof big);
  free(e);
  free(v);

  /* decode corpus: byte 0 model/mode, 1 beam, 2 nBest, 3-4 maxLength, 5 penalty, 6 B, 7 N, ids */
  struct { const char *name; uint8_t head[8]; int8_t ids[24]; int nids; } seeds[] = {
      {"greedy-gru-additive", {4, 1, 1, 20, 0, 16, 0, 0}, {4, 5, 6, 7, 8}, 5},
      {"greedy-traced-lstm-dot", {32 | 8, 1, 1, 20, 0, 16, 0, 0}, {8, 7, 6}, 3},
      {"beam4-rnn-none", {0, 4, 2, 30, 0, 32, 0, 0}, {4, 4, 5, 5, 6, 6}, 6},
      {"beam-penalty-gru-dot", {5, 3, 3, 10, 0, 40, 0, 0}, {5, 6, 7, 8}, 4},
      {"bad-token", {1, 1, 1, 10, 0, 16, 0, 0}, {4, 99, 5}, 3},
      {"negative-token", {2, 2, 1, 10, 0, 16, 0, 0}, {4, -3, 5}, 3},
      {"beam-too-large", {3, 65, 1, 10, 0, 16, 0, 0}, {4, 5}, 2},
      {"nbest-over-beam", {6, 2, 3, 10, 0, 16, 0, 0}, {4, 5}, 2},
      {"maxlength-too-large", {7, 1, 1, 0xFF, 0x7F, 16, 0, 0}, {4, 5}, 2},
      {"empty-source", {4, 1, 1, 10, 0, 16, 0, 0}, {0}, 0},
      {"loss-batch2", {16 | 4, 0, 0, 0, 0, 0, 1, 2}, {3, 2, 4, 5, 6, 7, 8, 0, 1, 5, 1, 6, 5, 2, 6, 2}, 16},
      {"loss-all-pad", {16 | 1, 0, 0, 0, 0, 0, 0, 1}, {1, 4, 1, 0}, 4},
  };
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
    uint8_t buf[32];
    memcpy(buf, seeds[i].head, 8);
    memcpy(buf + 8, seeds[i].ids, (size_t)seeds[i].nids);
    write_file("decode", seeds[i].name, buf, 8 + (size_t)seeds[i].nids);
  }

  /* shapes corpus: byte 0 model, 1-2 B-1 (or source length), 3-4 M-1 (or maxLength), 5-6 N-1 (or
   * beam, nBest), 7 call (0 loss, 1 loss and gradients, 2 train step, 3 decode) */
  struct { const char *name; uint8_t b[8]; } shapes[] = {
      {"small-loss", {0, 3, 0, 4, 0, 5, 0, 0}},
      {"small-grad-attention", {2, 1, 0, 6, 0, 3, 0, 1}},
      {"small-train-hidden", {3, 1, 0, 2, 0, 2, 0, 2}},
      {"decode-beam", {1, 5, 0, 9, 0, 3, 1, 3}},
      {"logits-past-1gib", {0, 0xFF, 0x0F, 0, 0, 0xFF, 0x03, 0}},
      {"embeddings-past-1gib", {1, 0xFF, 0x0F, 0xFF, 0x03, 0, 0, 1}},
      {"batch-4097", {3, 0x00, 0x10, 0, 0, 0, 0, 2}},
      {"decode-past-1gib", {0, 0xFF, 0x03, 0xFF, 0x03, 64, 0, 3}},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) write_file("shapes", shapes[i].name, shapes[i].b, 8);
  return 0;
}
