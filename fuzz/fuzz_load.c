/* fuzz_load.c: libFuzzer harness for the model-file loader (s2s_load).
 *
 * Each input is tried twice: as it is, and re-sealed (its last four bytes replaced by the right
 * CRC-32), so mutations reach the checks behind the checksum (tensor names, shapes, finiteness).
 * Invariants, any break of which aborts:
 *   - a refused file leaves a non-empty message and the status BAD_FILE, LIMIT or NO_MEMORY;
 *   - a file that loads saves back to exactly the same bytes;
 *   - a loaded model decodes a short source (greedy, traced) without error, and every output
 *     token is a target id that is neither PAD nor BOS.
 */
#include <string.h>

#include "fuzz_common.h"
#include "s2s.h"

static void try_file(const uint8_t *data, size_t size) {
  s2s_model *m = s2s_load(data, size);
  if (!m) {
    int st = s2s_last_status();
    FUZZ_CHECK(s2s_last_error()[0] != 0, "refused without a message (status %d)", st);
    FUZZ_CHECK(st == S2S_ERR_BAD_FILE || st == S2S_ERR_LIMIT || st == S2S_ERR_NO_MEMORY,
               "refused with status %d: %s", st, s2s_last_error());
    return;
  }
  FUZZ_CHECK(s2s_save(m) == S2S_OK, "a loaded model does not save: %s", s2s_last_error());
  FUZZ_CHECK(s2s_saved_length(m) == size && !memcmp(s2s_saved_bytes(m), data, size),
             "save after load is not byte-identical (%zu vs %zu bytes)", s2s_saved_length(m), size);
  int Vs = s2s_config(m, 6), Vt = s2s_config(m, 7);
  int32_t src[5];
  for (int i = 0; i < 5; i++) src[i] = (int32_t)(data[(size_t)i * 7 % size] % Vs);
  int rc = s2s_decode(m, src, 5, 1, 1, 0, 12, 1);
  FUZZ_CHECK(rc == S2S_OK, "decoding on a loaded model failed: %s", s2s_last_error());
  int n = s2s_result_length(m, 0);
  FUZZ_CHECK(n >= 1 && n <= 12, "result length %d", n);
  const int32_t *tok = s2s_result_tokens(m, 0);
  for (int i = 0; i < n; i++)
    FUZZ_CHECK(tok[i] >= S2S_EOS && tok[i] < Vt, "output token %d at %d (Vt %d)", tok[i], i, Vt);
  s2s_destroy(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try_file(data, size);
  if (size >= 12 && size <= (1u << 20)) {
    uint8_t *sealed = malloc(size);
    memcpy(sealed, data, size);
    fuzz_put_u32(sealed + size - 4, fuzz_crc32(sealed, size - 4));
    try_file(sealed, size);
    free(sealed);
  }
  return 0;
}
