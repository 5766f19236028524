/* test_core.c: native tests of the float build. Every SIMD kernel against its scalar twin at sizes
 * around the vector width (outputs pre-filled with NaN so a missed element shows), decoding
 * invariants (beam 1 = greedy, wider beams never worse), save/load round trips and rejections of
 * bad files, and argument checks. Built twice: with SSE paths (under ASan/UBSan) and scalar-only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernels.h"
#include "model.h"

static real *rand_vec(size_t n, double scale) {
  real *v = malloc(sizeof(real) * (n ? n : 1));
  for (size_t i = 0; i < n; i++) v[i] = (real)((test_uniform() * 2 - 1) * scale);
  return v;
}

#if S2S_SIMD
static const int SIZES[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 64, 65};
#define NSIZES (int)(sizeof SIZES / sizeof SIZES[0])

static real *nan_vec(size_t n) {
  real *v = malloc(sizeof(real) * (n ? n : 1));
  for (size_t i = 0; i < n; i++) v[i] = NAN;
  return v;
}
static real *copy_vec(const real *x, size_t n) {
  real *v = malloc(sizeof(real) * (n ? n : 1));
  memcpy(v, x, sizeof(real) * n);
  return v;
}
/* largest |a-b| / (1 + |b|); NaN anywhere counts as infinite */
static double max_rel(const real *a, const real *b, size_t n) {
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)a[i] - b[i]) / (1 + fabs((double)b[i]));
    if (d != d) return INFINITY;
    if (d > worst) worst = d;
  }
  return worst;
}

/* tanh and sigmoid over a dense sweep of [-12, 12], tiny inputs, the clamps and the special
 * values: SIMD bitwise equal to scalar, tanh within 6e-7 relative and never past +-1, sigmoid within
 * 3.5e-7 absolute and inside [0, 1] */
static void test_tanh_sweep(void) {
  enum { N = 1 << 16 };
  real *x = malloc(sizeof(real) * N), *a = malloc(sizeof(real) * N), *b = malloc(sizeof(real) * N);
  for (int rep = 0; rep < 8; rep++) {
    for (int i = 0; i < N; i++) {
      double u = (i + 0.5) / N * 2 - 1;
      x[i] = (real)(rep < 4 ? u * 12 + rep * 1e-3 : u * pow(10, -2 * rep));
    }
    vtanh_simd(a, x, N);
    vtanh_scalar(b, x, N);
    CHECK(!memcmp(a, b, sizeof(real) * N), "vtanh sweep %d is not bitwise equal", rep);
    for (int i = 0; i < N; i++)
      CHECK(fabs(b[i] - tanh(x[i])) <= 6e-7 * fabs(tanh(x[i])) && fabs(b[i]) <= 1, "tanh(%.9g) = %.9g", x[i], b[i]);
    vsigmoid_simd(a, x, N);
    vsigmoid_scalar(b, x, N);
    CHECK(!memcmp(a, b, sizeof(real) * N), "vsigmoid sweep %d is not bitwise equal", rep);
    for (int i = 0; i < N; i++) CHECK(fabs(b[i] - 1 / (1 + exp(-x[i]))) < 3.5e-7 && b[i] >= 0 && b[i] <= 1, "sigmoid(%.9g) = %.9g", x[i], b[i]);
    /* exp over eight times the range (past both clamps, -87 and 88): bitwise, and within 2e-7 relative */
    for (int i = 0; i < N; i++) x[i] *= 8;
    vexp_simd(a, x, N);
    vexp_scalar(b, x, N);
    CHECK(!memcmp(a, b, sizeof(real) * N), "vexp sweep %d is not bitwise equal", rep);
    for (int i = 0; i < N; i++)
      CHECK(x[i] < -87 || x[i] > 88 || fabs(b[i] - exp(x[i])) <= 2e-7 * exp(x[i]), "exp(%.9g) = %.9g", x[i], b[i]);
    for (int i = 0; i < N; i++) x[i] /= 8;
  }
  /* past the clamp: the value at it, 1 - 2.4e-7 (P is scaled down so the result never exceeds 1) */
  real sat = s2s_tanh(100);
  CHECK(s2s_tanh(0) == 0 && sat <= 1 && sat >= 1 - 3e-7 && s2s_tanh(-100) == -sat && s2s_tanh((real)INFINITY) == sat &&
        s2s_tanh((real)-INFINITY) == -sat && isnan(s2s_tanh((real)NAN)), "tanh special values");
  real sig = s2s_sigmoid((real)INFINITY);
  CHECK(s2s_sigmoid(0) == 0.5f && sig <= 1 && sig >= 1 - 2e-7 && s2s_sigmoid((real)-INFINITY) >= 0 &&
        s2s_sigmoid((real)-INFINITY) <= 2e-7 && isnan(s2s_sigmoid((real)NAN)), "sigmoid special values");
  free(x), free(a), free(b);
}

