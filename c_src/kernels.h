/* kernels.h: the hot loops. Each kernel has a plain scalar version (`_scalar`) and, where the
 * SIMD layer has a vector path, a `_simd` version; the unsuffixed name is the one the model uses
 * (SIMD when built with it). Shapes in comments are row-major; "+=" kernels accumulate.
 */
#ifndef S2S_KERNELS_H
#define S2S_KERNELS_H

#include "s2s.h"
#include "simd.h"

/* Elementwise math shared by every path: exp, tanh and sigmoid with the same polynomial in
 * scalar and vector code (bitwise-identical results); libm in the double build. */
real s2s_exp(real x);
real s2s_tanh(real x);
real s2s_sigmoid(real x);

/* the per-step constants of adam_update */
typedef struct {
  real count, gscale, b1, b2, step_size, bc2_sqrt, eps;
} s2s_adam_consts;

#define S2S_KERNEL_LIST(X)                                                                         \
  /* The GEMMs' last two arguments say where each output starts: add = 1, C += the product (bias \
     unused); add = 0, C = the product added to bias[:columns of C] in every row, or to 0 when bias \
     is NULL, and C is not read (the bias copy or the clear before the product, folded into it:    \
     the same additions in the same order, so the same bits). */                                   \
  /* C[B,N] (+)= A[B,K] . W[N,K]^T */                                                            \
  X(void, gemm_nt, (real *C, const real *A, const real *W, int B, int N, int K, int add,          \
                    const real *bias))                                                             \
  /* C[B,K] (+)= A[B,N] . W[N,K] */                                                              \
  X(void, gemm_nn, (real *C, const real *A, const real *W, int B, int N, int K, int add,          \
                    const real *bias))                                                             \
  /* C[N,K] (+)= A[B,N]^T . X[B,K] */                                                            \
  X(void, gemm_tn, (real *C, const real *A, const real *X, int B, int N, int K, int add,          \
                    const real *bias))                                                             \
  /* y[:n] += each of the rows of x (rows,n), added row by row (the additions of axpy with a = 1) */ \
  X(void, col_sum, (real *y, const real *x, int rows, int n))                                     \
  /* y[n] += a * x[n] */                                                                         \
  X(void, axpy, (real *y, real a, const real *x, int n))                                          \
  /* return x . y */                                                                             \
  X(real, dot, (const real *x, const real *y, int n))                                             \
  /* s[j] = v . t_j, t_j = tanh(Kh[j*ldk + :A] + q) for j < m; t_j kept in t[j*A + :A] unless t is NULL */ \
  X(void, scores_additive, (real *s, const real *Kh, int ldk, const real *q, const real *v, int m, int A, real *t)) \
  /* s[j] = scale * (q . K[j*ldk + :A]) for j < m */                                             \
  X(void, scores_dot, (real *s, const real *K, int ldk, const real *q, real scale, int m, int A)) \
  /* w[j] = softmax(s[0..len))[j] for j < len, 0 for len <= j < m */                             \
  X(void, softmax_masked, (real *w, const real *s, int m, int len))                               \
  /* c[:H] = sum_j w[j] * Hs[j*ldh + :H] */                                                      \
  X(void, weighted_sum, (real *c, const real *w, const real *Hs, int ldh, int m, int H))          \
  /* one attention row, forward: scores s[:len] (additive with v, t as scores_additive; dot with \
     scale when v is NULL), s[len:m] = -inf, w = softmax_masked(s), c[:H] = weighted_sum of Hs     \
     over len: the four kernels' operations in their order, in one call */                         \
  X(void, attention_row, (real *c, real *w, real *s, real *t, const real *K, int ldk, const real *q, \
                          const real *v, real scale, const real *Hs, int ldh, int m, int len, int A, \
                          int H))                                                                  \
  /* backward of scores_additive from its kept t (m,A): dKh[j] += ds_j*v*(1-t_j^2), dq += same, dv += ds_j*t_j */ \
  X(void, scores_additive_backward, (real *dKh, int lddk, real *dq, real *dv, const real *t,      \
                                     const real *v, const real *ds, int m, int A))                 \
  /* backward of scores_dot: dq[:A] += sum_j (scale ds_j) K_j, dK_j += (scale ds_j) q for j < m    \
     (one pass over each row of K and dK: the additions of axpy per j, in the same order) */      \
  X(void, scores_dot_backward, (real *dK, int lddk, real *dq, const real *K, int ldk, const real *q, \
                                const real *ds, real scale, int m, int A))                        \
  /* backward of c = sum_j w_j Hs_j, w = softmax(s), over j < m, in one pass over Hs and dHs:      \
     dHs_j += w_j dc, ds_j = w_j (dc.Hs_j - sum_i w_i dc.Hs_i) (dc.Hs_j as dot) */                 \
  X(void, softmax_context_backward, (real *ds, real *dHs, int ldh, const real *Hs, const real *w, \
                                     const real *dc, int m, int H))                               \
  /* dot attention's backward at one source position j for all R rows at once (the rows of      \
     position j are side by side in the time-major keys and states, so this streams them, where   \
     a row's positions are R rows apart), rows with lens[r] > j only: context_backward_rows sets   \
     ds[r*lds] = dc_r.Hs_r and adds w[r*ldw] dc_r to dHs_r (rows of H); scores_dot_backward_rows  \
     adds (scale ds[r*lds]) K_r to dq_r and (scale ds[r*lds]) q_r to dK_r (rows of A): per row and \
     position the numbers of softmax_context_backward (before its softmax step,                    \
     softmax_backward_row) and scores_dot_backward */                                              \
  X(void, context_backward_rows, (real *ds, int lds, real *dHs, const real *Hs, const real *w,     \
                                  int ldw, const real *dc, const int32_t *lens, int j, int R, int H)) \
  X(void, scores_dot_backward_rows, (real *dK, real *dq, const real *K, const real *q, const real *ds, \
                                     int lds, real scale, const int32_t *lens, int j, int R, int A)) \
  /* one row of a GRU step, gates r, z, n into g[3H] and h[H]: r = sig(xi+xh), z = sig(xi+xh),     \
     n = tanh(xi + r xh), h = (1-z) n + z hp; one pass instead of an add, two activation calls and  \
     two loops (the same operations per element, so the same bits) */                             \
  X(void, gru_row_forward, (real *g, real *h, const real *xi, const real *xh, const real *hp, int H)) \
  /* one row of an LSTM step: gates i, f, g, o into g[4H], c = f cp + i g, h = o tanh(c), and       \
     tanh(c) kept in tc[H] for the backward (tc may be xh itself: each xh[k] is read before tc[k] is \
     written, and the input gate's pre-activation is not needed after) */                         \
  X(void, lstm_row_forward, (real *g, real *h, real *c, real *tc, const real *xi, const real *xh,   \
                             const real *cp, int H))                                               \
  /* backward of gru_row_forward: dgi, dgh [3H], dhp = the direct part of dh_prev */              \
  X(void, gru_row_backward, (real *di, real *dg, real *dhp, const real *g, const real *ghn,       \
                             const real *hp, const real *d, int H))                               \
  /* backward of lstm_row_forward from its kept tanh(c) tc: dgi = dgh [4H], dcp; the direct part  \
     of dh_prev is 0. dg may be di (cell_dgh_is_dgi): then each number is stored once */                                                                            \
  X(void, lstm_row_backward, (real *di, real *dg, real *dcp, const real *g, const real *cp,       \
                              const real *tc, const real *d, const real *dc, int H))              \
  /* Adam over n parameters in one pass (k: the step's constants, struct s2s_adam_consts):      \
     gr = g/count*gscale, m = b1 m + (1-b1) gr, v = b2 v + (1-b2) gr gr,                         \
     p -= step_size m / (sqrt(v)/bc2_sqrt + eps); the same operations per element on every path */ \
  X(void, adam_update, (real *p, real *mo, real *ve, const real *g, int n, const s2s_adam_consts *k)) \
  /* y = tanh(x), y = sigmoid(x), y = exp(x) over n */                                            \
  X(void, vtanh, (real *y, const real *x, int n))                                                 \
  X(void, vexp, (real *y, const real *x, int n))                                                  \
  X(void, vsigmoid, (real *y, const real *x, int n))

