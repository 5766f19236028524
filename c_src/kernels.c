/* kernels.c: scalar and SIMD versions of the hot loops declared in kernels.h.
 * Each SIMD kernel is a vector main loop plus a scalar tail; the `_scalar` twin is the reference
 * the tests hold it against. Elementwise math (exp, tanh, sigmoid) uses one polynomial whose
 * vector and scalar forms do the same operations in the same order, so they agree bitwise.
 * Names, as XNNPACK's: the operation, then the fixed tile where a helper has one (gemm_rows_4x8:
 * four rows by eight columns of C in registers; _x1: one element a call), then the variant.
 */
#include "kernels.h"

#include <math.h>
#include <string.h>

/* ---- elementwise math ---------------------------------------------------------------------- */

#ifdef S2S_DOUBLE
real s2s_exp(real x) { return exp(x); }
real s2s_tanh(real x) { return tanh(x); }
real s2s_sigmoid(real x) { return 1.0 / (1.0 + exp(-x)); }
#else
/* Cephes-style expf: range reduction by ln 2 split in two constants, degree-5 polynomial. */
#define EXP_LO (-87.0f)
#define EXP_HI 88.0f
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO (-2.12194440e-4f)
#define EP0 1.9875691500e-4f
#define EP1 1.3981999507e-3f
#define EP2 8.3334519073e-3f
#define EP3 4.1665795894e-2f
#define EP4 1.6666665459e-1f
#define EP5 5.0000001201e-1f
/* tanh(x) = x P(x^2) / Q(x^2) on x clamped to +-TANH_CLAMP (past it the exact tanh rounds to +-1):
 * one branch, no exp, no select. Minimax in relative error (scripts/fit-tanh.py): 2e-8 in exact
 * arithmetic; Q monic (Horner's first step is an add) and P scaled down by 4 * 2^-24 so that the
 * float evaluation never exceeds 1 (checked over every float of [0, TANH_CLAMP]; the function is
 * odd in float), hence no clamp of the result: |tanh| <= 1, at most 5.8e-7 absolute and relative
 * error against double-precision tanh (5 ulp near saturation; tanh(+-inf) = +-(1 - 2.4e-7)).
 * Nineteen operations and a divide per four lanes, three fewer than with a clamped result and a
 * Q starting at a multiply (3.4e-7); the old two-branch tanh evaluated a polynomial and exp +
 * divide for every lane. */
#define TANH_CLAMP 9.02f
#define TP0 1288320.0f
#define TP1 172373.625f
#define TP2 4501.43896484375f
#define TP3 26.51817512512207f
#define TP4 0.017159296199679375f
#define TQ0 1288320.25f
#define TQ1 601813.5f
#define TQ2 33330.24609375f
#define TQ3 422.9682312011719f
/* sigmoid(x) = 1/2 + tanh(x/2)/2 = 1/2 + x P(x^2) / Q(x^2): the same rational with its coefficients
 * rescaled (scripts/fit-tanh.py --sigmoid), x clamped to +-SIGMOID_CLAMP, P scaled down so that
 * x P/Q never exceeds 1/2 (every float of [8, SIGMOID_CLAMP] checked), so the result stays in
 * [0, 1] without a clamp: at most 3.2e-7 absolute error against double precision (was 2e-7 with
 * exp and a divide, 27 operations; now 20), but in absolute terms only: far below 0 the result is
 * 1/2 minus nearly 1/2, a multiple of 3e-8, not a small number with float's relative precision
 * (sigmoid(-17) = 4e-8 comes out as 0 or 6e-8). */
#define SIGMOID_CLAMP 18.04f
#define SP0 82452480.0f
#define SP1 2757978.0f
#define SP2 18005.755859375f
#define SP3 26.51817512512207f
#define SP4 0.004289824049919844f
#define SQ0 329809984.0f
#define SQ1 38516064.0f
#define SQ2 533283.9375f
#define SQ3 1691.8729248046875f

real s2s_exp(real x) {
  if (x != x) return x;
  x = x < EXP_LO ? EXP_LO : x;
  x = EXP_HI < x ? EXP_HI : x;
  float fx = x * LOG2E + 0.5f;
  float fl = (float)(int)fx;
  if (fx < fl) fl = fl - 1.0f;
  x = x - fl * LN2_HI;
  x = x - fl * LN2_LO;
  float z = x * x;
  float y = EP0;
  y = y * x + EP1;
  y = y * x + EP2;
  y = y * x + EP3;
  y = y * x + EP4;
  y = y * x + EP5;
  y = y * z + x + 1.0f;
  union { int32_t i; float f; } pow2;
  pow2.i = ((int32_t)fl + 127) << 23;
  return y * pow2.f;
}

static const float TANH_P[5] = {TP0, TP1, TP2, TP3, TP4}, TANH_Q[4] = {TQ0, TQ1, TQ2, TQ3};
static const float SIGMOID_P[5] = {SP0, SP1, SP2, SP3, SP4}, SIGMOID_Q[4] = {SQ0, SQ1, SQ2, SQ3};

/* x P(x^2) / Q(x^2) on x clamped to +-c, Q monic (Q[4] = 1): the evaluation tanh and sigmoid share */
static inline real odd_rational(real x, real c, const float *P, const float *Q) {
  x = x < -c ? -c : x;
  x = c < x ? c : x;
  float z = x * x;
  float p = P[4];
  p = p * z + P[3];
  p = p * z + P[2];
  p = p * z + P[1];
  p = p * z + P[0];
  float q = z + Q[3];
  q = q * z + Q[2];
  q = q * z + Q[1];
  q = q * z + Q[0];
  return x * p / q;
}

real s2s_tanh(real x) { return odd_rational(x, TANH_CLAMP, TANH_P, TANH_Q); }

real s2s_sigmoid(real x) { return 0.5f + odd_rational(x, SIGMOID_CLAMP, SIGMOID_P, SIGMOID_Q); }
#endif

/* ---- scalar kernels ------------------------------------------------------------------------ */

/* Where output (row, col) of a GEMM starts (kernels.h): C itself, the bias or 0. */
#define GEMM_START(add, bias, c, col) ((add) ? (c)[col] : (bias) ? (bias)[col] : (real)0)

/* Rows of C set to bias (or 0): a product with no terms (P = 0) that does not add. */
static void gemm_start_rows(real *C, const real *bias, int I, int K) {
  for (int i = 0; i < I; i++)
    if (bias) s2s_copy(C + (size_t)i * K, bias, (size_t)K);
    else s2s_zero(C + (size_t)i * K, (size_t)K);
}

void gemm_nt_scalar(real *C, const real *A, const real *W, int B, int N, int K, int add,
                    const real *bias) {
  for (int b = 0; b < B; b++)
    for (int n = 0; n < N; n++) {
      real s = 0;
      for (int k = 0; k < K; k++) s += A[(size_t)b * K + k] * W[(size_t)n * K + k];
      real *c = C + (size_t)b * N;
      c[n] = GEMM_START(add, bias, c, n) + s;
    }
}

/* C[i,k] (+)= sum_p A[i*sai + p*sap] * W[p*K + k]: gemm_nn and gemm_tn are this with strides. */
static void gemm_rows_scalar(real *C, const real *A, size_t sai, size_t sap, const real *W, int I,
                             int P, int K, int add, const real *bias) {
  for (int i = 0; i < I; i++) {
    real *c = C + (size_t)i * K;
    if (!add) gemm_start_rows(c, bias, 1, K);
    for (int p = 0; p < P; p++) {
      real a = A[i * sai + p * sap];
      const real *w = W + (size_t)p * K;
      for (int k = 0; k < K; k++) c[k] += a * w[k];
    }
  }
}

/* gemm_nn and gemm_tn of one path: its gemm_rows with A's strides */
#define GEMM_NN_TN(path, rows)                                                                    \
  void gemm_nn_##path(real *C, const real *A, const real *W, int B, int N, int K, int add,        \
                      const real *bias) {                                                         \
    rows(C, A, (size_t)N, 1, W, B, N, K, add, bias);                                              \
  }                                                                                               \
  void gemm_tn_##path(real *C, const real *A, const real *X, int B, int N, int K, int add,        \
                      const real *bias) {                                                         \
    rows(C, A, 1, (size_t)N, X, N, B, K, add, bias);                                              \
  }
GEMM_NN_TN(scalar, gemm_rows_scalar)

void axpy_scalar(real *y, real a, const real *x, int n) {
  for (int i = 0; i < n; i++) y[i] += a * x[i];
}

void col_sum_scalar(real *y, const real *x, int rows, int n) {
  for (int r = 0; r < rows; r++)
    for (int i = 0; i < n; i++) y[i] += x[(size_t)r * n + i];
}