static void test_kernels(void) {
  const double tol = 1e-5;
  for (int si = 0; si < NSIZES; si++) {
    int n = SIZES[si];
    for (int sb = 0; sb < 4; sb++) {
      int B = SIZES[sb + (si % 5)], K = SIZES[(si * 7 + sb) % NSIZES];
      /* gemm_nt: C (B,n) += A (B,K) W (n,K)^T */
      real *A = rand_vec((size_t)B * K, 1), *W = rand_vec((size_t)n * K, 1), *C0 = rand_vec((size_t)B * n, 1);
      real *c1 = copy_vec(C0, (size_t)B * n), *c2 = copy_vec(C0, (size_t)B * n);
      gemm_nt_simd(c1, A, W, B, n, K, 1, NULL);
      gemm_nt_scalar(c2, A, W, B, n, K, 1, NULL);
      CHECK(max_rel(c1, c2, (size_t)B * n) < tol, "gemm_nt B=%d N=%d K=%d", B, n, K);
      free(c1), free(c2), free(W);
      /* gemm_nn: C (B,K) += A (B,n) W (n,K) */
      real *A2 = rand_vec((size_t)B * n, 1), *W2 = rand_vec((size_t)n * K, 1), *D0 = rand_vec((size_t)B * K, 1);
      c1 = copy_vec(D0, (size_t)B * K), c2 = copy_vec(D0, (size_t)B * K);
      gemm_nn_simd(c1, A2, W2, B, n, K, 1, NULL);
      gemm_nn_scalar(c2, A2, W2, B, n, K, 1, NULL);
      CHECK(max_rel(c1, c2, (size_t)B * K) < tol, "gemm_nn B=%d N=%d K=%d", B, n, K);
      free(c1), free(c2);
      /* gemm_tn: C (n,K) += A (B,n)^T X (B,K) */
      real *E0 = rand_vec((size_t)n * K, 1);
      c1 = copy_vec(E0, (size_t)n * K), c2 = copy_vec(E0, (size_t)n * K);
      gemm_tn_simd(c1, A2, A, B, n, K, 1, NULL);
      gemm_tn_scalar(c2, A2, A, B, n, K, 1, NULL);
      CHECK(max_rel(c1, c2, (size_t)n * K) < tol, "gemm_tn B=%d N=%d K=%d", B, n, K);
      free(c1), free(c2), free(A), free(A2), free(W2), free(C0), free(D0), free(E0);
    }
    /* vectors */
    real *x = rand_vec(n, 3), *y = rand_vec(n, 3);
    real *y1 = copy_vec(y, n), *y2 = copy_vec(y, n);
    axpy_simd(y1, (real)0.7, x, n);
    axpy_scalar(y2, (real)0.7, x, n);
    CHECK(max_rel(y1, y2, n) < tol, "axpy n=%d", n);
    real d1 = dot_simd(x, y, n), d2 = dot_scalar(x, y, n);
    CHECK(fabs(d1 - d2) < tol * (1 + fabs(d2)), "dot n=%d: %g vs %g", n, d1, d2);
    real *t1 = nan_vec(n), *t2 = nan_vec(n);
    vtanh_simd(t1, x, n);
    vtanh_scalar(t2, x, n);
    CHECK(!memcmp(t1, t2, sizeof(real) * n), "vtanh n=%d is not bitwise equal", n);
    /* the single-branch rational tanh: relative error <= 6e-7 (5 ulp near 1) everywhere, 0 at 0 */
    for (int i = 0; i < n; i++) CHECK(fabs(t2[i] - tanh(x[i])) <= 6e-7 * fabs(tanh(x[i])), "tanh(%g) = %g", x[i], t2[i]);
    vsigmoid_simd(t1, x, n);
    vsigmoid_scalar(t2, x, n);
    CHECK(!memcmp(t1, t2, sizeof(real) * n), "vsigmoid n=%d is not bitwise equal", n);
    for (int i = 0; i < n; i++) CHECK(fabs(t2[i] - 1 / (1 + exp(-x[i]))) < 3.5e-7, "sigmoid(%g)", x[i]);
    free(t1), free(t2), free(y1), free(y2), free(x), free(y);
    /* column sums (bias gradients): bitwise the row-by-row axpy with a = 1, on both paths */
    {
      int rows = SIZES[(si + 5) % NSIZES] * 7;
      real *xs = rand_vec((size_t)rows * n, 1), *y0 = rand_vec(n, 1);
      real *ya = copy_vec(y0, n), *yb = copy_vec(y0, n), *yc = copy_vec(y0, n);
      col_sum_simd(ya, xs, rows, n);
      col_sum_scalar(yb, xs, rows, n);
      for (int r = 0; r < rows; r++) axpy_scalar(yc, 1, xs + (size_t)r * n, n);
      CHECK(!memcmp(ya, yb, sizeof(real) * n) && !memcmp(yb, yc, sizeof(real) * n), "col_sum rows=%d n=%d is not bitwise equal", rows, n);
      free(xs), free(y0), free(ya), free(yb), free(yc);
    }
    /* Adam in one pass: bitwise equal on both paths, and near a double-precision reference */
    {
      s2s_adam_consts k = {(real)3, (real)0.8, (real)0.9, (real)0.999, (real)0.01, (real)0.3, (real)1e-8};
      real *g = rand_vec(n, 2), *p0 = rand_vec(n, 1), *m0 = rand_vec(n, 1), *v0 = rand_vec(n, 1);
      for (int i = 0; i < n; i++) v0[i] = v0[i] * v0[i];
      real *pa = copy_vec(p0, n), *ma = copy_vec(m0, n), *va = copy_vec(v0, n);
      real *pb = copy_vec(p0, n), *mb = copy_vec(m0, n), *vb = copy_vec(v0, n);
      adam_update_simd(pa, ma, va, g, n, &k);
      adam_update_scalar(pb, mb, vb, g, n, &k);
      CHECK(!memcmp(pa, pb, sizeof(real) * n) && !memcmp(ma, mb, sizeof(real) * n) && !memcmp(va, vb, sizeof(real) * n),
            "adam_update n=%d is not bitwise equal", n);
      for (int i = 0; i < n; i++) {
        double gr = (double)g[i] / 3 * 0.8, mm = 0.9 * m0[i] + 0.1 * gr, vv = 0.999 * v0[i] + 0.001 * gr * gr;
        double p = p0[i] - 0.01 * mm / (sqrt(vv) / 0.3 + 1e-8);
        CHECK(fabs(pb[i] - p) < 1e-5 * (1 + fabs(p)) && fabs(mb[i] - mm) < 1e-5 && fabs(vb[i] - vv) < 1e-5,
              "adam_update n=%d element %d: %g vs %g", n, i, pb[i], p);
      }
      free(g), free(p0), free(m0), free(v0), free(pa), free(ma), free(va), free(pb), free(mb), free(vb);
    }
    /* attention loops: m = n positions, A from the list, keys with a stride */
    int m = n, Adim = SIZES[(si + 3) % NSIZES], ld = Adim + 3;
    real *K = rand_vec((size_t)m * ld, 1), *q = rand_vec(Adim, 1), *v = rand_vec(Adim, 1);
    real *s1 = nan_vec(m), *s2 = nan_vec(m);
    real *ta = nan_vec((size_t)m * Adim), *tb = nan_vec((size_t)m * Adim);
    scores_additive_simd(s1, K, ld, q, v, m, Adim, ta);
    scores_additive_scalar(s2, K, ld, q, v, m, Adim, tb);
    CHECK(max_rel(s1, s2, m) < tol, "scores_additive m=%d A=%d", m, Adim);
    CHECK(!memcmp(ta, tb, sizeof(real) * m * Adim), "scores_additive kept tanh differs m=%d A=%d", m, Adim);
    scores_additive_simd(s1, K, ld, q, v, m, Adim, NULL);
    CHECK(max_rel(s1, s2, m) < tol, "scores_additive without t m=%d A=%d", m, Adim);
    scores_dot_simd(s1, K, ld, q, (real)0.5, m, Adim);
    scores_dot_scalar(s2, K, ld, q, (real)0.5, m, Adim);
    CHECK(max_rel(s1, s2, m) < tol, "scores_dot m=%d A=%d", m, Adim);
    int len = m > 2 ? m - 1 : m;
    real *w1 = nan_vec(m), *w2 = nan_vec(m);
    softmax_masked_simd(w1, s2, m, len);
    softmax_masked_scalar(w2, s2, m, len);
    CHECK(max_rel(w1, w2, m) < tol, "softmax_masked m=%d len=%d", m, len);
    real sum = 0;
    for (int j = 0; j < len; j++) sum += w2[j];
    CHECK(fabs(sum - 1) < 1e-5 && (len == m || w2[m - 1] == 0), "softmax sums to %g", sum);
    int H = Adim;
    real *c1 = nan_vec(H), *c2 = nan_vec(H);
    weighted_sum_simd(c1, w2, K, ld, m, H);
    weighted_sum_scalar(c2, w2, K, ld, m, H);
    CHECK(max_rel(c1, c2, H) < tol, "weighted_sum m=%d H=%d", m, H);
    real *dK0 = rand_vec((size_t)m * ld, 1), *dq0 = rand_vec(Adim, 1), *dv0 = rand_vec(Adim, 1);
    real *dK1 = copy_vec(dK0, (size_t)m * ld), *dK2 = copy_vec(dK0, (size_t)m * ld);
    real *dq1 = copy_vec(dq0, Adim), *dq2 = copy_vec(dq0, Adim), *dv1 = copy_vec(dv0, Adim), *dv2 = copy_vec(dv0, Adim);
    scores_additive_backward_simd(dK1, ld, dq1, dv1, tb, v, w2, m, Adim);
    scores_additive_backward_scalar(dK2, ld, dq2, dv2, tb, v, w2, m, Adim);
    /* four positions at a time in the SIMD kernel, each element's additions still in order: bitwise */
    CHECK(!memcmp(dK1, dK2, sizeof(real) * m * ld) && !memcmp(dq1, dq2, sizeof(real) * Adim) &&
              !memcmp(dv1, dv2, sizeof(real) * Adim),
          "scores_additive_backward m=%d A=%d is not bitwise equal", m, Adim);
    /* dot scores' backward: the same additions in the same order, so bitwise equal */
    memcpy(dK1, dK0, sizeof(real) * m * ld), memcpy(dK2, dK0, sizeof(real) * m * ld);
    memcpy(dq1, dq0, sizeof(real) * Adim), memcpy(dq2, dq0, sizeof(real) * Adim);
    scores_dot_backward_simd(dK1, ld, dq1, K, ld, q, w2, (real)0.5, m, Adim);
    scores_dot_backward_scalar(dK2, ld, dq2, K, ld, q, w2, (real)0.5, m, Adim);
    CHECK(!memcmp(dK1, dK2, sizeof(real) * m * ld) && !memcmp(dq1, dq2, sizeof(real) * Adim),
          "scores_dot_backward m=%d A=%d is not bitwise equal", m, Adim);
    /* context and softmax backward (H = Adim): ds and dHs */
    real *ds1 = nan_vec(m), *ds2 = nan_vec(m);
    memcpy(dK1, dK0, sizeof(real) * m * ld), memcpy(dK2, dK0, sizeof(real) * m * ld);
    softmax_context_backward_simd(ds1, dK1, ld, K, w2, q, m, Adim);
    softmax_context_backward_scalar(ds2, dK2, ld, K, w2, q, m, Adim);
    CHECK(max_rel(ds1, ds2, m) < tol && max_rel(dK1, dK2, (size_t)m * ld) < tol,
          "softmax_context_backward m=%d H=%d", m, Adim);
    free(ds1), free(ds2);
    free(ta), free(tb);
    free(K), free(q), free(v), free(s1), free(s2), free(w1), free(w2), free(c1), free(c2);
    free(dK0), free(dq0), free(dv0), free(dK1), free(dK2), free(dq1), free(dq2), free(dv1), free(dv2);
  }
}
#endif