#define S2S_DECLARE_SCALAR(ret, name, args) ret name##_scalar args;
#define S2S_DECLARE_SIMD(ret, name, args) ret name##_simd args;
S2S_KERNEL_LIST(S2S_DECLARE_SCALAR)
#if S2S_SIMD
S2S_KERNEL_LIST(S2S_DECLARE_SIMD)
#define S2S_KERNEL(name) name##_simd
#else
#define S2S_KERNEL(name) name##_scalar
#endif

/* dst[:n] = src[:n] (not overlapping) and dst[:n] = 0, inline for the short rows the layers copy
 * and clear many times a step (embeddings, biases, states, gradient rows): four floats a store on
 * the SIMD paths instead of a call to the wasm libc's memcpy/memset per row. */
static inline void s2s_copy(real *dst, const real *src, size_t n) {
  size_t i = 0;
#if S2S_SIMD
  for (; i + 8 <= n; i += 8) {
    f32x4 a = F32X4_LOAD(src + i), b = F32X4_LOAD(src + i + 4);
    F32X4_STORE(dst + i, a), F32X4_STORE(dst + i + 4, b);
  }
  for (; i + 4 <= n; i += 4) F32X4_STORE(dst + i, F32X4_LOAD(src + i));
#endif
  for (; i < n; i++) dst[i] = src[i];
}
static inline void s2s_zero(real *dst, size_t n) {
  size_t i = 0;
#if S2S_SIMD
  f32x4 z = F32X4_SPLAT(0);
  for (; i + 8 <= n; i += 8) F32X4_STORE(dst + i, z), F32X4_STORE(dst + i + 4, z);
  for (; i + 4 <= n; i += 4) F32X4_STORE(dst + i, z);
#endif
  for (; i < n; i++) dst[i] = 0;
}