real dot_scalar(const real *x, const real *y, int n) {
  real s = 0;
  for (int i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

void scores_additive_scalar(real *s, const real *Kh, int ldk, const real *q, const real *v, int m,
                            int A, real *t) {
  for (int j = 0; j < m; j++) {
    const real *k = Kh + (size_t)j * ldk;
    real acc = 0;
    for (int a = 0; a < A; a++) {
      real x = s2s_tanh(k[a] + q[a]);
      if (t) t[(size_t)j * A + a] = x;
      acc += v[a] * x;
    }
    s[j] = acc;
  }
}

void scores_dot_scalar(real *s, const real *K, int ldk, const real *q, real scale, int m, int A) {
  for (int j = 0; j < m; j++) s[j] = scale * dot_scalar(q, K + (size_t)j * ldk, A);
}

void softmax_masked_scalar(real *w, const real *s, int m, int len) {
  real mx = s[0];
  for (int j = 1; j < len; j++) mx = mx < s[j] ? s[j] : mx;
  real sum = 0;
  for (int j = 0; j < len; j++) {
    w[j] = s2s_exp(s[j] - mx);
    sum += w[j];
  }
  real inv = 1 / sum;
  for (int j = 0; j < len; j++) w[j] = w[j] * inv;
  for (int j = len; j < m; j++) w[j] = 0;
}

void weighted_sum_scalar(real *c, const real *w, const real *Hs, int ldh, int m, int H) {
  for (int h = 0; h < H; h++) c[h] = 0;
  for (int j = 0; j < m; j++) axpy_scalar(c, w[j], Hs + (size_t)j * ldh, H);
}

/* attention_row_<variant>: the row's four kernels of that variant, one after the other */
#define S2S_ATTENTION_ROW(variant)                                                                  \
  void attention_row_##variant(real *c, real *w, real *s, real *t, const real *K, int ldk,         \
                               const real *q, const real *v, real scale, const real *Hs, int ldh,  \
                               int m, int len, int A, int H) {                                     \
    if (v) scores_additive_##variant(s, K, ldk, q, v, len, A, t);                                  \
    else scores_dot_##variant(s, K, ldk, q, scale, len, A);                                        \
    for (int j = len; j < m; j++) s[j] = -INFINITY;                                                \
    softmax_masked_##variant(w, s, m, len);                                                        \
    weighted_sum_##variant(c, w, Hs, ldh, len, H);                                                 \
  }
S2S_ATTENTION_ROW(scalar)

void scores_additive_backward_scalar(real *dKh, int lddk, real *dq, real *dv, const real *tk,
                                     const real *v, const real *ds, int m, int A) {
  for (int j = 0; j < m; j++) {
    const real *tj = tk + (size_t)j * A;
    real *dk = dKh + (size_t)j * lddk;
    real d = ds[j];
    for (int a = 0; a < A; a++) {
      real t = tj[a];
      real g = d * v[a] * (1 - t * t);
      dv[a] += d * t;
      dk[a] += g;
      dq[a] += g;
    }
  }
}

/* One parameter of Adam: the scalar kernel and the SIMD kernel's tail. */
static inline void adam_x1(real *p, real *mo, real *ve, const real *g, const s2s_adam_consts *k, size_t i) {
  real gr = g[i] / k->count * k->gscale;
  real mm = k->b1 * mo[i] + (1 - k->b1) * gr;
  real vv = k->b2 * ve[i] + (1 - k->b2) * gr * gr;
  p[i] = p[i] - k->step_size * mm / ((real)sqrt(vv) / k->bc2_sqrt + k->eps);
  mo[i] = mm;
  ve[i] = vv;
}

void adam_update_scalar(real *p, real *mo, real *ve, const real *g, int n, const s2s_adam_consts *k) {
  for (int i = 0; i < n; i++) adam_x1(p, mo, ve, g, k, (size_t)i);
}

void scores_dot_backward_scalar(real *dK, int lddk, real *dq, const real *K, int ldk, const real *q,
                                const real *ds, real scale, int m, int A) {
  for (int j = 0; j < m; j++) {
    axpy_scalar(dq, scale * ds[j], K + (size_t)j * ldk, A);
    axpy_scalar(dK + (size_t)j * lddk, scale * ds[j], q, A);
  }
}

void softmax_backward_row(real *ds, const real *w, int m) {
  real sum = 0;
  for (int j = 0; j < m; j++) sum += w[j] * ds[j];
  for (int j = 0; j < m; j++) ds[j] = w[j] * (ds[j] - sum);
}

void context_backward_rows_scalar(real *ds, int lds, real *dHs, const real *Hs, const real *w,
                                  int ldw, const real *dc, const int32_t *lens, int j, int R, int H) {
  for (int r = 0; r < R; r++)
    if (lens[r] > j) {
      size_t o = (size_t)r * H;
      ds[(size_t)r * lds] = dot_scalar(dc + o, Hs + o, H);
      axpy_scalar(dHs + o, w[(size_t)r * ldw], dc + o, H);
    }
}

void scores_dot_backward_rows_scalar(real *dK, real *dq, const real *K, const real *q, const real *ds,
                                     int lds, real scale, const int32_t *lens, int j, int R, int A) {
  for (int r = 0; r < R; r++)
    if (lens[r] > j) {
      size_t o = (size_t)r * A;
      axpy_scalar(dq + o, scale * ds[(size_t)r * lds], K + o, A);
      axpy_scalar(dK + o, scale * ds[(size_t)r * lds], q + o, A);
    }
}

void softmax_context_backward_scalar(real *ds, real *dHs, int ldh, const real *Hs, const real *w,
                                     const real *dc, int m, int H) {
  for (int j = 0; j < m; j++) {
    ds[j] = dot_scalar(dc, Hs + (size_t)j * ldh, H);
    axpy_scalar(dHs + (size_t)j * ldh, w[j], dc, H);
  }
  softmax_backward_row(ds, w, m);
}

void vtanh_scalar(real *y, const real *x, int n) {
  for (int i = 0; i < n; i++) y[i] = s2s_tanh(x[i]);
}

void vexp_scalar(real *y, const real *x, int n) {
  for (int i = 0; i < n; i++) y[i] = s2s_exp(x[i]);
}

void vsigmoid_scalar(real *y, const real *x, int n) {
  for (int i = 0; i < n; i++) y[i] = s2s_sigmoid(x[i]);
}

/* One element of each cell row kernel (_x1: one element a call): the scalar kernels and the SIMD
 * kernels' tails. */
static inline void gru_forward_x1(real *g, real *h, const real *xi, const real *xh, const real *hp, int H, int k) {
  real r = s2s_sigmoid(xi[k] + xh[k]);
  real z = s2s_sigmoid(xi[H + k] + xh[H + k]);
  real n = s2s_tanh(xi[2 * H + k] + r * xh[2 * H + k]);
  g[k] = r, g[H + k] = z, g[2 * H + k] = n;
  h[k] = (1 - z) * n + z * hp[k];
}

static inline void lstm_forward_x1(real *g, real *h, real *c, real *tc, const real *xi, const real *xh, const real *cp, int H, int k) {
  real i = s2s_sigmoid(xi[k] + xh[k]);
  real f = s2s_sigmoid(xi[H + k] + xh[H + k]);
  real gg = s2s_tanh(xi[2 * H + k] + xh[2 * H + k]);
  real o = s2s_sigmoid(xi[3 * H + k] + xh[3 * H + k]);
  g[k] = i, g[H + k] = f, g[2 * H + k] = gg, g[3 * H + k] = o;
  real cn = f * cp[k] + i * gg, t = s2s_tanh(cn);
  c[k] = cn;
  tc[k] = t;
  h[k] = o * t;
}

static inline void gru_backward_x1(real *di, real *dg, real *dhp, const real *g, const real *ghn, const real *hp,
                            const real *d, int H, int k) {
  real r = g[k], z = g[H + k], n = g[2 * H + k];
  real dn = d[k] * (1 - z);
  real dz = d[k] * (hp[k] - n);
  real dn_pre = dn * (1 - n * n);
  real dr = dn_pre * ghn[k];
  real dr_pre = dr * r * (1 - r);
  real dz_pre = dz * z * (1 - z);
  di[k] = dr_pre, dg[k] = dr_pre;
  di[H + k] = dz_pre, dg[H + k] = dz_pre;
  di[2 * H + k] = dn_pre, dg[2 * H + k] = dn_pre * r;
  dhp[k] = d[k] * z;
}

static inline void lstm_backward_x1(real *di, real *dg, real *dcp, const real *g, const real *cp, const real *tcs,
                             const real *d, const real *dc, int H, int k) {
  real ig = g[k], fg = g[H + k], gg = g[2 * H + k], og = g[3 * H + k];
  real tc = tcs[k];
  real d_o = d[k] * tc;
  real dct = dc[k] + d[k] * og * (1 - tc * tc);
  real d_i = dct * gg, d_g = dct * ig, d_f = dct * cp[k];
  real x0 = d_i * ig * (1 - ig), x1 = d_f * fg * (1 - fg), x2 = d_g * (1 - gg * gg), x3 = d_o * og * (1 - og);
  di[k] = x0, di[H + k] = x1, di[2 * H + k] = x2, di[3 * H + k] = x3;
  if (dg != di) dg[k] = x0, dg[H + k] = x1, dg[2 * H + k] = x2, dg[3 * H + k] = x3;
  dcp[k] = dct * fg;
}

void gru_row_forward_scalar(real *g, real *h, const real *xi, const real *xh, const real *hp, int H) {
  for (int k = 0; k < H; k++) gru_forward_x1(g, h, xi, xh, hp, H, k);
}
void lstm_row_forward_scalar(real *g, real *h, real *c, real *tc, const real *xi, const real *xh, const real *cp, int H) {
  for (int k = 0; k < H; k++) lstm_forward_x1(g, h, c, tc, xi, xh, cp, H, k);
}
void gru_row_backward_scalar(real *di, real *dg, real *dhp, const real *g, const real *ghn, const real *hp,
                             const real *d, int H) {
  for (int k = 0; k < H; k++) gru_backward_x1(di, dg, dhp, g, ghn, hp, d, H, k);
}
void lstm_row_backward_scalar(real *di, real *dg, real *dcp, const real *g, const real *cp, const real *tc,
                              const real *d, const real *dc, int H) {
  for (int k = 0; k < H; k++) lstm_backward_x1(di, dg, dcp, g, cp, tc, d, dc, H, k);
}

void log_softmax_row(real *x, int n) {
  real mx = x[0];
  for (int i = 1; i < n; i++) mx = mx < x[i] ? x[i] : mx;
  real sum = 0;
  for (int i = 0; i < n; i++) sum += s2s_exp(x[i] - mx);
#ifdef S2S_DOUBLE
  real lse = mx + log(sum);
#else
  real lse = mx + logf(sum);
#endif
  for (int i = 0; i < n; i++) x[i] -= lse;
}

/* ---- SIMD kernels -------------------------------------------------------------------------- */
#if S2S_SIMD

static inline f32x4 exp_f32x4(f32x4 x) {
  x = F32X4_MAX(x, F32X4_SPLAT(EXP_LO));
  x = F32X4_MIN(x, F32X4_SPLAT(EXP_HI));
  f32x4 fx = F32X4_ADD(F32X4_MUL(x, F32X4_SPLAT(LOG2E)), F32X4_SPLAT(0.5f));
  /* s2s_exp's truncation, one down where it rounded up, is floor here (|fx| < 128) */
  f32x4 fl = F32X4_FLOOR(fx);
  x = F32X4_SUB(x, F32X4_MUL(fl, F32X4_SPLAT(LN2_HI)));
  x = F32X4_SUB(x, F32X4_MUL(fl, F32X4_SPLAT(LN2_LO)));
  f32x4 z = F32X4_MUL(x, x);
  f32x4 y = F32X4_SPLAT(EP0);
  y = F32X4_ADD(F32X4_MUL(y, x), F32X4_SPLAT(EP1));
  y = F32X4_ADD(F32X4_MUL(y, x), F32X4_SPLAT(EP2));
  y = F32X4_ADD(F32X4_MUL(y, x), F32X4_SPLAT(EP3));
  y = F32X4_ADD(F32X4_MUL(y, x), F32X4_SPLAT(EP4));
  y = F32X4_ADD(F32X4_MUL(y, x), F32X4_SPLAT(EP5));
  y = F32X4_ADD(F32X4_ADD(F32X4_MUL(y, z), x), F32X4_SPLAT(1.0f));
  /* 2^fl: fl + 127 (an integer in 2..254) lands in the low mantissa bits of 1.5 * 2^23 + fl + 127
   * (exact below 2^24), so its bits minus those of 1.5 * 2^23 are s2s_exp's (int)fl + 127,
   * without a saturating float-to-int conversion (several instructions in V8 on x64) */
  f32x4 biased = F32X4_ADD(fl, F32X4_SPLAT(12582912.0f + 127.0f));
  i32x4 e = I32X4_SHL(I32X4_SUB(F32X4_AS_I32(biased), I32X4_SPLAT(0x4B400000)), 23);
  return F32X4_MUL(y, I32X4_AS_F32(e));
}

/* odd_rational's operations in its order (F32X4_MIN/MAX are its comparisons), so tanh and sigmoid
 * are bitwise those of s2s_tanh and s2s_sigmoid */
static inline f32x4 odd_rational_f32x4(f32x4 x, real c, const float *P, const float *Q) {
  x = F32X4_MAX(x, F32X4_SPLAT(-c));
  x = F32X4_MIN(x, F32X4_SPLAT(c));
  f32x4 z = F32X4_MUL(x, x);
  f32x4 p = F32X4_SPLAT(P[4]);
  p = F32X4_ADD(F32X4_MUL(p, z), F32X4_SPLAT(P[3]));
  p = F32X4_ADD(F32X4_MUL(p, z), F32X4_SPLAT(P[2]));
  p = F32X4_ADD(F32X4_MUL(p, z), F32X4_SPLAT(P[1]));
  p = F32X4_ADD(F32X4_MUL(p, z), F32X4_SPLAT(P[0]));
  f32x4 q = F32X4_ADD(z, F32X4_SPLAT(Q[3]));
  q = F32X4_ADD(F32X4_MUL(q, z), F32X4_SPLAT(Q[2]));
  q = F32X4_ADD(F32X4_MUL(q, z), F32X4_SPLAT(Q[1]));
  q = F32X4_ADD(F32X4_MUL(q, z), F32X4_SPLAT(Q[0]));
  return F32X4_DIV(F32X4_MUL(x, p), q);
}

static inline f32x4 tanh_f32x4(f32x4 x) { return odd_rational_f32x4(x, TANH_CLAMP, TANH_P, TANH_Q); }

static inline f32x4 sigmoid_f32x4(f32x4 x) {
  return F32X4_ADD(F32X4_SPLAT(0.5f), odd_rational_f32x4(x, SIGMOID_CLAMP, SIGMOID_P, SIGMOID_Q));
}

real dot_simd(const real *x, const real *y, int n) {
  f32x4 a0 = F32X4_SPLAT(0), a1 = F32X4_SPLAT(0);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    a0 = F32X4_MADD(a0, F32X4_LOAD(x + i), F32X4_LOAD(y + i));
    a1 = F32X4_MADD(a1, F32X4_LOAD(x + i + 4), F32X4_LOAD(y + i + 4));
  }
  for (; i + 4 <= n; i += 4) a0 = F32X4_MADD(a0, F32X4_LOAD(x + i), F32X4_LOAD(y + i));
  real s = f32x4_sum(F32X4_ADD(a0, a1));
  for (; i < n; i++) s += x[i] * y[i];
  return s;
}

