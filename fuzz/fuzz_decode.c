/* fuzz_decode.c: libFuzzer harness for decoding (and the teacher-forced loss) with arbitrary token
 * inputs and options on loaded models.
 *
 * At start-up it makes one small model per cell x attention (9), saves each and loads it back, so
 * every call runs on a model that came through s2s_load. An input is read as:
 *   byte 0   bits 0-3: which model (mod 9); bit 4: loss instead of decode; bit 5: trace
 *   byte 1   beam (signed: negative and past the limit happen), byte 2 nBest (signed)
 *   byte 3-4 maxLength (signed 16-bit), byte 5 length penalty (byte / 16 - 1, so some are < 0)
 *   byte 6   batch size for the loss (mod 5), byte 7 target length for the loss (mod 9)
 *   rest     token ids, one signed byte each (ids past the vocabulary and negative ones happen)
 * The oracle: the call succeeds exactly when the arguments are within the documented contract;
 * otherwise it fails with a message, never a crash. On success the results are checked: lengths,
 * tokens (never PAD or BOS, within the vocabulary), attention rows (a distribution over the
 * source), finite log-probabilities, trace probabilities summing to 1; the loss is finite.
 * After every call the model still decodes a known source to the same tokens as at start-up.
 */
#include <math.h>
#include <string.h>

#include "fuzz_common.h"
#include "s2s.h"

#define NMODELS 9
#define VS 9
#define VT 7
static s2s_model *models[NMODELS];
static int32_t reference[NMODELS][16];
static int reference_len[NMODELS];
static const int32_t known_src[4] = {4, 5, 6, 7};

static void decode_known(s2s_model *m, int32_t *out, int *len) {
  FUZZ_CHECK(s2s_decode(m, known_src, 4, 1, 1, 0, 16, 0) == S2S_OK, "%s", s2s_last_error());
  *len = s2s_result_length(m, 0);
  memcpy(out, s2s_result_tokens(m, 0), sizeof(int32_t) * *len);
}

static void setup(void) {
  for (int i = 0; i < NMODELS; i++) {
    s2s_model *fresh = s2s_create(i / 3, i % 3, 1, 4, 5, 3, VS, VT, 1000u + i);
    FUZZ_CHECK(fresh && s2s_save(fresh) == S2S_OK, "%s", s2s_last_error());
    models[i] = s2s_load(s2s_saved_bytes(fresh), s2s_saved_length(fresh));
    FUZZ_CHECK(models[i], "%s", s2s_last_error());
    s2s_destroy(fresh);
    decode_known(models[i], reference[i], &reference_len[i]);
  }
}

static int8_t sbyte(const uint8_t *d, size_t n, size_t i) { return i < n ? (int8_t)d[i] : 0; }

static void check_decode(s2s_model *m, int attn, const int32_t *src, int M, int beam, int n_best,
                         float penalty, int max_len, int trace) {
  int rc = s2s_decode(m, src, M, beam, n_best, penalty, max_len, trace);
  int eff_beam = beam < 1 ? 1 : beam;
  int valid = M >= 1 && M <= S2S_MAX_LENGTH && max_len >= 1 && max_len <= S2S_MAX_LENGTH &&
              eff_beam <= S2S_MAX_BEAM && n_best >= 1 && n_best <= eff_beam && penalty >= 0 &&
              penalty <= 10;
  for (int j = 0; valid && j < M; j++) valid = src[j] >= 0 && src[j] < VS;
  if (!valid) {
    FUZZ_CHECK(rc < 0 && rc == s2s_last_status() && s2s_last_error()[0],
               "invalid decode accepted or refused badly (rc %d): M %d beam %d nBest %d maxLen %d pen %g",
               rc, M, beam, n_best, max_len, penalty);
    return;
  }
  FUZZ_CHECK(rc == S2S_OK, "valid decode refused: %s (M %d beam %d nBest %d maxLen %d)",
             s2s_last_error(), M, beam, n_best, max_len);
  int count = s2s_result_count(m);
  FUZZ_CHECK(count >= 1 && count <= n_best, "result count %d for nBest %d", count, n_best);
  for (int r = 0; r < count; r++) {
    int n = s2s_result_length(m, r);
    FUZZ_CHECK(n >= 1 && n <= max_len, "hypothesis %d has length %d (maxLength %d)", r, n, max_len);
    const int32_t *tok = s2s_result_tokens(m, r);
    for (int i = 0; i < n; i++) {
      FUZZ_CHECK(tok[i] >= S2S_EOS && tok[i] < VT, "token %d at %d", tok[i], i);
      FUZZ_CHECK(tok[i] != S2S_EOS || i == n - 1, "EOS before the end at %d of %d", i, n);
    }
    FUZZ_CHECK(tok[n - 1] == S2S_EOS || n == max_len, "cut before maxLength without EOS");
    real lp = s2s_result_logprob(m, r);
    FUZZ_CHECK(isfinite(lp) && lp <= 1e-4, "log-probability %g", (double)lp);
    FUZZ_CHECK(isfinite(s2s_result_score(m, r)), "score not finite");
    const real *at = s2s_result_attention(m, r);
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < M; j++) {
        real a = at[(size_t)i * M + j];
        FUZZ_CHECK(a >= 0 && a <= 1 + 1e-6, "attention %g", (double)a);
        sum += a;
      }
      FUZZ_CHECK(attn ? fabs(sum - 1) < 1e-3 : sum == 0, "attention row %d sums to %g", i, sum);
    }
  }
  if (trace && eff_beam == 1) {
    const real *probs = s2s_trace_probs(m);
    FUZZ_CHECK(probs, "no trace kept");
    int n = s2s_result_length(m, 0);
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int v = 0; v < VT; v++) sum += probs[(size_t)i * VT + v];
      FUZZ_CHECK(fabs(sum - 1) < 1e-3, "trace step %d probabilities sum to %g", i, sum);
    }
  }
}

