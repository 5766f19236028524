/* fuzz_shapes.c: libFuzzer harness for the size arithmetic, built 32-bit (-m32) so that size_t is
 * 32 bits as in wasm32: a product of batch, lengths and model sizes that wraps there passes for
 * small natively, and 64-bit fuzzing never sees it (a real bug found this way by hand: the
 * workspace of 4096 x 1024 targets x 65536 symbols wrapped to ~0 bytes in wasm).
 *
 * Four models with one extreme size each (65536 target symbols; embed 1024; attention 1024;
 * hidden 256), the rest tiny. An input picks a model, a call (loss, loss and gradients, a training
 * step, or decoding) and its shape: batch 1..4097, source and target 1..1025, beam 1..65. Before
 * calling, the harness bounds the activations in double precision:
 *   - a lower bound (the largest single buffer a batch of that shape must hold) over 1 GiB, or a
 *     size past its documented bound: the call must fail with LIMIT and allocate nothing;
 *   - an upper bound under 24 MiB: the call must succeed, with a finite loss;
 *   - anything in between is too slow to run here and is skipped.
 * After every call the model must still decode a known source as it did at start-up.
 */
#include <math.h>
#include <string.h>

#include "fuzz_common.h"
#include "s2s.h"
#include "layers.h" /* S2S_OUT_CHUNK_BYTES */

#define MAXB 4097
#define MAXL 1025
static int32_t src[MAXB * MAXL], lens[MAXB], tin[MAXB * MAXL], tout[MAXB * MAXL];

typedef struct { int cell, attn, E, H, A, Vs, Vt; } config;
static const config configs[] = {
    {1, 1, 1, 1, 1, 5, 65536},  /* logits: a chunk of rows x 65536 (N x B x 65536 before chunking) */
    {0, 2, 1024, 1, 1, 5, 5},   /* embeddings: M x B x 1024 */
    {2, 1, 1, 1, 1024, 5, 5},   /* additive attention: N x B x M x 1024 kept tanh values */
    {1, 0, 1, 256, 1, 5, 5},    /* hidden states: (M + 1) x B x 256 and gates */
};
#define NMODELS (int)(sizeof configs / sizeof configs[0])
static s2s_model *models[NMODELS];
static int32_t reference[NMODELS][8];
static const int32_t known[3] = {4, 4, 4};

static void decode_known(s2s_model *m, int32_t *out) {
  FUZZ_CHECK(s2s_decode(m, known, 3, 1, 1, 0, 8, 0) == S2S_OK, "%s", s2s_last_error());
  int n = s2s_result_length(m, 0);
  memset(out, 0, sizeof(int32_t) * 8);
  memcpy(out, s2s_result_tokens(m, 0), sizeof(int32_t) * n);
}

static void setup(void) {
  for (int i = 0; i < MAXB * MAXL; i++) src[i] = 4, tin[i] = 1, tout[i] = 2;
  for (int i = 0; i < NMODELS; i++) {
    const config *c = &configs[i];
    models[i] = s2s_create(c->cell, c->attn, 1, c->E, c->H, c->A, c->Vs, c->Vt, 77u + i);
    FUZZ_CHECK(models[i], "%s", s2s_last_error());
    decode_known(models[i], reference[i]);
  }
}

static unsigned u16(const uint8_t *d, size_t n, size_t i) { return i + 1 < n ? d[i] | d[i + 1] << 8 : 1; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!models[0]) setup();
  if (size < 8) return 0;
  int which = data[0] % NMODELS, call = data[7] % 4;
  const config *c = &configs[which];
  s2s_model *m = models[which];
  double G = c->cell == 0 ? 1 : c->cell == 1 ? 3 : 4, E = c->E, H = c->H, A = c->attn ? c->A : 0;
  double GH = G * H, Vt = c->Vt, Din = E + (c->attn ? H : 0), Dout = c->attn ? 2 * H : H;
  const double GiB = 1073741824.0;
  if (call < 3) { /* a batch */
    int B = (int)(u16(data, size, 1) % MAXB) + 1, M = (int)(u16(data, size, 3) % MAXL) + 1,
        N = (int)(u16(data, size, 5) % MAXL) + 1;
    double b = B, mm = M, n = N, at = c->attn ? 1 : 0;
    /* the output layer holds its logits a chunk of rows at a time (layers.h), not n x b x Vt */
    double chunk = fmin(n * b, fmax(8, floor((double)S2S_OUT_CHUNK_BYTES / (Vt * 4))));
    double biggest = fmax(fmax(mm * b * E, chunk * Vt), fmax((mm + 1) * b * H, fmax(mm * b * GH, n * b * GH)));
    biggest = fmax(biggest, at * n * b * mm) * 4;
    double all = 4 * 3 * (mm * b * (2 * E + 6 * GH + 2 * A + 4 * H) + (n + 1) * b * 4 * H +
                          n * b * (2 * A + 3 * mm + (c->attn == 1) * mm * A + H + Din + 6 * GH + 2 * Dout) + chunk * Vt +
                          b * (2 * Din + 8 * H) + mm);
    int past = B > 4096 || M > 1024 || N > 1024;
    /* too slow to run here: much memory, or many logits (they no longer cost memory, only time) */
    if (!past && biggest <= GiB && (all > 24.0 * (1 << 20) || n * b * Vt > 4e6)) return 0;
    for (int i = 0; i < B; i++) lens[i] = M;
    real loss = NAN;
    int rc = call == 0   ? s2s_loss(m, src, lens, tin, tout, B, M, N, &loss)
             : call == 1 ? s2s_loss_and_grad(m, src, lens, tin, tout, B, M, N, &loss)
                         : s2s_train_step(m, src, lens, tin, tout, B, M, N, (real)1e-9, 5, &loss);
    if (past || biggest > GiB)
      FUZZ_CHECK(rc == S2S_ERR_LIMIT, "B %d M %d N %d on model %d (at least %.0f MiB): status %d, not LIMIT: %s",
                 B, M, N, which, biggest / (1 << 20), rc, s2s_last_error());
    else
      FUZZ_CHECK(rc == S2S_OK && isfinite(loss), "B %d M %d N %d on model %d: status %d (%s), loss %g", B, M, N,
                 which, rc, s2s_last_error(), (double)loss);
  } else { /* decoding */
    int M = (int)(u16(data, size, 1) % MAXL) + 1, max_len = (int)(u16(data, size, 3) % MAXL) + 1;
    int beam = data[5] % 66, n_best = beam < 1 ? 1 : 1 + data[6] % beam;
    double k = beam < 1 ? 1 : beam;
    int past = M > 1024 || max_len > 1024 || beam > 64;
    int limit = !past && (double)max_len * k * M * 4 > GiB;
    double work = max_len * k * (Vt + GH * (H + Din) + M * (A + H)) + M * (GH * (E + H) + A * H);
    if (!past && !limit && work > 4e6) return 0; /* too slow to run here */
    int rc = s2s_decode(m, src, M, beam, n_best, 0, max_len, data[6] & 1);
    if (past || limit)
      FUZZ_CHECK(rc == S2S_ERR_LIMIT, "decode M %d maxLength %d beam %d: status %d, not LIMIT", M, max_len, beam, rc);
    else
      FUZZ_CHECK(rc == S2S_OK, "decode M %d maxLength %d beam %d: %s", M, max_len, beam, s2s_last_error());
  }
  int32_t again[8];
  decode_known(m, again);
  FUZZ_CHECK(!memcmp(again, reference[which], sizeof again), "model %d decodes differently after a call", which);
  return 0;
}
