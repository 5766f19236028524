/* fuzz_common.h: what the libFuzzer harnesses share: a CRC-32 (to re-seal mutated model files so
 * the fuzzer gets past the checksum into the tensor checks) and a check that aborts loudly, so a
 * broken invariant is a crash libFuzzer saves, not a silent pass. */
#ifndef S2S_FUZZ_COMMON_H
#define S2S_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "invariant broken at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                          \
      fputc('\n', stderr);                                                   \
      abort();                                                               \
    }                                                                        \
  } while (0)

/* CRC-32 of the zlib kind (reflected, polynomial 0xEDB88320), bit by bit: independent of the core's. */
static inline uint32_t fuzz_crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

static inline void fuzz_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

#endif