static void check_loss(s2s_model *m, const int8_t *ids, size_t nids, int B, int N) {
  /* the source gets whatever ids are left after the two target blocks, in B rows */
  size_t need_t = (size_t)B * N;
  if (nids < 2 * need_t + (size_t)B) return;
  int M = (int)((nids - 2 * need_t - B) / (size_t)B);
  if (M < 1 || M > 64) M = M < 1 ? 1 : 64;
  if (nids < 2 * need_t + (size_t)B + (size_t)B * M) return;
  int32_t src[64 * 4], len[4], tin[8 * 4], tout[8 * 4];
  const int8_t *p = ids;
  int valid = 1, count = 0;
  for (int b = 0; b < B; b++) {
    len[b] = *p++;
    valid &= len[b] >= 1 && len[b] <= M;
  }
  for (int i = 0; i < B * M; i++) src[i] = *p++, valid &= src[i] >= 0 && src[i] < VS;
  for (size_t i = 0; i < need_t; i++) tin[i] = *p++, valid &= tin[i] >= 0 && tin[i] < VT;
  for (size_t i = 0; i < need_t; i++) {
    tout[i] = *p++;
    valid &= tout[i] >= 0 && tout[i] < VT;
    count += tout[i] != 0;
  }
  valid &= count > 0;
  real loss = NAN;
  int rc = s2s_loss(m, src, len, tin, tout, B, M, N, &loss);
  if (!valid) {
    FUZZ_CHECK(rc == S2S_ERR_BAD_ARGUMENT && s2s_last_error()[0], "invalid batch: rc %d", rc);
    return;
  }
  FUZZ_CHECK(rc == S2S_OK, "valid batch refused: %s", s2s_last_error());
  FUZZ_CHECK(isfinite(loss) && loss >= 0, "loss %g", (double)loss);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!models[0]) setup();
  if (size < 8) return 0;
  int which = (data[0] & 15) % NMODELS, attn = which % 3;
  s2s_model *m = models[which];
  const int8_t *ids = (const int8_t *)data + 8;
  size_t nids = size - 8;
  if (data[0] & 16) {
    check_loss(m, ids, nids, data[6] % 4 + 1, data[7] % 8 + 1);
  } else {
    int beam = sbyte(data, size, 1), n_best = sbyte(data, size, 2);
    int max_len = (int16_t)(data[3] | data[4] << 8);
    if (max_len > 0) max_len = max_len % 48 + 1; /* keep decoding short, but past-the-limit too: */
    if (data[3] == 0xFF && data[4] == 0x7F) max_len = S2S_MAX_LENGTH + 1;
    float penalty = data[5] / 16.0f - 1;
    if (beam > 8 && beam != 64 && beam != 65 && beam != 127) beam = beam % 8 + 1; /* cheap, and the edges */
    int32_t src[1100];
    int M = (int)(nids > 1100 ? 1100 : nids);
    for (int j = 0; j < M; j++) src[j] = ids[j] >= 0 ? ids[j] % 12 : ids[j]; /* mostly in range */
    check_decode(m, attn, src, M, beam, n_best, penalty, max_len, (data[0] >> 5) & 1);
  }
  /* whatever happened, the model still decodes the known source as it did at start-up */
  int32_t again[16];
  int n;
  decode_known(m, again, &n);
  FUZZ_CHECK(n == reference_len[which] && !memcmp(again, reference[which], sizeof(int32_t) * n),
             "the model decodes differently after a fuzzed call");
  return 0;
}