/* A batch of the reverse task for a model with vocabulary 4 + symbols. */
static void reverse_batch(int B, int M, int symbols, int32_t *src, int32_t *len, int32_t *tin, int32_t *tout) {
  int N = M + 1;
  memset(src, 0, sizeof(int32_t) * B * M);
  memset(tin, 0, sizeof(int32_t) * B * N);
  memset(tout, 0, sizeof(int32_t) * B * N);
  for (int b = 0; b < B; b++) {
    int L = 1 + test_int(M);
    len[b] = L;
    for (int j = 0; j < L; j++) src[b * M + j] = 4 + test_int(symbols);
    tin[b * N] = S2S_BOS;
    for (int i = 0; i < L; i++) {
      tout[b * N + i] = src[b * M + L - 1 - i];
      tin[b * N + i + 1] = tout[b * N + i];
    }
    tout[b * N + L] = S2S_EOS;
  }
}

/* The GEMMs' start (kernels.h: add = 0): each output starts from the bias row or from 0 instead of
 * C, which is not read (filled with NaN here), and the result is bitwise the copy-then-add or
 * clear-then-add it replaces, at shapes that cross the blocks and tiles, and with no terms. */
typedef void gemm_fn(real *, const real *, const real *, int, int, int, int, const real *);
static void test_gemm_start(void) {
  static const int shapes[][3] = {{9, 70, 300}, {70, 33, 520}, {5, 65, 257}, {3, 200, 13}, {6, 0, 11}, {1, 7, 5}};
  struct { const char *name; gemm_fn *f; int tn, nt; } fns[] = {
    {"gemm_nt_scalar", gemm_nt_scalar, 0, 1}, {"gemm_nn_scalar", gemm_nn_scalar, 0, 0},
    {"gemm_tn_scalar", gemm_tn_scalar, 1, 0},
#if S2S_SIMD
    {"gemm_nt_simd", gemm_nt_simd, 0, 1}, {"gemm_nn_simd", gemm_nn_simd, 0, 0},
    {"gemm_tn_simd", gemm_tn_simd, 1, 0},
#endif
  };
  for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++)
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
      int B = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
      /* C's shape: nt (B,N) from A (B,K), W (N,K); nn (B,K) from A (B,N); tn (N,K) from A (B,N) */
      int rows = fns[f].tn ? N : B, cols = fns[f].nt ? N : K;
      size_t nc = (size_t)rows * cols;
      real *A = rand_vec((size_t)B * (fns[f].nt ? K : N) + 1, 1), *W = rand_vec((size_t)(fns[f].tn ? B : N) * K + 1, 1);
      real *bias = rand_vec((size_t)cols + 1, 1), *c1 = rand_vec(nc + 1, 1), *c2 = rand_vec(nc + 1, 1);
      for (int z = 0; z < 2; z++) { /* from the bias, from 0 */
        for (size_t i = 0; i < nc; i++) c1[i] = (real)NAN, c2[i] = z ? 0 : bias[i % cols];
        fns[f].f(c1, A, W, B, N, K, 0, z ? NULL : bias);
        fns[f].f(c2, A, W, B, N, K, 1, NULL);
        CHECK(!memcmp(c1, c2, sizeof(real) * nc), "%s B=%d N=%d K=%d from %s is not the %s then add",
              fns[f].name, B, N, K, z ? "0" : "the bias", z ? "clear" : "copy");
      }
      free(A), free(W), free(bias), free(c1), free(c2);
    }
}