/* Sixteen columns at a time in registers over a block of rows about 64 KiB large (so the passes
 * over its columns read it from cache; the whole of x can be megabytes), the blocks in order:
 * each element still takes its rows' additions in row order, and a + 1*x is a + x in every build,
 * the fused one included, so the numbers of axpy with a = 1 row by row. */
#define COL_SUM_BLOCK_FLOATS 16384
void col_sum_simd(real *y, const real *x, int rows, int n) {
  int rb = n > 0 && COL_SUM_BLOCK_FLOATS / n > 16 ? COL_SUM_BLOCK_FLOATS / n : 16;
  for (int r0 = 0; r0 < rows; r0 += rb) {
    int r1 = rows - r0 < rb ? rows : r0 + rb;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
      f32x4 y0 = F32X4_LOAD(y + i), y1 = F32X4_LOAD(y + i + 4), y2 = F32X4_LOAD(y + i + 8), y3 = F32X4_LOAD(y + i + 12);
      for (int r = r0; r < r1; r++) {
        const real *xr = x + (size_t)r * n + i;
        y0 = F32X4_ADD(y0, F32X4_LOAD(xr)), y1 = F32X4_ADD(y1, F32X4_LOAD(xr + 4));
        y2 = F32X4_ADD(y2, F32X4_LOAD(xr + 8)), y3 = F32X4_ADD(y3, F32X4_LOAD(xr + 12));
      }
      F32X4_STORE(y + i, y0), F32X4_STORE(y + i + 4, y1), F32X4_STORE(y + i + 8, y2), F32X4_STORE(y + i + 12, y3);
    }
    for (; i + 4 <= n; i += 4) {
      f32x4 y0 = F32X4_LOAD(y + i);
      for (int r = r0; r < r1; r++) y0 = F32X4_ADD(y0, F32X4_LOAD(x + (size_t)r * n + i));
      F32X4_STORE(y + i, y0);
    }
    for (; i < n; i++)
      for (int r = r0; r < r1; r++) y[i] += x[(size_t)r * n + i];
  }
}

