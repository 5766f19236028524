/* peak.c: the arithmetic ceiling one core reaches on f32 mul+add with 12 independent chains.
 *
 * Each chain does v = v * a + b (2 flops per lane per iteration). The same source builds:
 *   - wasm SIMD    (emcc -O3 -msimd128): 12 chains of f32x4;
 *   - wasm scalar  (emcc -O3):           12 chains of f32;
 *   - native SSE   (gcc -O3, x86-64 baseline = 128-bit SSE2): 12 chains of 4 floats;
 *   - native -march=native: 12 chains of 8 floats when AVX is there (FMA contracts mul+add);
 *   - native -march=native -DPEAK_512: 12 chains of 16 floats where AVX-512 is there (what a BLAS
 *     with AVX-512 kernels, such as OpenBLAS's SkylakeX, can reach; issue 14's PyTorch target).
 * Built as a wasm module, peak_run(iters) is exported and JS calls it many times so V8 moves it
 * to its optimizing tier before the timed calls (TOOLCHAIN.md). Built natively with
 * -DPEAK_MAIN, main() times it itself and prints one JSON line.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>

#if defined(__wasm_simd128__) || (defined(__SSE__) && !defined(__AVX__) && !defined(__wasm__))
#define PEAK_LANES 4
#elif defined(PEAK_512) && defined(__AVX512F__) && !defined(__wasm__)
#define PEAK_LANES 16
#elif defined(__AVX__) && !defined(__wasm__)
#define PEAK_LANES 8
#else
#define PEAK_LANES 1
#endif

#if PEAK_LANES > 1
typedef float vf __attribute__((vector_size(PEAK_LANES * 4)));
#else
typedef float vf;
#endif

static volatile float g_a = 0.99999f, g_b = 1e-5f;

/* (vf){0} + x broadcasts x in a register; a loop over the lanes made gcc keep the 16-lane a and b
 * on the stack and feed each FMA from memory, which halved the AVX-512 peak */
static inline vf splat(float x) {
#if PEAK_LANES > 1
  return (vf){0} + x;
#else
  return x;
#endif
}

static inline float hsum(vf v) {
#if PEAK_LANES > 1
  float s = 0;
  for (int i = 0; i < PEAK_LANES; i++) s += v[i];
  return s;
#else
  return v;
#endif
}

/* flops done by one call: iters * 12 chains * PEAK_LANES lanes * 2 */
int peak_lanes(void) { return PEAK_LANES; }

float peak_run(int iters) {
  const vf a = splat(g_a), b = splat(g_b);
  vf v0 = splat(0.1f), v1 = splat(0.2f), v2 = splat(0.3f), v3 = splat(0.4f);
  vf v4 = splat(0.5f), v5 = splat(0.6f), v6 = splat(0.7f), v7 = splat(0.8f);
  vf v8 = splat(0.9f), v9 = splat(1.0f), v10 = splat(1.1f), v11 = splat(1.2f);
  for (int i = 0; i < iters; i++) {
    v0 = v0 * a + b; v1 = v1 * a + b; v2 = v2 * a + b; v3 = v3 * a + b;
    v4 = v4 * a + b; v5 = v5 * a + b; v6 = v6 * a + b; v7 = v7 * a + b;
    v8 = v8 * a + b; v9 = v9 * a + b; v10 = v10 * a + b; v11 = v11 * a + b;
  }
  return hsum(v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11);
}

/* The ceiling for the core's own instruction mix: a register-blocked GEMM on data that stays in
 * L1 (a 4 x 64 panel of A times a 64 x 8 panel of W into a 4 x 8 tile of C, as the core's
 * gemm_rows inner loop issues it: two vector loads of W and four broadcasts of A per step, eight
 * independent multiplies and eight adds into eight accumulators). Unlike peak_run, no multiply
 * waits for the add before it. In a build with relaxed SIMD (clang-19 -mrelaxed-simd, the FMA
 * build) each multiply-add is one f32x4.relaxed_madd. flops per call: iters * MIX_P * 64. */