#if S2S_SIMD
/* gemm_nn/gemm_tn (gemm_rows) at shapes that cross its blocks of W (rows and columns) and its
 * four-row and eight-column tiles: each C element still adds over p in order, as the scalar
 * version does, so the results are bitwise equal (mul then add; the FMA build is not this one). */
static void test_gemm_blocks(void) {
  static const int shapes[][3] = {{9, 70, 300}, {70, 33, 520}, {5, 65, 257}, {64, 96, 768}, {3, 200, 13},
                                  {70, 301, 64}, {7, 450, 40}, {301, 70, 64}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int B = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
    real *A = rand_vec((size_t)B * N, 1), *W = rand_vec((size_t)N * K, 1), *X = rand_vec((size_t)B * K, 1);
    real *c1 = rand_vec((size_t)B * K, 1), *c2 = copy_vec(c1, (size_t)B * K);
    gemm_nn_simd(c1, A, W, B, N, K, 1, NULL);
    gemm_nn_scalar(c2, A, W, B, N, K, 1, NULL);
    CHECK(!memcmp(c1, c2, sizeof(real) * B * K) || S2S_FMA, "gemm_nn B=%d N=%d K=%d is not bitwise equal", B, N, K);
    real *d1 = rand_vec((size_t)N * K, 1), *d2 = copy_vec(d1, (size_t)N * K);
    gemm_tn_simd(d1, A, X, B, N, K, 1, NULL);
    gemm_tn_scalar(d2, A, X, B, N, K, 1, NULL);
    CHECK(!memcmp(d1, d2, sizeof(real) * N * K) || S2S_FMA, "gemm_tn B=%d N=%d K=%d is not bitwise equal", B, N, K);
    free(A), free(W), free(X), free(c1), free(c2), free(d1), free(d2);
  }
}

