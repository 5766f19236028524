/* check.h: a minimal test harness for the native C tests. CHECK records a failure and goes on;
 * the program's exit status is the number of failures (capped), so a failed check fails the run.
 * Prints "N passed, N failed" at the end. */
#ifndef S2S_CHECK_H
#define S2S_CHECK_H

#include <stdio.h>

static int checks_passed, checks_failed;

#define CHECK(cond, ...)                                                  \
  do {                                                                    \
    if (cond) {                                                           \
      checks_passed++;                                                    \
    } else {                                                              \
      checks_failed++;                                                    \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
      fprintf(stderr, __VA_ARGS__);                                       \
      fputc('\n', stderr);                                                \
    }                                                                     \
  } while (0)

static int check_summary(const char *name) {
  printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
  return checks_failed > 100 ? 100 : checks_failed;
}

/* xorshift64*: test data only */
static unsigned long long test_rng_state = 88172645463325252ull;
static inline double test_uniform(void) {
  test_rng_state ^= test_rng_state >> 12;
  test_rng_state ^= test_rng_state << 25;
  test_rng_state ^= test_rng_state >> 27;
  return (double)((test_rng_state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static inline int test_int(int n) { return (int)(test_uniform() * n); }

#endif