#define MIX_P 64
static float mix_a[4 * MIX_P] __attribute__((aligned(16)));
static float mix_w[8 * MIX_P] __attribute__((aligned(16)));
#if defined(__wasm_relaxed_simd__)
#include <wasm_simd128.h>
#define MADD(acc, a, b) (vf) wasm_f32x4_relaxed_madd((v128_t)(a), (v128_t)(b), (v128_t)(acc))
#else
#define MADD(acc, a, b) ((acc) + (a) * (b))
#endif
int peak_mix_flops_per_iter(void) { return MIX_P * 64; }
float peak_mix(int iters) {
#if PEAK_LANES == 4
  for (int i = 0; i < 4 * MIX_P; i++) mix_a[i] = g_b * (float)(i % 7);
  for (int i = 0; i < 8 * MIX_P; i++) mix_w[i] = g_b * (float)(i % 5);
  vf c00 = splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int it = 0; it < iters; it++) {
    const float *a = mix_a, *w = mix_w;
    for (int p = 0; p < MIX_P; p++, a += 4, w += 8) {
      vf w0 = *(const vf *)w, w1 = *(const vf *)(w + 4), x;
      x = (vf){a[0], a[0], a[0], a[0]}; c00 = MADD(c00, x, w0); c01 = MADD(c01, x, w1);
      x = (vf){a[1], a[1], a[1], a[1]}; c10 = MADD(c10, x, w0); c11 = MADD(c11, x, w1);
      x = (vf){a[2], a[2], a[2], a[2]}; c20 = MADD(c20, x, w0); c21 = MADD(c21, x, w1);
      x = (vf){a[3], a[3], a[3], a[3]}; c30 = MADD(c30, x, w0); c31 = MADD(c31, x, w1);
    }
  }
  return hsum(c00 + c01 + c10 + c11 + c20 + c21 + c30 + c31);
#else
  return (float)iters; /* only the 4-lane builds have it */
#endif
}

/* Issue 14's port question: which f32x4 operations issue how fast on this core, alone and with
 * the 4 x 8 tile's loads. Each port_* function runs `iters` loop iterations and returns a value
 * so nothing is dead; port_ops(kind) says how many vector operations of each sort one iteration
 * issues (bench/peak.js turns them into GFLOP/s and, with port_clock, into operations per cycle).
 * Kinds, without loads (constants in registers; every chain long enough for the op's latency):
 *   0 mul      12 independent chains c *= a                      (a = 1 exactly: no denormals)
 *   1 add      12 independent chains c += b
 *   2 mul+add  7 pairs m *= a; s += m: a multiply and an add into an accumulator, as a GEMM
 *              issues them, but neither waiting on the other within an iteration
 *   3 madd     12 chains c = relaxed_madd(c, a, b) = c * a + b    (relaxed-SIMD build only)
 * and with the 4 x 8 tile's loads (two v128.load of W and four load32_splat of A per step, as
 * gemm_rows_4x8_simd in c_src/kernels.c, over a 4 x 64 and a 64 x 8 panel that stay in L1):
 *   4 tile-mul      8 chains, each multiplied by a loaded vector (4 by a broadcast, 4 by a W load)
 *   5 tile-add      the same with adds
 *   6 tile-mul+add  acc += a_r * w_c as separate f32x4.mul and f32x4.add (the SIMD build's GEMM)
 *   7 tile-madd     acc = relaxed_madd(a_r, w_c, acc) (the FMA build's GEMM; relaxed build only)
 * and one dependent chain of 16 operations per iteration, for each operation's latency in cycles:
 *   8 lat-mul, 9 lat-add, 10 lat-madd (relaxed build only)
 * and a 6 x 8 tile (12 accumulators: as many as the FMA's latency times its ports needs with room
 * to spare; 8 is exactly that many), six broadcasts and two W loads per step:
 *   11 tile6-mul+add, 12 tile6-madd (relaxed build only)
 * and a 5 x 8 tile (10 accumulators, 13 registers in all: V8 allocates 15):
 *   13 tile5-mul+add, 14 tile5-madd (relaxed build only)
 * port_clock(iters) is a dependent chain of 16 integer add/xor per iteration (one cycle each on
 * every x86-64 core), so its time gives the clock the other loops ran at. */