/* The transposed weights training's forward products use (s2s_transpose_weights): each matrix
 * gemm_xwt takes from W^T is exactly W transposed, and a product from W^T agrees with gemm_nt. */
static void test_transposed_weights(void) {
  s2s_model *m = s2s_create(S2S_CELL_LSTM, S2S_ATTN_ADDITIVE, 0, 24, 40, 36, 20, 50, 3);
  CHECK(m != NULL, "create: %s", s2s_last_error());
  if (!m) return;
  CHECK(s2s_transpose_weights(m) == S2S_OK, "transpose: %s", s2s_last_error());
  int transposed = 0;
  for (int i = 0; i < m->ntensors; i++) {
    const s2s_tensor *t = &m->tensors[i];
    if (!t->cols || strstr(t->name, "embed") || !gemm_wt_pays(t->rows, t->cols)) continue;
    transposed++;
    const real *w = m->params + t->offset, *wt = m->wt_block + t->offset;
    int bad = 0;
    for (int r = 0; r < t->rows; r++)
      for (int c = 0; c < t->cols; c++) bad += wt[(size_t)c * t->rows + r] != w[(size_t)r * t->cols + c];
    CHECK(!bad, "%s: %d entries of W^T differ from W", t->name, bad);
    int B = 7;
    real *A = rand_vec((size_t)B * t->cols, 1), *c1 = rand_vec((size_t)B * t->rows, 1);
    real *c2 = copy_vec(c1, (size_t)B * t->rows);
    gemm_xwt(c1, A, w, wt, B, t->rows, t->cols, 1, NULL);
    gemm_xwt(c2, A, w, NULL, B, t->rows, t->cols, 1, NULL);
    CHECK(max_rel(c1, c2, (size_t)B * t->rows) < 1e-5, "%s: the product from W^T differs", t->name);
    free(A), free(c1), free(c2);
  }
  CHECK(transposed >= 6, "only %d matrices were transposed", transposed);
  CHECK(m->wt.enc_wih == m->wt_block + m->tensors[s2s_param_index(m, "enc.weight_ih")].offset, "wt is bound");
  s2s_destroy(m);
}
#endif