void axpy_simd(real *y, real a, const real *x, int n) {
  f32x4 va = F32X4_SPLAT(a);
  int i = 0;
  for (; i + 4 <= n; i += 4)
    F32X4_STORE(y + i, F32X4_MADD(F32X4_LOAD(y + i), va, F32X4_LOAD(x + i)));
  for (; i < n; i++) y[i] += a * x[i];
}

/* Two rows of A against four rows of W: eight accumulators, reduced four at a time. A W larger
 * than the L2 share (768 x 256 for a GRU of 256) is taken 32 rows at a time and every row of A
 * passes over that block before the next, so it is read from cache rather than streamed per row
 * pair; a W that fits is walked whole (blocking it would stream A instead). */
#define NT_WBLOCK 32
#define NT_WBLOCK_ABOVE (256u << 10) /* bytes */
void gemm_nt_simd(real *C, const real *A, const real *W, int B, int N, int K, int add,
                  const real *bias) {
#define NT_START4(c, n) (add ? F32X4_LOAD((c) + (n)) : bias ? F32X4_LOAD(bias + (n)) : F32X4_SPLAT(0))
  int wblock = (size_t)N * K * sizeof(real) > NT_WBLOCK_ABOVE ? NT_WBLOCK : N;
  for (int n0 = 0; n0 < N; n0 += wblock) {
    int n1 = N - n0 < wblock ? N : n0 + wblock;
    int b = 0;
    for (; b + 2 <= B; b += 2) {
      const real *a0 = A + (size_t)b * K, *a1 = a0 + K;
      real *c0 = C + (size_t)b * N, *c1 = c0 + N;
      int n = n0;
      for (; n + 4 <= n1; n += 4) {
        const real *w0 = W + (size_t)n * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        f32x4 s00 = F32X4_SPLAT(0), s01 = s00, s02 = s00, s03 = s00;
        f32x4 s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        int k = 0;
        for (; k + 4 <= K; k += 4) {
          f32x4 x0 = F32X4_LOAD(a0 + k), x1 = F32X4_LOAD(a1 + k), y;
          y = F32X4_LOAD(w0 + k);
          s00 = F32X4_MADD(s00, x0, y);
          s10 = F32X4_MADD(s10, x1, y);
          y = F32X4_LOAD(w1 + k);
          s01 = F32X4_MADD(s01, x0, y);
          s11 = F32X4_MADD(s11, x1, y);
          y = F32X4_LOAD(w2 + k);
          s02 = F32X4_MADD(s02, x0, y);
          s12 = F32X4_MADD(s12, x1, y);
          y = F32X4_LOAD(w3 + k);
          s03 = F32X4_MADD(s03, x0, y);
          s13 = F32X4_MADD(s13, x1, y);
        }
        real r0[4], r1[4];
        F32X4_STORE(r0, f32x4_reduce4(s00, s01, s02, s03));
        F32X4_STORE(r1, f32x4_reduce4(s10, s11, s12, s13));
        for (; k < K; k++) {
          r0[0] += a0[k] * w0[k]; r0[1] += a0[k] * w1[k]; r0[2] += a0[k] * w2[k]; r0[3] += a0[k] * w3[k];
          r1[0] += a1[k] * w0[k]; r1[1] += a1[k] * w1[k]; r1[2] += a1[k] * w2[k]; r1[3] += a1[k] * w3[k];
        }
        F32X4_STORE(c0 + n, F32X4_ADD(NT_START4(c0, n), F32X4_LOAD(r0)));
        F32X4_STORE(c1 + n, F32X4_ADD(NT_START4(c1, n), F32X4_LOAD(r1)));
      }
      for (; n < n1; n++) {
        c0[n] = GEMM_START(add, bias, c0, n) + dot_simd(a0, W + (size_t)n * K, K);
        c1[n] = GEMM_START(add, bias, c1, n) + dot_simd(a1, W + (size_t)n * K, K);
      }
    }
    for (; b < B; b++) { /* the odd row: one row of A against four rows of W */
      const real *a0 = A + (size_t)b * K;
      real *c0 = C + (size_t)b * N;
      int n = n0;
      for (; n + 4 <= n1; n += 4) {
        const real *w0 = W + (size_t)n * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        f32x4 s0 = F32X4_SPLAT(0), s1 = s0, s2 = s0, s3 = s0;
        int k = 0;
        for (; k + 4 <= K; k += 4) {
          f32x4 x0 = F32X4_LOAD(a0 + k);
          s0 = F32X4_MADD(s0, x0, F32X4_LOAD(w0 + k));
          s1 = F32X4_MADD(s1, x0, F32X4_LOAD(w1 + k));
          s2 = F32X4_MADD(s2, x0, F32X4_LOAD(w2 + k));
          s3 = F32X4_MADD(s3, x0, F32X4_LOAD(w3 + k));
        }
        real r0[4];
        F32X4_STORE(r0, f32x4_reduce4(s0, s1, s2, s3));
        for (; k < K; k++) {
          r0[0] += a0[k] * w0[k]; r0[1] += a0[k] * w1[k]; r0[2] += a0[k] * w2[k]; r0[3] += a0[k] * w3[k];
        }
        F32X4_STORE(c0 + n, F32X4_ADD(NT_START4(c0, n), F32X4_LOAD(r0)));
      }
      for (; n < n1; n++) c0[n] = GEMM_START(add, bias, c0, n) + dot_simd(a0, W + (size_t)n * K, K);
    }
  }
#undef NT_START4
}

/* C[i,k] += sum_p A(i,p) W[p,k]. W is taken in blocks of ROWS_PBLOCK rows by ROWS_KBLOCK columns
 * (32 KiB: it stays in L1/L2 where the old order streamed all of W once per four rows of C) and
 * every block of four rows of C passes over that block before the next: four rows by eight
 * columns of C stay in registers while p runs over the block, the four rows' A values for the
 * block first packed side by side (so a strided A, as in gemm_tn, is read once, not once per
 * column block). 32 x 256 rather than 64 x 128 (2026-12-02): the models' products have at most
 * 256 columns per block in one pass, so A is packed once per row block instead of once per 128
 * columns; 3-10 % faster in the kernel pairs (bench/kernels.js). A larger register tile measured
 * slower in both the SIMD and the FMA build (5 x 8 by 10-20 %, 6 x 8 by 15-25 %): V8 has 15
 * vector registers to allocate, and with 6 x 8 it spills four accumulators every iteration
 * (node --print-wasm-code --no-liftoff). Narrow products (K < 256) take more rows of W a block,
 * as many as fill ROWS_WBLOCK_FLOATS (32 KiB; 128 rows at K 64), so each C tile is loaded and
 * stored fewer times: gemm_nn at model A's d_x (2304 x 64 from P 256) 1.12x, dh += dgates W_hh
 * 1.04x in paired calls (2026-12-02); not gemm_tn, whose A is strided (its larger blocks
 * measured 0.97-1.0x). The pack is vector loads: gemm_tn's four values of each p are side by
 * side in A, gemm_nn's come from a 4 x 4 block of A transposed in registers (1.04-1.10x and
 * 1.02-1.09x at model A's shapes, against four scalar loads and stores per p).
 * Each C element still accumulates over p in order, exactly as the scalar version does, so the
 * results are identical. */