#define PORT_P 64
static float port_a[4 * PORT_P + 4] __attribute__((aligned(16))); /* + 4: the 6 x 8 tile's last rows */
static float port_w[8 * PORT_P] __attribute__((aligned(16)));
static volatile float g_one = 1.0f;
static volatile int g_x = 0x1234567, g_y = 0x55aa55a;

int port_has_madd(void) {
#if defined(__wasm_relaxed_simd__)
  return 1;
#else
  return 0;
#endif
}

/* per iteration: [multiplies, adds, fused multiply-adds, vector loads (incl. splat loads)] */
int port_ops(int kind, int which) {
  static const int ops[15][4] = {
      {12, 0, 0, 0}, {0, 12, 0, 0}, {7, 7, 0, 0}, {0, 0, 12, 0},
      {8 * PORT_P, 0, 0, 6 * PORT_P}, {0, 8 * PORT_P, 0, 6 * PORT_P},
      {8 * PORT_P, 8 * PORT_P, 0, 6 * PORT_P}, {0, 0, 8 * PORT_P, 6 * PORT_P},
      {16, 0, 0, 0}, {0, 16, 0, 0}, {0, 0, 16, 0},
      {12 * PORT_P, 12 * PORT_P, 0, 8 * PORT_P}, {0, 0, 12 * PORT_P, 8 * PORT_P},
      {10 * PORT_P, 10 * PORT_P, 0, 7 * PORT_P}, {0, 0, 10 * PORT_P, 7 * PORT_P}};
  return kind >= 0 && kind < 15 && which >= 0 && which < 4 ? ops[kind][which] : -1;
}

int port_clock(int iters) {
  int x = g_x, y = g_y, z = g_x ^ 0x777;
  for (int i = 0; i < iters; i++) {
    x = (x + y) ^ z; x = (x + y) ^ z; x = (x + y) ^ z; x = (x + y) ^ z;
    x = (x + y) ^ z; x = (x + y) ^ z; x = (x + y) ^ z; x = (x + y) ^ z;
  }
  return x;
}

#if PEAK_LANES == 4
#if defined(__wasm_relaxed_simd__)
#define FMADD(acc, a, b) (vf) wasm_f32x4_relaxed_madd((v128_t)(a), (v128_t)(b), (v128_t)(acc))
#else
#define FMADD(acc, a, b) ((acc) + (a) * (b)) /* never called: port_has_madd() is 0 */
#endif
#define TWELVE(S) S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11)
#define SEVEN(S) S(0) S(1) S(2) S(3) S(4) S(5) S(6)
#define DECL(i) vf c##i = splat(0.5f + 0.01f * i), m##i = c##i;
#define SUM(i) + c##i
#define MUL(i) c##i = c##i * a;
#define ADD(i) c##i = c##i + b;
#define PAIR(i) m##i = m##i * a; c##i = c##i + m##i;
#define MADD3(i) c##i = FMADD(b, c##i, a);
/* the tile: op(acc_rc, a_r, w_c) with 8 accumulators; for mul and add each accumulator takes one
 * loaded operand (column 0 the four broadcasts, column 1 the two W loads: WE is w0 for the even
 * rows there, so every load is used; the products use w1 as the kernel does) */