static void test_decoding(void) {
  for (int cell = 0; cell < 3; cell++)
    for (int attn = 0; attn < 3; attn++) {
      s2s_model *m = s2s_create(cell, attn, 1, 8, 16, 12, 12, 12, 7);
      CHECK(m != NULL, "create: %s", s2s_last_error());
      if (!m) continue;
      enum { B = 8, M = 6, N = 7 };
      int32_t src[B * M], len[B], tin[B * N], tout[B * N];
      real loss;
      for (int s = 0; s < 30; s++) {
        reverse_batch(B, M, 8, src, len, tin, tout);
        CHECK(s2s_train_step(m, src, len, tin, tout, B, M, N, (real)0.01, 5, &loss) == S2S_OK, "%s", s2s_last_error());
      }
      for (int trial = 0; trial < 6; trial++) {
        int L = 1 + test_int(9);
        int32_t x[9];
        for (int j = 0; j < L; j++) x[j] = 4 + test_int(8);
        CHECK(s2s_decode(m, x, L, 1, 1, 0, 12, trial % 2) == S2S_OK, "greedy: %s", s2s_last_error());
        int glen = s2s_result_length(m, 0);
        int32_t gt[12];
        memcpy(gt, s2s_result_tokens(m, 0), sizeof(int32_t) * glen);
        real glp = s2s_result_logprob(m, 0);
        /* teacher-forced loss of the greedy output equals -logprob / length when it ends in EOS */
        if (gt[glen - 1] == S2S_EOS) {
          int32_t tin1[12], len1 = L;
          tin1[0] = S2S_BOS;
          for (int i = 1; i < glen; i++) tin1[i] = gt[i - 1];
          real l;
          CHECK(s2s_loss(m, x, &len1, tin1, gt, 1, L, glen, &l) == S2S_OK, "%s", s2s_last_error());
          CHECK(fabs(l * glen + glp) < 1e-4 * (1 + fabs(glp)), "decode vs forward: %g vs %g", l * glen, -glp);
        }
        for (int j = 0; j < glen; j++) CHECK(gt[j] != S2S_PAD && gt[j] != S2S_BOS, "greedy produced PAD/BOS");
        const real *at = s2s_result_attention(m, 0);
        for (int i = 0; i < glen && attn; i++) {
          real sum = 0;
          for (int j = 0; j < L; j++) sum += at[i * L + j];
          CHECK(fabs(sum - 1) < 1e-5, "attention row %d sums to %g", i, sum);
        }
        CHECK(s2s_decode(m, x, L, 1, 1, 0, 12, 0) == S2S_OK, "%s", s2s_last_error());
        CHECK(s2s_result_length(m, 0) == glen && !memcmp(s2s_result_tokens(m, 0), gt, sizeof(int32_t) * glen),
              "beam 1 differs from greedy");
        for (int k = 2; k <= 5; k++) {
          CHECK(s2s_decode(m, x, L, k, k, (real)(trial % 3) * 0.5f, 12, 0) == S2S_OK, "beam %d: %s", k, s2s_last_error());
          int n = s2s_result_count(m);
          CHECK(n >= 1 && n <= k, "beam %d returned %d results", k, n);
          real gscore = (trial % 3) ? glp / (real)pow(glen, (trial % 3) * 0.5) : glp;
          CHECK(s2s_result_score(m, 0) >= gscore - 1e-5, "beam %d best %g < greedy %g", k, s2s_result_score(m, 0), gscore);
          for (int r = 1; r < n; r++) CHECK(s2s_result_score(m, r) <= s2s_result_score(m, r - 1), "n-best not sorted");
        }
      }
      s2s_destroy(m);
    }
}

static void test_model_files(void) {
  s2s_model *m = s2s_create(S2S_CELL_LSTM, S2S_ATTN_DOT, 1, 6, 10, 8, 9, 11, 3);
  const uint8_t meta[] = "{\"vocab\":\"abc\"}";
  CHECK(s2s_set_meta(m, meta, sizeof meta) == S2S_OK, "%s", s2s_last_error());
  CHECK(s2s_save(m) == S2S_OK, "%s", s2s_last_error());
  size_t n = s2s_saved_length(m);
  uint8_t *file = malloc(n);
  memcpy(file, s2s_saved_bytes(m), n);
  s2s_model *m2 = s2s_load(file, n);
  CHECK(m2 != NULL, "load: %s", s2s_last_error());
  if (m2) {
    CHECK(s2s_save(m2) == S2S_OK && s2s_saved_length(m2) == n && !memcmp(s2s_saved_bytes(m2), file, n),
          "save(load(save())) differs");
    CHECK(s2s_meta_length(m2) == sizeof meta && !memcmp(s2s_meta(m2), meta, sizeof meta), "metadata lost");
    s2s_destroy(m2);
  }
  struct { size_t cut; size_t flip; const char *want; } cases[] = {
      {n - 1, 0, "truncated"}, {10, 0, "truncated"}, {0, 60, "checksum"}, {0, n - 2, "checksum"},
      {0, 3, "magic"},         {0, 8, "version"},    {0, 12, "configuration"}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    uint8_t *bad = malloc(n);
    memcpy(bad, file, n);
    size_t len = cases[c].cut ? cases[c].cut : n;
    if (cases[c].flip) bad[cases[c].flip] ^= cases[c].flip == 12 ? 0x40 : 0x01;
    s2s_model *x = s2s_load(bad, len);
    CHECK(x == NULL && strstr(s2s_last_error(), cases[c].want), "case %zu: expected '%s', got '%s'", c,
          cases[c].want, s2s_last_error());
    s2s_destroy(x);
    free(bad);
  }
  /* oversized: a header that claims a huge hidden size is refused before allocating */
  uint8_t *big = malloc(n);
  memcpy(big, file, n);
  big[12 + 4 * 4] = 0xFF, big[12 + 4 * 4 + 1] = 0xFF, big[12 + 4 * 4 + 2] = 0xFF;
  CHECK(s2s_load(big, n) == NULL && strstr(s2s_last_error(), "hidden size"), "oversized: %s", s2s_last_error());
  free(big);
  free(file);
  s2s_destroy(m);
}