#define ROWS_PBLOCK 32
#define ROWS_PBLOCK_MAX 256
#ifndef ROWS_WBLOCK_FLOATS
#define ROWS_WBLOCK_FLOATS 8192
#endif
#define ROWS_KBLOCK 256
static void gemm_rows_4x8_simd(real *C, const real *A, size_t sai, size_t sap, const real *W, int I,
                               int P, int K, int add, const real *bias) {
  real pk[2 * ROWS_PBLOCK_MAX * 4];
  if (!add && P == 0) gemm_start_rows(C, bias, I, K);
  /* rows of W per block: a block of about ROWS_WBLOCK_FLOATS (32 KiB), so narrow products take
   * more rows at a time and load and store each C tile fewer times */
  int kw = K < ROWS_KBLOCK ? K : ROWS_KBLOCK, pb = sap != 1 ? ROWS_PBLOCK : kw > 0 ? ROWS_WBLOCK_FLOATS / kw : ROWS_PBLOCK_MAX;
  pb = pb < ROWS_PBLOCK ? ROWS_PBLOCK : pb > ROWS_PBLOCK_MAX ? ROWS_PBLOCK_MAX : pb;
  /* up to twice the block in one: a short P (the output layer's chunks of 52 rows against a C of
   * 20,000 x 512 that lives in memory) then loads and stores each C tile once, not twice */
  int pblock = P <= 2 * pb ? P : pb;
  for (int k0 = 0; k0 < K; k0 += ROWS_KBLOCK) {
    int k1 = K - k0 < ROWS_KBLOCK ? K : k0 + ROWS_KBLOCK;
    for (int p0 = 0; p0 < P; p0 += pblock) {
      int np = P - p0 < pblock ? P - p0 : pblock;
      const real *Wb = W + (size_t)p0 * K;
      /* the first block of p starts each output from the bias or 0 unless adding to C */
      int from_c = add || p0 > 0;
      const real *b0 = from_c ? NULL : bias;
#define ROWS_START4(c, k) (from_c ? F32X4_LOAD((c) + (k)) : b0 ? F32X4_LOAD(b0 + (k)) : F32X4_SPLAT(0))
#define ROWS_START1(c, k) GEMM_START(from_c, b0, c, k)
      int i = 0;
      for (; i + 4 <= I; i += 4) {
        real *c0 = C + (size_t)i * K, *c1 = c0 + K, *c2 = c1 + K, *c3 = c2 + K;
        if (sai == 1) /* gemm_tn: the four rows' values of each p side by side in A already */
          for (int p = 0; p < np; p++) F32X4_STORE(pk + p * 4, F32X4_LOAD(A + i + (size_t)(p0 + p) * sap));
        else { /* gemm_nn (sap 1): four p at a time, a 4 x 4 block of A transposed */
          const real *a0 = A + i * sai + (size_t)p0 * sap;
          int p = 0;
          if (sap == 1)
            for (; p + 4 <= np; p += 4)
              f32x4_store_transposed4(pk + p * 4, F32X4_LOAD(a0 + p), F32X4_LOAD(a0 + sai + p),
                                      F32X4_LOAD(a0 + 2 * sai + p), F32X4_LOAD(a0 + 3 * sai + p));
          for (; p < np; p++)
            for (int r = 0; r < 4; r++) pk[p * 4 + r] = A[(i + r) * sai + (size_t)(p0 + p) * sap];
        }
        int k = k0;
        for (; k + 8 <= k1; k += 8) {
          f32x4 x00 = ROWS_START4(c0, k), x01 = ROWS_START4(c0, k + 4);
          f32x4 x10 = ROWS_START4(c1, k), x11 = ROWS_START4(c1, k + 4);
          f32x4 x20 = ROWS_START4(c2, k), x21 = ROWS_START4(c2, k + 4);
          f32x4 x30 = ROWS_START4(c3, k), x31 = ROWS_START4(c3, k + 4);
          const real *w = Wb + k;
          for (int p = 0; p < np; p++, w += K) {
            f32x4 w0 = F32X4_LOAD(w), w1 = F32X4_LOAD(w + 4), a;
            a = F32X4_SPLAT(pk[p * 4]);
            x00 = F32X4_MADD(x00, a, w0);
            x01 = F32X4_MADD(x01, a, w1);
            a = F32X4_SPLAT(pk[p * 4 + 1]);
            x10 = F32X4_MADD(x10, a, w0);
            x11 = F32X4_MADD(x11, a, w1);
            a = F32X4_SPLAT(pk[p * 4 + 2]);
            x20 = F32X4_MADD(x20, a, w0);
            x21 = F32X4_MADD(x21, a, w1);
            a = F32X4_SPLAT(pk[p * 4 + 3]);
            x30 = F32X4_MADD(x30, a, w0);
            x31 = F32X4_MADD(x31, a, w1);
          }
          F32X4_STORE(c0 + k, x00), F32X4_STORE(c0 + k + 4, x01);
          F32X4_STORE(c1 + k, x10), F32X4_STORE(c1 + k + 4, x11);
          F32X4_STORE(c2 + k, x20), F32X4_STORE(c2 + k + 4, x21);
          F32X4_STORE(c3 + k, x30), F32X4_STORE(c3 + k + 4, x31);
        }
        for (; k + 4 <= k1; k += 4) {
          f32x4 x0 = ROWS_START4(c0, k), x1 = ROWS_START4(c1, k), x2 = ROWS_START4(c2, k), x3 = ROWS_START4(c3, k);
          for (int p = 0; p < np; p++) {
            f32x4 w0 = F32X4_LOAD(Wb + (size_t)p * K + k);
            x0 = F32X4_MADD(x0, F32X4_SPLAT(pk[p * 4]), w0);
            x1 = F32X4_MADD(x1, F32X4_SPLAT(pk[p * 4 + 1]), w0);
            x2 = F32X4_MADD(x2, F32X4_SPLAT(pk[p * 4 + 2]), w0);
            x3 = F32X4_MADD(x3, F32X4_SPLAT(pk[p * 4 + 3]), w0);
          }
          F32X4_STORE(c0 + k, x0), F32X4_STORE(c1 + k, x1), F32X4_STORE(c2 + k, x2), F32X4_STORE(c3 + k, x3);
        }
        for (; k < k1; k++) {
          real x0 = ROWS_START1(c0, k), x1 = ROWS_START1(c1, k), x2 = ROWS_START1(c2, k), x3 = ROWS_START1(c3, k);
          for (int p = 0; p < np; p++) {
            real w = Wb[(size_t)p * K + k];
            x0 += pk[p * 4] * w, x1 += pk[p * 4 + 1] * w, x2 += pk[p * 4 + 2] * w, x3 += pk[p * 4 + 3] * w;
          }
          c0[k] = x0, c1[k] = x1, c2[k] = x2, c3[k] = x3;
        }
      }
      for (; i < I; i++) { /* leftover rows, one at a time */
        real *c0 = C + (size_t)i * K;
        const real *ai0 = A + i * sai + (size_t)p0 * sap;
        int k = k0;
        for (; k + 8 <= k1; k += 8) {
          f32x4 x00 = ROWS_START4(c0, k), x01 = ROWS_START4(c0, k + 4);
          for (int p = 0; p < np; p++) {
            const real *w = Wb + (size_t)p * K + k;
            f32x4 a0 = F32X4_SPLAT(ai0[p * sap]);
            x00 = F32X4_MADD(x00, a0, F32X4_LOAD(w));
            x01 = F32X4_MADD(x01, a0, F32X4_LOAD(w + 4));
          }
          F32X4_STORE(c0 + k, x00);
          F32X4_STORE(c0 + k + 4, x01);
        }
        for (; k + 4 <= k1; k += 4) {
          f32x4 x0 = ROWS_START4(c0, k);
          for (int p = 0; p < np; p++)
            x0 = F32X4_MADD(x0, F32X4_SPLAT(ai0[p * sap]), F32X4_LOAD(Wb + (size_t)p * K + k));
          F32X4_STORE(c0 + k, x0);
        }
        for (; k < k1; k++) {
          real x0 = ROWS_START1(c0, k);
          for (int p = 0; p < np; p++) x0 += ai0[p * sap] * Wb[(size_t)p * K + k];
          c0[k] = x0;
        }
      }
#undef ROWS_START4
#undef ROWS_START1
    }
  }
}

GEMM_NN_TN(simd, gemm_rows_4x8_simd)

/* Additive scores, four positions at a time (their tanh chains interleave; q and v are loaded
 * once for the four): each position's sum is the one-position loop's, as f32x4_reduce4 adds the
 * lanes as f32x4_sum does, then the tail columns in order. */
static inline real scores_additive_x1_simd(const real *k, const real *q, const real *v, int A, real *tj) {
  f32x4 acc = F32X4_SPLAT(0);
  int a = 0;
  for (; a + 4 <= A; a += 4) {
    f32x4 x = tanh_f32x4(F32X4_ADD(F32X4_LOAD(k + a), F32X4_LOAD(q + a)));
    if (tj) F32X4_STORE(tj + a, x);
    acc = F32X4_MADD(acc, F32X4_LOAD(v + a), x);
  }
  real r = f32x4_sum(acc);
  for (; a < A; a++) {
    real x = s2s_tanh(k[a] + q[a]);
    if (tj) tj[a] = x;
    r += v[a] * x;
  }
  return r;
}