#define TILE(OPX, OPW, WE)                                                                          \
  for (int i = 0; i < 4 * PORT_P; i++) port_a[i] = g_one;                                         \
  for (int i = 0; i < 8 * PORT_P; i++) port_w[i] = g_one;                                         \
  vf c00 = splat(0.1f), c01 = splat(0.2f), c10 = splat(0.3f), c11 = splat(0.4f);                  \
  vf c20 = splat(0.5f), c21 = splat(0.6f), c30 = splat(0.7f), c31 = splat(0.8f);                  \
  for (int it = 0; it < iters; it++) {                                                            \
    const float *pa = port_a, *pw = port_w;                                                       \
    for (int p = 0; p < PORT_P; p++, pa += 4, pw += 8) {                                          \
      vf w0 = *(const vf *)pw, w1 = *(const vf *)(pw + 4), x;                                     \
      x = (vf){pa[0], pa[0], pa[0], pa[0]}; c00 = OPX(c00, x, w0); c01 = OPW(c01, x, WE);         \
      x = (vf){pa[1], pa[1], pa[1], pa[1]}; c10 = OPX(c10, x, w0); c11 = OPW(c11, x, w1);         \
      x = (vf){pa[2], pa[2], pa[2], pa[2]}; c20 = OPX(c20, x, w0); c21 = OPW(c21, x, WE);         \
      x = (vf){pa[3], pa[3], pa[3], pa[3]}; c30 = OPX(c30, x, w0); c31 = OPW(c31, x, w1);         \
    }                                                                                             \
  }                                                                                               \
  return hsum(c00 + c01 + c10 + c11 + c20 + c21 + c30 + c31);
#define T_MULX(c, x, w) ((c) * (x))
#define T_MULW(c, x, w) ((c) * (w))
#define T_ADDX(c, x, w) ((c) + (x))
#define T_ADDW(c, x, w) ((c) + (w))
#define T_PAIR(c, x, w) ((c) + (x) * (w))
#define T_MADD(c, x, w) FMADD(c, x, w)