/* Whether a product C[B,N] += A[B,K] . W[N,K]^T runs faster from W^T as gemm_nn than from W as
 * gemm_nt (bench/kernels.js, the forward cases): at K <= 128 gemm_nt's horizontal sum per output
 * is a large part of its work and gemm_nn wins by 5-15 %; at K 256 and more gemm_nt wins, and
 * below 32 columns gemm_nn's column tails are slower. Not in the FMA build, where one fused
 * multiply-add per product leaves gemm_nt as fast as gemm_nn at every one of these shapes. */
static inline int gemm_wt_pays(int N, int K) { return !S2S_FMA && K <= 128 && N >= 32; }

/* C[B,N] (+)= A[B,K] . W[N,K]^T (add, bias: as the GEMMs): from Wt = W^T (K,N) as gemm_nn where
 * that pays and Wt is given (training keeps those, s2s_transpose_weights), else gemm_nt on W as
 * stored (also decoding). */
static inline void gemm_xwt(real *C, const real *A, const real *W, const real *Wt, int B, int N, int K,
                            int add, const real *bias) {
  if (Wt && gemm_wt_pays(N, K)) S2S_KERNEL(gemm_nn)(C, A, Wt, B, K, N, add, bias);
  else S2S_KERNEL(gemm_nt)(C, A, W, B, N, K, add, bias);
}

/* the softmax's backward from dw_j = dc.Hs_j over m positions: ds_j = w_j (dw_j - sum_i w_i dw_i),
 * in place (scalar code: the last step of softmax_context_backward on every path) */
void softmax_backward_row(real *ds, const real *w, int m);

/* log-softmax of one row of n logits, in place; returns nothing. Scalar code: it runs once per
 * output row over the vocabulary and calls s2s_exp. */
void log_softmax_row(real *x, int n);

#endif