void scores_additive_simd(real *s, const real *Kh, int ldk, const real *q, const real *v, int m,
                          int A, real *t) {
  int j = 0, A4 = A & ~3;
  for (; j + 4 <= m; j += 4) {
    const real *k0 = Kh + (size_t)j * ldk, *k1 = k0 + ldk, *k2 = k1 + ldk, *k3 = k2 + ldk;
    real *t0 = t ? t + (size_t)j * A : NULL;
    f32x4 acc0 = F32X4_SPLAT(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int a = 0; a < A4; a += 4) {
      f32x4 qa = F32X4_LOAD(q + a), va = F32X4_LOAD(v + a);
      f32x4 x0 = tanh_f32x4(F32X4_ADD(F32X4_LOAD(k0 + a), qa));
      f32x4 x1 = tanh_f32x4(F32X4_ADD(F32X4_LOAD(k1 + a), qa));
      f32x4 x2 = tanh_f32x4(F32X4_ADD(F32X4_LOAD(k2 + a), qa));
      f32x4 x3 = tanh_f32x4(F32X4_ADD(F32X4_LOAD(k3 + a), qa));
      if (t0) {
        F32X4_STORE(t0 + a, x0), F32X4_STORE(t0 + A + a, x1);
        F32X4_STORE(t0 + 2 * A + a, x2), F32X4_STORE(t0 + 3 * A + a, x3);
      }
      acc0 = F32X4_MADD(acc0, va, x0), acc1 = F32X4_MADD(acc1, va, x1);
      acc2 = F32X4_MADD(acc2, va, x2), acc3 = F32X4_MADD(acc3, va, x3);
    }
    F32X4_STORE(s + j, f32x4_reduce4(acc0, acc1, acc2, acc3));
    for (int i = 0; i < 4 && A4 < A; i++) {
      const real *k = Kh + (size_t)(j + i) * ldk;
      real r = s[j + i];
      for (int a = A4; a < A; a++) {
        real x = s2s_tanh(k[a] + q[a]);
        if (t0) t0[(size_t)i * A + a] = x;
        r += v[a] * x;
      }
      s[j + i] = r;
    }
  }
  for (; j < m; j++)
    s[j] = scores_additive_x1_simd(Kh + (size_t)j * ldk, q, v, A, t ? t + (size_t)j * A : NULL);
}

/* Dot scores, four positions at a time with dot_simd's two accumulators each (eight columns, then
 * four, the two added, the lanes summed as f32x4_sum, then the tail): the numbers of dot_simd. */
void scores_dot_simd(real *s, const real *K, int ldk, const real *q, real scale, int m, int A) {
  int j = 0, A8 = A & ~7, A4 = A & ~3;
  for (; j + 4 <= m; j += 4) {
    const real *k0 = K + (size_t)j * ldk, *k1 = k0 + ldk, *k2 = k1 + ldk, *k3 = k2 + ldk;
    f32x4 z = F32X4_SPLAT(0), a0 = z, b0 = z, a1 = z, b1 = z, a2 = z, b2 = z, a3 = z, b3 = z;
    int a = 0;
    for (; a < A8; a += 8) {
      f32x4 qa = F32X4_LOAD(q + a), qb = F32X4_LOAD(q + a + 4);
      a0 = F32X4_MADD(a0, qa, F32X4_LOAD(k0 + a)), b0 = F32X4_MADD(b0, qb, F32X4_LOAD(k0 + a + 4));
      a1 = F32X4_MADD(a1, qa, F32X4_LOAD(k1 + a)), b1 = F32X4_MADD(b1, qb, F32X4_LOAD(k1 + a + 4));
      a2 = F32X4_MADD(a2, qa, F32X4_LOAD(k2 + a)), b2 = F32X4_MADD(b2, qb, F32X4_LOAD(k2 + a + 4));
      a3 = F32X4_MADD(a3, qa, F32X4_LOAD(k3 + a)), b3 = F32X4_MADD(b3, qb, F32X4_LOAD(k3 + a + 4));
    }
    if (a < A4) {
      f32x4 qa = F32X4_LOAD(q + a);
      a0 = F32X4_MADD(a0, qa, F32X4_LOAD(k0 + a)), a1 = F32X4_MADD(a1, qa, F32X4_LOAD(k1 + a));
      a2 = F32X4_MADD(a2, qa, F32X4_LOAD(k2 + a)), a3 = F32X4_MADD(a3, qa, F32X4_LOAD(k3 + a));
    }
    real r[4];
    F32X4_STORE(r, f32x4_reduce4(F32X4_ADD(a0, b0), F32X4_ADD(a1, b1), F32X4_ADD(a2, b2), F32X4_ADD(a3, b3)));
    for (int i = 0; i < 4; i++) {
      const real *k = K + (size_t)(j + i) * ldk;
      for (int c = A4; c < A; c++) r[i] += q[c] * k[c];
      s[j + i] = scale * r[i];
    }
  }
  for (; j < m; j++) s[j] = scale * dot_simd(q, K + (size_t)j * ldk, A);
}

void softmax_masked_simd(real *w, const real *s, int m, int len) {
  int j = 0;
  real mx = s[0];
  if (len >= 4) {
    f32x4 vm = F32X4_LOAD(s);
    for (j = 4; j + 4 <= len; j += 4) vm = F32X4_MAX(vm, F32X4_LOAD(s + j));
    mx = f32x4_hmax(vm);
  }
  for (; j < len; j++) mx = mx < s[j] ? s[j] : mx;
  f32x4 vmx = F32X4_SPLAT(mx), vsum = F32X4_SPLAT(0);
  for (j = 0; j + 4 <= len; j += 4) {
    f32x4 e = exp_f32x4(F32X4_SUB(F32X4_LOAD(s + j), vmx));
    F32X4_STORE(w + j, e);
    vsum = F32X4_ADD(vsum, e);
  }
  real sum = f32x4_sum(vsum);
  for (; j < len; j++) {
    w[j] = s2s_exp(s[j] - mx);
    sum += w[j];
  }
  real inv = 1 / sum;
  f32x4 vinv = F32X4_SPLAT(inv);
  for (j = 0; j + 4 <= len; j += 4) F32X4_STORE(w + j, F32X4_MUL(F32X4_LOAD(w + j), vinv));
  for (; j < len; j++) w[j] = w[j] * inv;
  for (j = len; j < m; j++) w[j] = 0;
}

/* c = sum_j w_j Hs_j, sixteen columns at a time in registers (then four, then the tail), every
 * position inside: each element takes axpy_simd's additions in j order from 0. Sixteen columns is
 * a whole cache line of each row, so a row's line is read once although the rows are far apart. */
void weighted_sum_simd(real *c, const real *w, const real *Hs, int ldh, int m, int H) {
  int i = 0;
  for (; i + 16 <= H; i += 16) {
    f32x4 c0 = F32X4_SPLAT(0), c1 = c0, c2 = c0, c3 = c0;
    for (int j = 0; j < m; j++) {
      const real *h = Hs + (size_t)j * ldh + i;
      f32x4 wj = F32X4_SPLAT(w[j]);
      c0 = F32X4_MADD(c0, wj, F32X4_LOAD(h)), c1 = F32X4_MADD(c1, wj, F32X4_LOAD(h + 4));
      c2 = F32X4_MADD(c2, wj, F32X4_LOAD(h + 8)), c3 = F32X4_MADD(c3, wj, F32X4_LOAD(h + 12));
    }
    F32X4_STORE(c + i, c0), F32X4_STORE(c + i + 4, c1), F32X4_STORE(c + i + 8, c2), F32X4_STORE(c + i + 12, c3);
  }
  for (; i + 4 <= H; i += 4) {
    f32x4 c0 = F32X4_SPLAT(0);
    for (int j = 0; j < m; j++) c0 = F32X4_MADD(c0, F32X4_SPLAT(w[j]), F32X4_LOAD(Hs + (size_t)j * ldh + i));
    F32X4_STORE(c + i, c0);
  }
  for (; i < H; i++) {
    real r = 0;
    for (int j = 0; j < m; j++) r += w[j] * Hs[(size_t)j * ldh + i];
    c[i] = r;
  }
}

S2S_ATTENTION_ROW(simd)

/* Four positions at a time: dv and dq are loaded and stored once per four rows of t and dK instead
 * of once per row, and each element still takes the positions' additions in order, so the numbers
 * of the one-position loop (the tail). */