static void test_arguments(void) {
  CHECK(s2s_create(5, 1, 1, 8, 8, 8, 10, 10, 1) == NULL && strstr(s2s_last_error(), "unknown cell"), "%s", s2s_last_error());
  CHECK(s2s_create(1, 7, 1, 8, 8, 8, 10, 10, 1) == NULL && strstr(s2s_last_error(), "unknown attention"), "%s", s2s_last_error());
  CHECK(s2s_create(1, 1, 1, 0, 8, 8, 10, 10, 1) == NULL && strstr(s2s_last_error(), "embed size"), "%s", s2s_last_error());
  CHECK(s2s_create(1, 1, 1, 8, 100000, 8, 10, 10, 1) == NULL && s2s_last_status() == S2S_ERR_LIMIT, "%s", s2s_last_error());
  CHECK(s2s_create(1, 1, 1, 1024, 1024, 1024, 65536, 65536, 1) == NULL && strstr(s2s_last_error(), "parameters"), "%s", s2s_last_error());
  s2s_model *m = s2s_create(1, 1, 1, 4, 4, 4, 6, 6, 1);
  int32_t src[2] = {4, 9}, len[1] = {2}, tin[2] = {1, 4}, tout[2] = {4, 2};
  real loss;
  CHECK(s2s_loss(m, src, len, tin, tout, 1, 2, 2, &loss) != S2S_OK && strstr(s2s_last_error(), "src[1]"), "%s", s2s_last_error());
  src[1] = 5, len[0] = 3;
  CHECK(s2s_loss(m, src, len, tin, tout, 1, 2, 2, &loss) != S2S_OK && strstr(s2s_last_error(), "srcLengths"), "%s", s2s_last_error());
  len[0] = 2, tout[0] = 0, tout[1] = 0;
  CHECK(s2s_loss(m, src, len, tin, tout, 1, 2, 2, &loss) != S2S_OK && strstr(s2s_last_error(), "PAD"), "%s", s2s_last_error());
  tout[0] = 4, tout[1] = 2;
  /* an absurd learning rate diverges within a few steps; the weights stay finite */
  int rc = S2S_OK, steps = 0;
  while (rc == S2S_OK && steps < 10) rc = s2s_train_step(m, src, len, tin, tout, 1, 2, 2, (real)1e30, 0, &loss), steps++;
  CHECK(rc == S2S_ERR_DIVERGED && strstr(s2s_last_error(), "diverged at step"), "absurd learning rate: %d %s", rc, s2s_last_error());
  int finite = 1;
  for (size_t i = 0; i < m->total; i++) finite &= isfinite(m->params[i]) != 0;
  CHECK(finite && s2s_step_count(m) == steps - 1, "weights after divergence");
  CHECK(s2s_train_step(m, src, len, tin, tout, 1, 2, 2, -1, 0, &loss) == S2S_ERR_BAD_ARGUMENT, "negative lr");
  CHECK(s2s_decode(m, src, 2, 100, 1, 0, 10, 0) == S2S_ERR_LIMIT, "beam 100");
  CHECK(s2s_decode(m, src, 2, 2, 3, 0, 10, 0) == S2S_ERR_BAD_ARGUMENT, "nBest > beam");
  CHECK(s2s_decode(m, src, 0, 1, 1, 0, 10, 0) == S2S_ERR_BAD_ARGUMENT, "empty source");
  s2s_destroy(m);
}

/* Dot attention's backward by source position (context_backward_rows, softmax_backward_row,
 * scores_dot_backward_rows over time-major rows, as s2s_attention_backward runs them) against
 * the per-row kernels on the same path: bitwise the same ds, dHs, dq and dK. */