static float port_mul(int iters, vf a) { TWELVE(DECL) for (int i = 0; i < iters; i++) { TWELVE(MUL) } return hsum(0 TWELVE(SUM)); }
static float port_add(int iters, vf b) { TWELVE(DECL) for (int i = 0; i < iters; i++) { TWELVE(ADD) } return hsum(0 TWELVE(SUM)); }
static float port_pair(int iters, vf a) { SEVEN(DECL) for (int i = 0; i < iters; i++) { SEVEN(PAIR) } return hsum(0 SEVEN(SUM)); }
static float port_madd(int iters, vf a, vf b) { TWELVE(DECL) for (int i = 0; i < iters; i++) { TWELVE(MADD3) } return hsum(0 TWELVE(SUM)); }
#define SIXTEEN(S) S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11) S(12) S(13) S(14) S(15)
#define LMUL(i) c = c * a;
#define LADD(i) c = c + b;
#define LMADD(i) c = FMADD(b, c, a);
static float lat_mul(int iters, vf a) { vf c = splat(0.5f); for (int i = 0; i < iters; i++) { SIXTEEN(LMUL) } return hsum(c); }
static float lat_add(int iters, vf b) { vf c = splat(0.5f); for (int i = 0; i < iters; i++) { SIXTEEN(LADD) } return hsum(c); }
static float lat_madd(int iters, vf a, vf b) { vf c = splat(0.5f); for (int i = 0; i < iters; i++) { SIXTEEN(LMADD) } return hsum(c); }
#define TILE6(OP)                                                                                 \
  for (int i = 0; i < 4 * PORT_P; i++) port_a[i] = g_one;                                         \
  for (int i = 0; i < 8 * PORT_P; i++) port_w[i] = g_one;                                         \
  vf c00 = splat(0.1f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00;         \
  vf c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;                                       \
  for (int it = 0; it < iters; it++) {                                                            \
    const float *pa = port_a, *pw = port_w;                                                       \
    for (int p = 0; p < PORT_P; p++, pa += 4, pw += 8) { /* rows 4, 5: the next step's A */       \
      vf w0 = *(const vf *)pw, w1 = *(const vf *)(pw + 4), x;                                     \
      x = (vf){pa[0], pa[0], pa[0], pa[0]}; c00 = OP(c00, x, w0); c01 = OP(c01, x, w1);           \
      x = (vf){pa[1], pa[1], pa[1], pa[1]}; c10 = OP(c10, x, w0); c11 = OP(c11, x, w1);           \
      x = (vf){pa[2], pa[2], pa[2], pa[2]}; c20 = OP(c20, x, w0); c21 = OP(c21, x, w1);           \
      x = (vf){pa[3], pa[3], pa[3], pa[3]}; c30 = OP(c30, x, w0); c31 = OP(c31, x, w1);           \
      x = (vf){pa[4], pa[4], pa[4], pa[4]}; c40 = OP(c40, x, w0); c41 = OP(c41, x, w1);           \
      x = (vf){pa[5], pa[5], pa[5], pa[5]}; c50 = OP(c50, x, w0); c51 = OP(c51, x, w1);           \
    }                                                                                             \
  }                                                                                               \
  return hsum(c00 + c01 + c10 + c11 + c20 + c21 + c30 + c31 + c40 + c41 + c50 + c51);
#define TILE5(OP)                                                                                 \
  for (int i = 0; i < 4 * PORT_P; i++) port_a[i] = g_one;                                         \
  for (int i = 0; i < 8 * PORT_P; i++) port_w[i] = g_one;                                         \
  vf c00 = splat(0.1f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00;         \
  vf c31 = c00, c40 = c00, c41 = c00;                                                             \
  for (int it = 0; it < iters; it++) {                                                            \
    const float *pa = port_a, *pw = port_w;                                                       \
    for (int p = 0; p < PORT_P; p++, pa += 4, pw += 8) { /* row 4: the next step's A */          \
      vf w0 = *(const vf *)pw, w1 = *(const vf *)(pw + 4), x;                                     \
      x = (vf){pa[0], pa[0], pa[0], pa[0]}; c00 = OP(c00, x, w0); c01 = OP(c01, x, w1);           \
      x = (vf){pa[1], pa[1], pa[1], pa[1]}; c10 = OP(c10, x, w0); c11 = OP(c11, x, w1);           \
      x = (vf){pa[2], pa[2], pa[2], pa[2]}; c20 = OP(c20, x, w0); c21 = OP(c21, x, w1);           \
      x = (vf){pa[3], pa[3], pa[3], pa[3]}; c30 = OP(c30, x, w0); c31 = OP(c31, x, w1);           \
      x = (vf){pa[4], pa[4], pa[4], pa[4]}; c40 = OP(c40, x, w0); c41 = OP(c41, x, w1);           \
    }                                                                                             \
  }                                                                                               \
  return hsum(c00 + c01 + c10 + c11 + c20 + c21 + c30 + c31 + c40 + c41);
static float tile_mul(int iters) { TILE(T_MULX, T_MULW, w0) }
static float tile_add(int iters) { TILE(T_ADDX, T_ADDW, w0) }
static float tile_pair(int iters) { TILE(T_PAIR, T_PAIR, w1) }
static float tile_madd(int iters) { TILE(T_MADD, T_MADD, w1) }
static float tile6_pair(int iters) { TILE6(T_PAIR) }
static float tile6_madd(int iters) { TILE6(T_MADD) }
static float tile5_pair(int iters) { TILE5(T_PAIR) }
static float tile5_madd(int iters) { TILE5(T_MADD) }
#endif

float port_run(int kind, int iters) {
#if PEAK_LANES == 4
  const vf one = splat(g_one), tiny = splat(g_b * 0.001f);
  switch (kind) {
  case 0: return port_mul(iters, one);
  case 1: return port_add(iters, tiny);
  case 2: return port_pair(iters, one);
  case 3: return port_has_madd() ? port_madd(iters, one, tiny) : -1;
  case 4: return tile_mul(iters);
  case 5: return tile_add(iters);
  case 6: return tile_pair(iters);
  case 7: return port_has_madd() ? tile_madd(iters) : -1;
  case 8: return lat_mul(iters, one);
  case 9: return lat_add(iters, tiny);
  case 10: return port_has_madd() ? lat_madd(iters, one, tiny) : -1;
  case 11: return tile6_pair(iters);
  case 12: return port_has_madd() ? tile6_madd(iters) : -1;
  case 13: return tile5_pair(iters);
  case 14: return port_has_madd() ? tile5_madd(iters) : -1;
  }
#endif
  return (float)kind * (float)iters * 0; /* only the 4-lane builds have them */
}

#ifdef PEAK_MAIN
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "native";
  int reps = argc > 2 ? atoi(argv[2]) : 15;
  int iters = 2000000;
  double t[64], w[64];
  if (reps > 64) reps = 64;
  volatile float sink = 0;
  for (int w = 0; w < 3; w++) sink += peak_run(iters);
  for (int r = 0; r < reps; r++) {
    double t0 = now_s(), c0 = cpu_s();
    sink += peak_run(iters);
    t[r] = cpu_s() - c0;
    w[r] = now_s() - t0;
  }
  qsort(t, reps, sizeof t[0], cmp);
  qsort(w, reps, sizeof w[0], cmp);
  double flops = (double)iters * 12 * PEAK_LANES * 2;
  printf("{\"bench\":\"peak\",\"impl\":\"%s\",\"lanes\":%d,\"gflops\":%.2f,\"bestGflops\":%.2f,\"wallGflops\":%.2f,\"reps\":%d}\n",
         name, PEAK_LANES, flops / t[reps / 2] / 1e9, flops / t[0] / 1e9, flops / w[reps / 2] / 1e9, reps);
  return sink == 12345.f;
}
#endif

#ifdef PEAK_PORTS_MAIN
/* The port loops of port_run natively, for comparison with what V8 makes of them: the same
 * 128-bit operations (VEX vmulps, vaddps, vfmadd231ps, vbroadcastss and vmovups from memory) in
 * gcc's schedule, built with -mavx2 -mfma -ffp-contract=off (so a mul and an add stay two
 * instructions). One JSON line per kind in the format of bench/peak.js's "ports" lines, at the
 * clock a dependent chain of one-cycle integer add/xor measures around each round. */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static volatile int n_x = 1, n_y = 3, n_z = 5;
__attribute__((noinline)) static int n_clock(long n) {
  int x = n_x, y = n_y, z = n_z;
  for (long i = 0; i < n; i++) {
#define NC __asm__ volatile("add %1, %0\n\txor %2, %0" : "+r"(x) : "r"(y), "r"(z));
    NC NC NC NC NC NC NC NC
  }
  return x;
}
#define N12(S) S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11)
#define N7(S) S(0) S(1) S(2) S(3) S(4) S(5) S(6)
#define NDECL(k) __m128 c##k = _mm_set1_ps(0.5f + k), m##k = c##k;
#define NSUM(k) s = _mm_add_ps(s, _mm_add_ps(c##k, m##k));
#define NLOOP(name, R, body)                                                                      \
  __attribute__((noinline)) static float name(long n) {                                           \
    const __m128 a = _mm_set1_ps(g_one), b = _mm_set1_ps(g_b * 0.001f);                           \
    N12(NDECL) for (long i = 0; i < n; i++) { R(body) }                                           \
    __m128 s = _mm_setzero_ps(); N12(NSUM) return s[0];                                           \
  }
#define NMUL(k) c##k = _mm_mul_ps(c##k, a);
#define NADD(k) c##k = _mm_add_ps(c##k, b);
#define NPAIR(k) m##k = _mm_mul_ps(m##k, a); c##k = _mm_add_ps(c##k, m##k);
#define NFMA(k) c##k = _mm_fmadd_ps(c##k, a, b);
NLOOP(n_mul, N12, NMUL)
NLOOP(n_add, N12, NADD)
NLOOP(n_pair, N7, NPAIR)
NLOOP(n_madd, N12, NFMA)
#define NTILE(name, OP)                                                                           \
  __attribute__((noinline)) static float name(long n) {                                           \
    for (int i = 0; i < 4 * PORT_P; i++) port_a[i] = g_one;                                       \
    for (int i = 0; i < 8 * PORT_P; i++) port_w[i] = g_one;                                       \
    __m128 c00 = _mm_set1_ps(0.1f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;        \
    __m128 c30 = c00, c31 = c00;                                                                  \
    for (long it = 0; it < n; it++) {                                                             \
      const float *pa = port_a, *pw = port_w;                                                     \
      for (int p = 0; p < PORT_P; p++, pa += 4, pw += 8) {                                        \
        __m128 w0 = _mm_load_ps(pw), w1 = _mm_load_ps(pw + 4), x;                                 \
        x = _mm_broadcast_ss(pa); c00 = OP(c00, x, w0); c01 = OP(c01, x, w1);                     \
        x = _mm_broadcast_ss(pa + 1); c10 = OP(c10, x, w0); c11 = OP(c11, x, w1);                 \
        x = _mm_broadcast_ss(pa + 2); c20 = OP(c20, x, w0); c21 = OP(c21, x, w1);                 \
        x = _mm_broadcast_ss(pa + 3); c30 = OP(c30, x, w0); c31 = OP(c31, x, w1);                 \
      }                                                                                           \
    }                                                                                             \
    __m128 s = _mm_add_ps(_mm_add_ps(_mm_add_ps(c00, c01), _mm_add_ps(c10, c11)),                 \
                          _mm_add_ps(_mm_add_ps(c20, c21), _mm_add_ps(c30, c31)));                \
    return s[0];                                                                                  \
  }
#define NT_PAIR(c, x, w) _mm_add_ps(c, _mm_mul_ps(x, w))
#define NT_FMA(c, x, w) _mm_fmadd_ps(x, w, c)
NTILE(n_tile_pair, NT_PAIR)
NTILE(n_tile_madd, NT_FMA)
#define NTILE6(name, OP)                                                                          \
  __attribute__((noinline)) static float name(long n) {                                           \
    for (int i = 0; i < 4 * PORT_P; i++) port_a[i] = g_one;                                       \
    for (int i = 0; i < 8 * PORT_P; i++) port_w[i] = g_one;                                       \
    __m128 c00 = _mm_set1_ps(0.1f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;        \
    __m128 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;                      \
    for (long it = 0; it < n; it++) {                                                             \
      const float *pa = port_a, *pw = port_w;                                                     \
      for (int p = 0; p < PORT_P; p++, pa += 4, pw += 8) {                                        \
        __m128 w0 = _mm_load_ps(pw), w1 = _mm_load_ps(pw + 4), x;                                 \
        x = _mm_broadcast_ss(pa); c00 = OP(c00, x, w0); c01 = OP(c01, x, w1);                     \
        x = _mm_broadcast_ss(pa + 1); c10 = OP(c10, x, w0); c11 = OP(c11, x, w1);                 \
        x = _mm_broadcast_ss(pa + 2); c20 = OP(c20, x, w0); c21 = OP(c21, x, w1);                 \
        x = _mm_broadcast_ss(pa + 3); c30 = OP(c30, x, w0); c31 = OP(c31, x, w1);                 \
        x = _mm_broadcast_ss(pa + 4); c40 = OP(c40, x, w0); c41 = OP(c41, x, w1);                 \
        x = _mm_broadcast_ss(pa + 5); c50 = OP(c50, x, w0); c51 = OP(c51, x, w1);                 \
      }                                                                                           \
    }                                                                                             \
    __m128 s = _mm_add_ps(_mm_add_ps(_mm_add_ps(c00, c01), _mm_add_ps(c10, c11)),                 \
                          _mm_add_ps(_mm_add_ps(c20, c21), _mm_add_ps(c30, c31)));                \
    s = _mm_add_ps(s, _mm_add_ps(_mm_add_ps(c40, c41), _mm_add_ps(c50, c51)));                    \
    return s[0];                                                                                  \
  }
NTILE6(n_tile6_pair, NT_PAIR)
NTILE6(n_tile6_madd, NT_FMA)
#define NTILE5(name, OP)                                                                          \
  __attribute__((noinline)) static float name(long n) {                                           \
    for (int i = 0; i < 4 * PORT_P; i++) port_a[i] = g_one;                                       \
    for (int i = 0; i < 8 * PORT_P; i++) port_w[i] = g_one;                                       \
    __m128 c00 = _mm_set1_ps(0.1f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;        \
    __m128 c30 = c00, c31 = c00, c40 = c00, c41 = c00;                                            \
    for (long it = 0; it < n; it++) {                                                             \
      const float *pa = port_a, *pw = port_w;                                                     \
      for (int p = 0; p < PORT_P; p++, pa += 4, pw += 8) {                                        \
        __m128 w0 = _mm_load_ps(pw), w1 = _mm_load_ps(pw + 4), x;                                 \
        x = _mm_broadcast_ss(pa); c00 = OP(c00, x, w0); c01 = OP(c01, x, w1);                     \
        x = _mm_broadcast_ss(pa + 1); c10 = OP(c10, x, w0); c11 = OP(c11, x, w1);                 \
        x = _mm_broadcast_ss(pa + 2); c20 = OP(c20, x, w0); c21 = OP(c21, x, w1);                 \
        x = _mm_broadcast_ss(pa + 3); c30 = OP(c30, x, w0); c31 = OP(c31, x, w1);                 \
        x = _mm_broadcast_ss(pa + 4); c40 = OP(c40, x, w0); c41 = OP(c41, x, w1);                 \
      }                                                                                           \
    }                                                                                             \
    __m128 s = _mm_add_ps(_mm_add_ps(_mm_add_ps(c00, c01), _mm_add_ps(c10, c11)),                 \
                          _mm_add_ps(_mm_add_ps(c20, c21), _mm_add_ps(c30, c31)));                \
    s = _mm_add_ps(s, _mm_add_ps(c40, c41));                                                      \
    return s[0];                                                                                  \
  }
NTILE5(n_tile5_pair, NT_PAIR)
NTILE5(n_tile5_madd, NT_FMA)

static int cmpd(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 15;
  if (rounds < 1 || rounds > 64) rounds = 15;
  struct { const char *name; float (*f)(long); int kind; long n; } ks[] = {
      {"mul", n_mul, 0, 400000}, {"add", n_add, 1, 400000}, {"mul+add", n_pair, 2, 400000},
      {"madd", n_madd, 3, 400000}, {"tile-mul+add", n_tile_pair, 6, 6000}, {"tile-madd", n_tile_madd, 7, 6000},
      {"tile6-mul+add", n_tile6_pair, 11, 4000}, {"tile6-madd", n_tile6_madd, 12, 4000},
      {"tile5-mul+add", n_tile5_pair, 13, 5000}, {"tile5-madd", n_tile5_madd, 14, 5000}};
  enum { NK = sizeof ks / sizeof ks[0] };
  double opc[NK][64], gf[NK][64], ghz[64];
  volatile float sink = 0;
  const long nclock = 4000000;
  for (int r = 0; r < rounds; r++) {
    double t = cpu_now();
    sink += n_clock(nclock);
    double hz0 = 16.0 * nclock / (cpu_now() - t);
    double s[NK];
    for (int k = 0; k < NK; k++) {
      t = cpu_now();
      sink += ks[k].f(ks[k].n);
      s[k] = cpu_now() - t;
    }
    t = cpu_now();
    sink += n_clock(nclock);
    double hz = (hz0 + 16.0 * nclock / (cpu_now() - t)) / 2;
    ghz[r] = hz / 1e9;
    for (int k = 0; k < NK; k++) {
      int mul = port_ops(ks[k].kind, 0), add = port_ops(ks[k].kind, 1), fma = port_ops(ks[k].kind, 2);
      opc[k][r] = ks[k].n * (double)(mul + add + fma) / s[k] / hz;
      gf[k][r] = ks[k].n * 4.0 * (mul + add + 2 * fma) / s[k] / 1e9;
    }
  }
  for (int k = 0; k < NK; k++) {
    qsort(opc[k], rounds, sizeof(double), cmpd);
    qsort(gf[k], rounds, sizeof(double), cmpd);
    printf("{\"bench\":\"ports\",\"impl\":\"native-xmm\",\"kernel\":\"%s\",\"gflops\":%.2f,\"opsPerCycle\":%.3f,\"rounds\":%d}\n",
           ks[k].name, gf[k][rounds / 2], opc[k][rounds / 2], rounds);
  }
  qsort(ghz, rounds, sizeof(double), cmpd);
  printf("{\"bench\":\"ports\",\"impl\":\"native-xmm\",\"kernel\":\"summary\",\"clockGhz\":%.3f,\"rounds\":%d}\n", ghz[rounds / 2], rounds);
  return sink == 12345.f;
}
#endif