static inline void scores_additive_backward_x4_simd(real *dk0, int lddk, real *dq, real *dv, const real *t0,
                                                    const real *v, const real *ds, int A) {
  f32x4 one = F32X4_SPLAT(1.0f);
  real *dk1 = dk0 + lddk, *dk2 = dk1 + lddk, *dk3 = dk2 + lddk;
  const real *t1 = t0 + A, *t2 = t1 + A, *t3 = t2 + A;
  f32x4 d0 = F32X4_SPLAT(ds[0]), d1 = F32X4_SPLAT(ds[1]), d2 = F32X4_SPLAT(ds[2]), d3 = F32X4_SPLAT(ds[3]);
  int a = 0;
  for (; a + 4 <= A; a += 4) {
    f32x4 va = F32X4_LOAD(v + a), dva = F32X4_LOAD(dv + a), dqa = F32X4_LOAD(dq + a);
    f32x4 x0 = F32X4_LOAD(t0 + a), x1 = F32X4_LOAD(t1 + a), x2 = F32X4_LOAD(t2 + a), x3 = F32X4_LOAD(t3 + a);
    f32x4 g0 = F32X4_MUL(F32X4_MUL(d0, va), F32X4_SUB(one, F32X4_MUL(x0, x0)));
    f32x4 g1 = F32X4_MUL(F32X4_MUL(d1, va), F32X4_SUB(one, F32X4_MUL(x1, x1)));
    f32x4 g2 = F32X4_MUL(F32X4_MUL(d2, va), F32X4_SUB(one, F32X4_MUL(x2, x2)));
    f32x4 g3 = F32X4_MUL(F32X4_MUL(d3, va), F32X4_SUB(one, F32X4_MUL(x3, x3)));
    F32X4_STORE(dk0 + a, F32X4_ADD(F32X4_LOAD(dk0 + a), g0));
    F32X4_STORE(dk1 + a, F32X4_ADD(F32X4_LOAD(dk1 + a), g1));
    F32X4_STORE(dk2 + a, F32X4_ADD(F32X4_LOAD(dk2 + a), g2));
    F32X4_STORE(dk3 + a, F32X4_ADD(F32X4_LOAD(dk3 + a), g3));
    dva = F32X4_MADD(dva, d0, x0), dva = F32X4_MADD(dva, d1, x1);
    dva = F32X4_MADD(dva, d2, x2), dva = F32X4_MADD(dva, d3, x3);
    dqa = F32X4_ADD(F32X4_ADD(F32X4_ADD(F32X4_ADD(dqa, g0), g1), g2), g3);
    F32X4_STORE(dv + a, dva), F32X4_STORE(dq + a, dqa);
  }
  for (int i = 0; i < 4 && a < A; i++) {
    const real *tj = t0 + (size_t)i * A;
    real *dk = dk0 + (size_t)i * lddk, d = ds[i];
    for (int b = a; b < A; b++) {
      real t = tj[b];
      real g = d * v[b] * (1 - t * t);
      dv[b] += d * t;
      dk[b] += g;
      dq[b] += g;
    }
  }
}

void scores_additive_backward_simd(real *dKh, int lddk, real *dq, real *dv, const real *tk,
                                   const real *v, const real *ds, int m, int A) {
  f32x4 one = F32X4_SPLAT(1.0f);
  int j = 0;
  for (; j + 4 <= m; j += 4)
    scores_additive_backward_x4_simd(dKh + (size_t)j * lddk, lddk, dq, dv, tk + (size_t)j * A, v, ds + j, A);
  for (; j < m; j++) {
    const real *tj = tk + (size_t)j * A;
    real *dk = dKh + (size_t)j * lddk;
    real d = ds[j];
    f32x4 vd = F32X4_SPLAT(d);
    int a = 0;
    for (; a + 4 <= A; a += 4) {
      f32x4 t = F32X4_LOAD(tj + a);
      f32x4 g = F32X4_MUL(F32X4_MUL(vd, F32X4_LOAD(v + a)), F32X4_SUB(one, F32X4_MUL(t, t)));
      F32X4_STORE(dv + a, F32X4_MADD(F32X4_LOAD(dv + a), vd, t));
      F32X4_STORE(dk + a, F32X4_ADD(F32X4_LOAD(dk + a), g));
      F32X4_STORE(dq + a, F32X4_ADD(F32X4_LOAD(dq + a), g));
    }
    for (; a < A; a++) {
      real t = tj[a];
      real g = d * v[a] * (1 - t * t);
      dv[a] += d * t;
      dk[a] += g;
      dq[a] += g;
    }
  }
}

/* both axpy_simd calls of each position in one pass over its row of K and dK (rows one at a
 * time: the key rows are far apart, B*A floats, and walking them column-block by column-block
 * made them collide in the cache): the same additions in the same order */
static inline void scores_dot_backward_x1_simd(real *dk, real *dq, const real *kj, const real *q, real sd, int A) {
  f32x4 vs = F32X4_SPLAT(sd);
  int a = 0;
  for (; a + 4 <= A; a += 4) {
    F32X4_STORE(dq + a, F32X4_MADD(F32X4_LOAD(dq + a), vs, F32X4_LOAD(kj + a)));
    F32X4_STORE(dk + a, F32X4_MADD(F32X4_LOAD(dk + a), vs, F32X4_LOAD(q + a)));
  }
  for (; a < A; a++) {
    dq[a] += sd * kj[a];
    dk[a] += sd * q[a];
  }
}

void scores_dot_backward_simd(real *dK, int lddk, real *dq, const real *K, int ldk, const real *q,
                              const real *ds, real scale, int m, int A) {
  for (int j = 0; j < m; j++)
    scores_dot_backward_x1_simd(dK + (size_t)j * lddk, dq, K + (size_t)j * ldk, q, scale * ds[j], A);
}

void scores_dot_backward_rows_simd(real *dK, real *dq, const real *K, const real *q, const real *ds,
                                   int lds, real scale, const int32_t *lens, int j, int R, int A) {
  for (int r = 0; r < R; r++)
    if (lens[r] > j) {
      size_t o = (size_t)r * A;
      scores_dot_backward_x1_simd(dK + o, dq + o, K + o, q + o, scale * ds[(size_t)r * lds], A);
    }
}

/* per position j, one pass over Hs_j and dHs_j: dot_simd's accumulators (eight columns, then four,
 * then the tail) and axpy_simd's update, so the same numbers as the two calls */
static inline real context_backward_x1_simd(real *dh, const real *h, real w, const real *dc, int H) {
  f32x4 a0 = F32X4_SPLAT(0), a1 = F32X4_SPLAT(0), wj = F32X4_SPLAT(w);
  int i = 0;
  for (; i + 8 <= H; i += 8) {
    f32x4 c0 = F32X4_LOAD(dc + i), c1 = F32X4_LOAD(dc + i + 4);
    a0 = F32X4_MADD(a0, c0, F32X4_LOAD(h + i));
    a1 = F32X4_MADD(a1, c1, F32X4_LOAD(h + i + 4));
    F32X4_STORE(dh + i, F32X4_MADD(F32X4_LOAD(dh + i), wj, c0));
    F32X4_STORE(dh + i + 4, F32X4_MADD(F32X4_LOAD(dh + i + 4), wj, c1));
  }
  for (; i + 4 <= H; i += 4) {
    f32x4 c0 = F32X4_LOAD(dc + i);
    a0 = F32X4_MADD(a0, c0, F32X4_LOAD(h + i));
    F32X4_STORE(dh + i, F32X4_MADD(F32X4_LOAD(dh + i), wj, c0));
  }
  real s = f32x4_sum(F32X4_ADD(a0, a1));
  for (; i < H; i++) {
    s += dc[i] * h[i];
    dh[i] += w * dc[i];
  }
  return s;
}

void softmax_context_backward_simd(real *ds, real *dHs, int ldh, const real *Hs, const real *w,
                                   const real *dc, int m, int H) {
  for (int j = 0; j < m; j++)
    ds[j] = context_backward_x1_simd(dHs + (size_t)j * ldh, Hs + (size_t)j * ldh, w[j], dc, H);
  softmax_backward_row(ds, w, m);
}

void context_backward_rows_simd(real *ds, int lds, real *dHs, const real *Hs, const real *w,
                                int ldw, const real *dc, const int32_t *lens, int j, int R, int H) {
  for (int r = 0; r < R; r++)
    if (lens[r] > j) {
      size_t o = (size_t)r * H;
      ds[(size_t)r * lds] = context_backward_x1_simd(dHs + o, Hs + o, w[(size_t)r * ldw], dc + o, H);
    }
}

/* adam_x1 four parameters at a time (sqrt: correctly rounded in float as in double, so the
 * float of the double sqrt is the same number) */