static void test_attention_rows(void) {
  static const int shapes[][4] = {{5, 7, 9, 6}, {9, 4, 64, 64}, {3, 11, 13, 17}}; /* R, M, H, A */
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int R = shapes[s][0], M = shapes[s][1], H = shapes[s][2], A = shapes[s][3];
    int32_t lens[16];
    for (int r = 0; r < R; r++) lens[r] = 1 + (r * 5 + 3) % M;
    size_t nh = (size_t)M * R * H, nk = (size_t)M * R * A;
    real *hs = rand_vec(nh, 1), *keys = rand_vec(nk, 1), *dc = rand_vec((size_t)R * H, 1);
    real *q = rand_vec((size_t)R * A, 1), *alpha = rand_vec((size_t)R * M, 1);
    real *dhs1 = rand_vec(nh, 1), *dk1 = rand_vec(nk, 1), *dq1 = rand_vec((size_t)R * A, 1);
    real *dhs2 = malloc(sizeof(real) * nh), *dk2 = malloc(sizeof(real) * nk), *dq2 = malloc(sizeof(real) * R * A);
    memcpy(dhs2, dhs1, sizeof(real) * nh), memcpy(dk2, dk1, sizeof(real) * nk), memcpy(dq2, dq1, sizeof(real) * R * A);
    real *da1 = malloc(sizeof(real) * R * M), *da2 = malloc(sizeof(real) * R * M);
    for (int i = 0; i < R * M; i++) da1[i] = da2[i] = 0;
    for (int r = 0; r < R; r++) { /* per row: positions R rows apart */
      S2S_KERNEL(softmax_context_backward)(da1 + r * M, dhs1 + (size_t)r * H, R * H, hs + (size_t)r * H,
                                           alpha + r * M, dc + (size_t)r * H, lens[r], H);
      S2S_KERNEL(scores_dot_backward)(dk1 + (size_t)r * A, R * A, dq1 + (size_t)r * A, keys + (size_t)r * A,
                                      R * A, q + (size_t)r * A, da1 + r * M, (real)0.5, lens[r], A);
    }
    for (int j = 0; j < M; j++)
      S2S_KERNEL(context_backward_rows)(da2 + j, M, dhs2 + (size_t)j * R * H, hs + (size_t)j * R * H,
                                        alpha + j, M, dc, lens, j, R, H);
    for (int r = 0; r < R; r++) softmax_backward_row(da2 + r * M, alpha + r * M, lens[r]);
    for (int j = 0; j < M; j++)
      S2S_KERNEL(scores_dot_backward_rows)(dk2 + (size_t)j * R * A, dq2, keys + (size_t)j * R * A, q,
                                           da2 + j, M, (real)0.5, lens, j, R, A);
    CHECK(!memcmp(da1, da2, sizeof(real) * R * M) && !memcmp(dhs1, dhs2, sizeof(real) * nh) &&
              !memcmp(dk1, dk2, sizeof(real) * nk) && !memcmp(dq1, dq2, sizeof(real) * R * A),
          "attention backward by position R=%d M=%d H=%d A=%d is not bitwise the per-row one", R, M, H, A);
    free(hs), free(keys), free(dc), free(q), free(alpha), free(dhs1), free(dk1), free(dq1);
    free(dhs2), free(dk2), free(dq2), free(da1), free(da2);
  }
}

/* Same seed, same weights; a different seed, different weights. */
static void test_seed(void) {
  s2s_model *a = s2s_create(1, 1, 1, 5, 7, 6, 9, 9, 42), *b = s2s_create(1, 1, 1, 5, 7, 6, 9, 9, 42);
  s2s_model *c = s2s_create(1, 1, 1, 5, 7, 6, 9, 9, 43);
  CHECK(!memcmp(a->params, b->params, sizeof(real) * a->total), "same seed, different weights");
  CHECK(memcmp(a->params, c->params, sizeof(real) * a->total), "different seeds, same weights");
  s2s_destroy(a), s2s_destroy(b), s2s_destroy(c);
}

/* The additive attention's tanh terms kept from the forward (small batches) and recomputed by the
 * backward (s2s_attn_t_keep_max exceeded, as at model C's size): the same gradients, bit for bit,
 * and both different from a wrong path would be (a changed weight changes them). */
static void test_attn_t_recompute(void) {
  for (int cell = 0; cell < 3; cell++) {
    s2s_model *m = s2s_create(cell, S2S_ATTN_ADDITIVE, 1, 8, 16, 12, 12, 12, 7);
    CHECK(m != NULL, "create: %s", s2s_last_error());
    if (!m) continue;
    enum { B = 8, M = 6, N = 7 };
    int32_t src[B * M], len[B], tin[B * N], tout[B * N];
    reverse_batch(B, M, 8, src, len, tin, tout);
    real loss[2];
    real *g[2];
    size_t keep = s2s_attn_t_keep_max;
    for (int k = 0; k < 2; k++) {
      s2s_attn_t_keep_max = k ? 0 : keep;
      CHECK(s2s_loss_and_grad(m, src, len, tin, tout, B, M, N, &loss[k]) == S2S_OK, "%s", s2s_last_error());
      CHECK(m->train_ws.attn_t_kept == !k, "kept: %d with limit %zu", m->train_ws.attn_t_kept, s2s_attn_t_keep_max);
      g[k] = malloc(sizeof(real) * m->total);
      memcpy(g[k], m->grads, sizeof(real) * m->total);
    }
    s2s_attn_t_keep_max = keep;
    CHECK(loss[0] == loss[1], "loss %g kept, %g recomputed", (double)loss[0], (double)loss[1]);
    CHECK(!memcmp(g[0], g[1], sizeof(real) * m->total), "cell %d: gradients differ with the tanh terms recomputed", cell);
    real nz = 0;
    for (size_t i = 0; i < m->total; i++) nz += g[1][i] != 0;
    CHECK(nz > m->total / 4, "only %g of %zu gradients nonzero", (double)nz, m->total);
    free(g[0]), free(g[1]);
    s2s_destroy(m);
  }
}

int main(void) {
  test_gemm_start();
#if S2S_SIMD
  test_kernels();
  test_tanh_sweep();
  test_gemm_blocks();
  test_transposed_weights();
#endif
  test_attention_rows();
  test_attn_t_recompute();
  test_decoding();
  test_model_files();
  test_arguments();
  test_seed();
  return check_summary(S2S_SIMD ? "test_core (SIMD paths)" : "test_core (scalar paths)");
}