void adam_update_simd(real *p, real *mo, real *ve, const real *g, int n, const s2s_adam_consts *k) {
  f32x4 count = F32X4_SPLAT(k->count), gscale = F32X4_SPLAT(k->gscale);
  f32x4 b1 = F32X4_SPLAT(k->b1), b2 = F32X4_SPLAT(k->b2), c1 = F32X4_SPLAT(1 - k->b1), c2 = F32X4_SPLAT(1 - k->b2);
  f32x4 step = F32X4_SPLAT(k->step_size), bc2 = F32X4_SPLAT(k->bc2_sqrt), eps = F32X4_SPLAT(k->eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f32x4 gr = F32X4_MUL(F32X4_DIV(F32X4_LOAD(g + i), count), gscale);
    f32x4 mm = F32X4_ADD(F32X4_MUL(b1, F32X4_LOAD(mo + i)), F32X4_MUL(c1, gr));
    f32x4 vv = F32X4_ADD(F32X4_MUL(b2, F32X4_LOAD(ve + i)), F32X4_MUL(F32X4_MUL(c2, gr), gr));
    f32x4 den = F32X4_ADD(F32X4_DIV(F32X4_SQRT(vv), bc2), eps);
    F32X4_STORE(p + i, F32X4_SUB(F32X4_LOAD(p + i), F32X4_DIV(F32X4_MUL(step, mm), den)));
    F32X4_STORE(mo + i, mm);
    F32X4_STORE(ve + i, vv);
  }
  for (; i < n; i++) adam_x1(p, mo, ve, g, k, (size_t)i);
}

void vtanh_simd(real *y, const real *x, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) F32X4_STORE(y + i, tanh_f32x4(F32X4_LOAD(x + i)));
  for (; i < n; i++) y[i] = s2s_tanh(x[i]);
}

void vexp_simd(real *y, const real *x, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) F32X4_STORE(y + i, exp_f32x4(F32X4_LOAD(x + i)));
  for (; i < n; i++) y[i] = s2s_exp(x[i]);
}

void vsigmoid_simd(real *y, const real *x, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) F32X4_STORE(y + i, sigmoid_f32x4(F32X4_LOAD(x + i)));
  for (; i < n; i++) y[i] = s2s_sigmoid(x[i]);
}

/* The cell rows, four units at a time: the operations of gru_forward_x1 ... lstm_backward_x1 in the same order. */
void gru_row_forward_simd(real *g, real *h, const real *xi, const real *xh, const real *hp, int H) {
  f32x4 one = F32X4_SPLAT(1.0f);
  int k = 0;
  for (; k + 4 <= H; k += 4) {
    f32x4 r = sigmoid_f32x4(F32X4_ADD(F32X4_LOAD(xi + k), F32X4_LOAD(xh + k)));
    f32x4 z = sigmoid_f32x4(F32X4_ADD(F32X4_LOAD(xi + H + k), F32X4_LOAD(xh + H + k)));
    f32x4 n = tanh_f32x4(F32X4_ADD(F32X4_LOAD(xi + 2 * H + k), F32X4_MUL(r, F32X4_LOAD(xh + 2 * H + k))));
    F32X4_STORE(g + k, r), F32X4_STORE(g + H + k, z), F32X4_STORE(g + 2 * H + k, n);
    F32X4_STORE(h + k, F32X4_ADD(F32X4_MUL(F32X4_SUB(one, z), n), F32X4_MUL(z, F32X4_LOAD(hp + k))));
  }
  for (; k < H; k++) gru_forward_x1(g, h, xi, xh, hp, H, k);
}

void lstm_row_forward_simd(real *g, real *h, real *c, real *tc, const real *xi, const real *xh, const real *cp, int H) {
  int k = 0;
  for (; k + 4 <= H; k += 4) {
    f32x4 i = sigmoid_f32x4(F32X4_ADD(F32X4_LOAD(xi + k), F32X4_LOAD(xh + k)));
    f32x4 f = sigmoid_f32x4(F32X4_ADD(F32X4_LOAD(xi + H + k), F32X4_LOAD(xh + H + k)));
    f32x4 gg = tanh_f32x4(F32X4_ADD(F32X4_LOAD(xi + 2 * H + k), F32X4_LOAD(xh + 2 * H + k)));
    f32x4 o = sigmoid_f32x4(F32X4_ADD(F32X4_LOAD(xi + 3 * H + k), F32X4_LOAD(xh + 3 * H + k)));
    F32X4_STORE(g + k, i), F32X4_STORE(g + H + k, f), F32X4_STORE(g + 2 * H + k, gg), F32X4_STORE(g + 3 * H + k, o);
    f32x4 cn = F32X4_ADD(F32X4_MUL(f, F32X4_LOAD(cp + k)), F32X4_MUL(i, gg));
    f32x4 t = tanh_f32x4(cn);
    F32X4_STORE(c + k, cn);
    F32X4_STORE(tc + k, t);
    F32X4_STORE(h + k, F32X4_MUL(o, t));
  }
  for (; k < H; k++) lstm_forward_x1(g, h, c, tc, xi, xh, cp, H, k);
}

void gru_row_backward_simd(real *di, real *dg, real *dhp, const real *g, const real *ghn, const real *hp,
                           const real *d, int H) {
  f32x4 one = F32X4_SPLAT(1.0f);
  int k = 0;
  for (; k + 4 <= H; k += 4) {
    f32x4 r = F32X4_LOAD(g + k), z = F32X4_LOAD(g + H + k), n = F32X4_LOAD(g + 2 * H + k), dk = F32X4_LOAD(d + k);
    f32x4 dn = F32X4_MUL(dk, F32X4_SUB(one, z));
    f32x4 dz = F32X4_MUL(dk, F32X4_SUB(F32X4_LOAD(hp + k), n));
    f32x4 dn_pre = F32X4_MUL(dn, F32X4_SUB(one, F32X4_MUL(n, n)));
    f32x4 dr = F32X4_MUL(dn_pre, F32X4_LOAD(ghn + k));
    f32x4 dr_pre = F32X4_MUL(F32X4_MUL(dr, r), F32X4_SUB(one, r));
    f32x4 dz_pre = F32X4_MUL(F32X4_MUL(dz, z), F32X4_SUB(one, z));
    F32X4_STORE(di + k, dr_pre), F32X4_STORE(dg + k, dr_pre);
    F32X4_STORE(di + H + k, dz_pre), F32X4_STORE(dg + H + k, dz_pre);
    F32X4_STORE(di + 2 * H + k, dn_pre), F32X4_STORE(dg + 2 * H + k, F32X4_MUL(dn_pre, r));
    F32X4_STORE(dhp + k, F32X4_MUL(dk, z));
  }
  for (; k < H; k++) gru_backward_x1(di, dg, dhp, g, ghn, hp, d, H, k);
}

void lstm_row_backward_simd(real *di, real *dg, real *dcp, const real *g, const real *cp, const real *tcs,
                            const real *d, const real *dc, int H) {
  f32x4 one = F32X4_SPLAT(1.0f);
  int k = 0, both = dg != di;
  for (; k + 4 <= H; k += 4) {
    f32x4 ig = F32X4_LOAD(g + k), fg = F32X4_LOAD(g + H + k), gg = F32X4_LOAD(g + 2 * H + k), og = F32X4_LOAD(g + 3 * H + k);
    f32x4 dk = F32X4_LOAD(d + k);
    f32x4 tc = F32X4_LOAD(tcs + k);
    f32x4 d_o = F32X4_MUL(dk, tc);
    f32x4 dct = F32X4_ADD(F32X4_LOAD(dc + k), F32X4_MUL(F32X4_MUL(dk, og), F32X4_SUB(one, F32X4_MUL(tc, tc))));
    f32x4 d_i = F32X4_MUL(dct, gg), d_g = F32X4_MUL(dct, ig), d_f = F32X4_MUL(dct, F32X4_LOAD(cp + k));
    f32x4 x0 = F32X4_MUL(F32X4_MUL(d_i, ig), F32X4_SUB(one, ig));
    f32x4 x1 = F32X4_MUL(F32X4_MUL(d_f, fg), F32X4_SUB(one, fg));
    f32x4 x2 = F32X4_MUL(d_g, F32X4_SUB(one, F32X4_MUL(gg, gg)));
    f32x4 x3 = F32X4_MUL(F32X4_MUL(d_o, og), F32X4_SUB(one, og));
    F32X4_STORE(di + k, x0), F32X4_STORE(di + H + k, x1), F32X4_STORE(di + 2 * H + k, x2), F32X4_STORE(di + 3 * H + k, x3);
    if (both) F32X4_STORE(dg + k, x0), F32X4_STORE(dg + H + k, x1), F32X4_STORE(dg + 2 * H + k, x2), F32X4_STORE(dg + 3 * H + k, x3);
    F32X4_STORE(dcp + k, F32X4_MUL(dct, fg));
  }
  for (; k < H; k++) lstm_backward_x1(di, dg, dcp, g, cp, tcs, d, dc, H, k);
}

#endif
