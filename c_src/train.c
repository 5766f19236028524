/* train.c: the teacher-forced batch: forward and loss, the full backward pass (decoder, attention,
 * encoder) into the gradient block, global-norm clipping and Adam.
 */
#include <math.h>
#include <string.h>

#include "cell.h"
#include "kernels.h"
#include "model.h"

static int check_batch(const s2s_model *m, const int32_t *src, const int32_t *src_len,
                       const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N) {
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  if (!src || !src_len || !tgt_in || !tgt_out)
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "src, srcLengths, tgtIn and tgtOut are all required");
  if (B < 1 || B > S2S_MAX_BATCH)
    return s2s_fail(B < 1 ? S2S_ERR_BAD_ARGUMENT : S2S_ERR_LIMIT,
                    "batch size %d is out of range: it must be between 1 and %d", B, S2S_MAX_BATCH);
  if (M < 1 || M > S2S_MAX_LENGTH || N < 1 || N > S2S_MAX_LENGTH)
    return s2s_fail(M < 1 || N < 1 ? S2S_ERR_BAD_ARGUMENT : S2S_ERR_LIMIT,
                    "source length %d and target length %d must be between 1 and %d", M, N,
                    S2S_MAX_LENGTH);
  for (int b = 0; b < B; b++) {
    if (src_len[b] < 1 || src_len[b] > M)
      return s2s_fail(S2S_ERR_BAD_ARGUMENT, "srcLengths[%d] = %d: it must be between 1 and %d", b,
                      src_len[b], M);
    for (int t = 0; t < M; t++) {
      int x = src[(size_t)b * M + t];
      if (x < 0 || x >= m->Vs)
        return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                        "src[%d] = %d is not a token id of the source vocabulary (0..%d)",
                        b * M + t, x, m->Vs - 1);
    }
  }
  int count = 0;
  for (size_t i = 0; i < (size_t)B * N; i++) {
    if (tgt_in[i] < 0 || tgt_in[i] >= m->Vt)
      return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                      "tgtIn[%zu] = %d is not a token id of the target vocabulary (0..%d)", i,
                      tgt_in[i], m->Vt - 1);
    if (tgt_out[i] < 0 || tgt_out[i] >= m->Vt)
      return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                      "tgtOut[%zu] = %d is not a token id of the target vocabulary (0..%d)", i,
                      tgt_out[i], m->Vt - 1);
    count += tgt_out[i] != S2S_PAD;
  }
  if (!count) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "tgtOut holds only PAD (0): there is nothing to learn from");
  return count;
}

/* Forward over the batch; leaves log-probabilities in ws->logits; returns the mean loss. */
static real forward(s2s_model *m, s2s_workspace *ws, const int32_t *src, const int32_t *src_len,
                    const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N, int count) {
  int H = m->H, A = m->A, GH = m->G * m->H, Din = m->Din, Dout = m->Dout, Vt = m->Vt;
  s2s_encoder_forward(m, ws, src, src_len, B, M);
  int32_t tokens[S2S_MAX_BATCH];
  for (int i = 0; i < N; i++) {
    for (int b = 0; b < B; b++) tokens[b] = tgt_in[(size_t)b * N + i];
    size_t rb = (size_t)i * B;
    int at = m->attn != 0;
    s2s_decoder_step(m, ws, 0, src_len, B, tokens, ws->s + rb * H, ws->cs ? ws->cs + rb * H : NULL,
                     at ? ws->q + rb * A : NULL, at ? ws->scores + rb * M : NULL,
                     at ? ws->alpha + rb * M : NULL, ws->attn_t ? ws->attn_t + rb * M * A : NULL,
                     at ? ws->ctx + rb * H : NULL, ws->xd + rb * Din,
                     ws->gi_dec + rb * GH, ws->gh_dec + rb * GH, ws->gates_dec + rb * GH,
                     ws->s + (rb + B) * H, ws->cs ? ws->cs + (rb + B) * H : NULL, ws->oi + rb * Dout);
  }
  size_t rows = (size_t)N * B;
  for (size_t r = 0; r < rows; r++) memcpy(ws->logits + r * Vt, m->w.out_b, sizeof(real) * Vt);
  S2S_KERNEL(gemm_nt)(ws->logits, ws->oi, m->w.out_w, (int)rows, Vt, Dout); /* all steps at once */
  double loss = 0;
  for (int i = 0; i < N; i++)
    for (int b = 0; b < B; b++) {
      int y = tgt_out[(size_t)b * N + i];
      if (y == S2S_PAD) continue;
      real *row = ws->logits + ((size_t)i * B + b) * Vt;
      log_softmax_row(row, Vt);
      loss -= row[y];
    }
  return (real)(loss / count);
}

static void col_sum_add(real *dst, const real *x, size_t rows, int cols) {
  for (size_t r = 0; r < rows; r++) S2S_KERNEL(axpy)(dst, 1, x + r * cols, cols);
}

/* Backward of forward(); adds into the (zeroed) gradient block. */
static void backward(s2s_model *m, s2s_workspace *ws, const int32_t *src, const int32_t *src_len,
                     const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N, int count) {
  int E = m->E, H = m->H, A = m->A, GH = m->G * m->H, Din = m->Din, Dout = m->Dout, Vt = m->Vt;
  const s2s_weights *w = &m->w;
  s2s_weights *g = &m->g;
  size_t rows = (size_t)N * B;
  int lstm = m->cell == S2S_CELL_LSTM;

  /* output layer: dlogits = (p - onehot) / count on non-PAD rows, 0 elsewhere */
  real inv = (real)1 / count;
  for (int i = 0; i < N; i++)
    for (int b = 0; b < B; b++) {
      int y = tgt_out[(size_t)b * N + i];
      real *row = ws->logits + ((size_t)i * B + b) * Vt;
      if (y == S2S_PAD) {
        memset(row, 0, sizeof(real) * Vt);
        continue;
      }
      for (int v = 0; v < Vt; v++) row[v] = s2s_exp(row[v]) * inv;
      row[y] -= inv;
    }
  S2S_KERNEL(gemm_tn)(g->out_w, ws->logits, ws->oi, (int)rows, Vt, Dout);
  col_sum_add(g->out_b, ws->logits, rows, Vt);
  memset(ws->d_oi, 0, sizeof(real) * rows * Dout);
  S2S_KERNEL(gemm_nn)(ws->d_oi, ws->logits, w->out_w, (int)rows, Vt, Dout);

  /* decoder, last step first */
  memset(ws->d_h_enc, 0, sizeof(real) * (size_t)(M + 1) * B * H);
  if (m->attn) {
    memset(ws->d_keys, 0, sizeof(real) * (size_t)M * B * A);
    memset(ws->d_q, 0, sizeof(real) * rows * A);
  }
  memset(ws->ds, 0, sizeof(real) * B * H);
  memset(ws->dcs, 0, sizeof(real) * B * H);
  real scale = m->scale ? 1 / (real)sqrt((double)A) : 1;
  for (int i = N - 1; i >= 0; i--) {
    size_t rb = (size_t)i * B;
    for (int b = 0; b < B; b++) { /* ds += the output layer's share */
      const real *d = ws->d_oi + (rb + b) * Dout;
      S2S_KERNEL(axpy)(ws->ds + (size_t)b * H, 1, d, H);
      if (m->attn) memcpy(ws->dctx + (size_t)b * H, d + H, sizeof(real) * H);
    }
    real *dgi = ws->d_gi_dec + rb * GH, *dgh = ws->d_gh_dec + rb * GH;
    cell_backward(m->cell, B, H, ws->gh_dec + rb * GH, ws->gates_dec + rb * GH, ws->s + rb * H,
                  lstm ? ws->cs + rb * H : NULL, lstm ? ws->cs + (rb + B) * H : NULL, ws->ds,
                  lstm ? ws->dcs : NULL, dgi, dgh, ws->ds_prev, lstm ? ws->dcs_prev : NULL);
    S2S_KERNEL(gemm_nn)(ws->ds_prev, dgh, w->dec_whh, B, GH, H);
    memset(ws->d_xd, 0, sizeof(real) * B * Din);
    S2S_KERNEL(gemm_nn)(ws->d_xd, dgi, w->dec_wih, B, GH, Din);
    for (int b = 0; b < B; b++) {
      const real *dx = ws->d_xd + (size_t)b * Din;
      S2S_KERNEL(axpy)(g->dec_embed + (size_t)tgt_in[(size_t)b * N + i] * E, 1, dx, E);
      if (m->attn) S2S_KERNEL(axpy)(ws->dctx + (size_t)b * H, 1, dx + E, H);
    }
    if (m->attn) {
      for (int b = 0; b < B; b++) {
        int len = src_len[b];
        const real *al = ws->alpha + (rb + b) * M, *dc = ws->dctx + (size_t)b * H;
        const real *hs = ws->h_enc + ((size_t)B + b) * H;
        real *dhs = ws->d_h_enc + ((size_t)B + b) * H, *da = ws->dalpha;
        /* context: dalpha_j = dc . h_j, dh_j += alpha_j dc */
        S2S_KERNEL(scores_dot)(da, hs, B * H, dc, 1, len, H);
        real sum = 0;
        for (int j = 0; j < len; j++) {
          S2S_KERNEL(axpy)(dhs + (size_t)j * B * H, al[j], dc, H);
          sum += al[j] * da[j];
        }
        for (int j = 0; j < len; j++) da[j] = al[j] * (da[j] - sum); /* softmax backward */
        const real *keys = ws->keys + (size_t)b * A, *q = ws->q + (rb + b) * A;
        real *dkeys = ws->d_keys + (size_t)b * A, *dq = ws->d_q + (rb + b) * A;
        if (m->attn == S2S_ATTN_ADDITIVE) {
          S2S_KERNEL(scores_additive_backward)(dkeys, B * A, dq, g->attn_v,
                                               ws->attn_t + (rb + b) * M * A, w->attn_v, da, len, A);
        } else {
          for (int j = 0; j < len; j++) {
            S2S_KERNEL(axpy)(dq, scale * da[j], keys + (size_t)j * B * A, A);
            S2S_KERNEL(axpy)(dkeys + (size_t)j * B * A, scale * da[j], q, A);
          }
        }
      }
      S2S_KERNEL(gemm_nn)(ws->ds_prev, ws->d_q + rb * A,
                          m->attn == S2S_ATTN_ADDITIVE ? w->attn_ws : w->attn_wq, B, A, H);
    }
    memcpy(ws->ds, ws->ds_prev, sizeof(real) * B * H);
    if (lstm) memcpy(ws->dcs, ws->dcs_prev, sizeof(real) * B * H);
  }
  /* decoder weights, all steps at once */
  S2S_KERNEL(gemm_tn)(g->dec_wih, ws->d_gi_dec, ws->xd, (int)rows, GH, Din);
  col_sum_add(g->dec_bih, ws->d_gi_dec, rows, GH);
  S2S_KERNEL(gemm_tn)(g->dec_whh, ws->d_gh_dec, ws->s, (int)rows, GH, H);
  col_sum_add(g->dec_bhh, ws->d_gh_dec, rows, GH);
  if (m->attn) {
    real *gw = m->attn == S2S_ATTN_ADDITIVE ? g->attn_ws : g->attn_wq;
    S2S_KERNEL(gemm_tn)(gw, ws->d_q, ws->s, (int)rows, A, H);
    if (m->attn == S2S_ATTN_ADDITIVE) col_sum_add(g->attn_b, ws->d_q, rows, A);
    /* keys: computed once per sequence, so their gradient is folded once */
    const real *wk = m->attn == S2S_ATTN_ADDITIVE ? w->attn_wh : w->attn_wk;
    real *gk = m->attn == S2S_ATTN_ADDITIVE ? g->attn_wh : g->attn_wk;
    S2S_KERNEL(gemm_tn)(gk, ws->d_keys, ws->h_enc + (size_t)B * H, M * B, A, H);
    S2S_KERNEL(gemm_nn)(ws->d_h_enc + (size_t)B * H, ws->d_keys, wk, M * B, A, H);
  }
  /* s_0 came from each sequence's last real position */
  for (int b = 0; b < B; b++)
    S2S_KERNEL(axpy)(ws->d_h_enc + ((size_t)src_len[b] * B + b) * H, 1, ws->ds + (size_t)b * H, H);

  /* encoder, last position first; ws->ds / dcs now carry the running dh / dc */
  memset(ws->ds, 0, sizeof(real) * B * H);
  real *dc_run = ws->dcs_prev; /* dc injected from s_0 at each sequence's last position */
  if (lstm) memcpy(dc_run, ws->dcs, sizeof(real) * B * H);
  for (int t = M - 1; t >= 0; t--) {
    size_t o = (size_t)t * B;
    for (int b = 0; b < B; b++) {
      real *dh = ws->ds + (size_t)b * H;
      S2S_KERNEL(axpy)(dh, 1, ws->d_h_enc + (o + B + b) * H, H);
      if (lstm) {
        real *dc = ws->dctx + (size_t)b * H; /* reused as this step's dc */
        if (t == M - 1) memset(dc, 0, sizeof(real) * H);
        if (src_len[b] == t + 1) S2S_KERNEL(axpy)(dc, 1, dc_run + (size_t)b * H, H);
      }
    }
    real *dgi = ws->d_gi_enc + o * GH, *dgh = ws->d_gh_enc + o * GH;
    cell_backward(m->cell, B, H, ws->gh_enc + o * GH, ws->gates_enc + o * GH, ws->h_enc + o * H,
                  lstm ? ws->c_enc + o * H : NULL, lstm ? ws->c_enc + (o + B) * H : NULL, ws->ds,
                  lstm ? ws->dctx : NULL, dgi, dgh, ws->ds_prev, lstm ? ws->dcs : NULL);
    S2S_KERNEL(gemm_nn)(ws->ds_prev, dgh, w->enc_whh, B, GH, H);
    memcpy(ws->ds, ws->ds_prev, sizeof(real) * B * H);
    if (lstm) memcpy(ws->dctx, ws->dcs, sizeof(real) * B * H);
  }
  S2S_KERNEL(gemm_tn)(g->enc_wih, ws->d_gi_enc, ws->x_enc, M * B, GH, E);
  col_sum_add(g->enc_bih, ws->d_gi_enc, (size_t)M * B, GH);
  S2S_KERNEL(gemm_tn)(g->enc_whh, ws->d_gh_enc, ws->h_enc, M * B, GH, H);
  col_sum_add(g->enc_bhh, ws->d_gh_enc, (size_t)M * B, GH);
  memset(ws->d_x_enc, 0, sizeof(real) * (size_t)M * B * E);
  S2S_KERNEL(gemm_nn)(ws->d_x_enc, ws->d_gi_enc, w->enc_wih, M * B, GH, E);
  for (int t = 0; t < M; t++)
    for (int b = 0; b < B; b++)
      S2S_KERNEL(axpy)(g->enc_embed + (size_t)src[(size_t)b * M + t] * E, 1,
                       ws->d_x_enc + ((size_t)t * B + b) * E, E);
}

static int run_batch(s2s_model *m, const int32_t *src, const int32_t *src_len, const int32_t *tgt_in,
                     const int32_t *tgt_out, int B, int M, int N, int with_grad, real *loss_out) {
  s2s_clear_error();
  int count = check_batch(m, src, src_len, tgt_in, tgt_out, B, M, N);
  if (count < 0) return count;
  int rc = s2s_workspace_ensure(m, &m->train_ws, B, M, N, with_grad);
  if (rc) return rc;
  real loss = forward(m, &m->train_ws, src, src_len, tgt_in, tgt_out, B, M, N, count);
  if (with_grad) {
    memset(m->grads, 0, sizeof(real) * m->total);
    backward(m, &m->train_ws, src, src_len, tgt_in, tgt_out, B, M, N, count);
  }
  if (loss_out) *loss_out = loss;
  return S2S_OK;
}

int s2s_loss_and_grad(s2s_model *m, const int32_t *src, const int32_t *src_len,
                      const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N,
                      real *loss_out) {
  return run_batch(m, src, src_len, tgt_in, tgt_out, B, M, N, 1, loss_out);
}

int s2s_loss(s2s_model *m, const int32_t *src, const int32_t *src_len, const int32_t *tgt_in,
             const int32_t *tgt_out, int B, int M, int N, real *loss_out) {
  return run_batch(m, src, src_len, tgt_in, tgt_out, B, M, N, 0, loss_out);
}

/* ---- Adam ---------------------------------------------------------------------------------- */

int s2s_set_adam(s2s_model *m, real beta1, real beta2, real eps) {
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0 && eps < 1))
    return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                    "Adam needs 0 <= beta1 < 1, 0 <= beta2 < 1 and 0 < epsilon < 1 (got %g, %g, %g)",
                    (double)beta1, (double)beta2, (double)eps);
  m->beta1 = beta1, m->beta2 = beta2, m->eps = eps;
  return S2S_OK;
}

int s2s_step_count(const s2s_model *m) { return m ? m->steps : 0; }

int s2s_train_step(s2s_model *m, const int32_t *src, const int32_t *src_len,
                   const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N,
                   real learning_rate, real clip_norm, real *loss_out) {
  if (!(learning_rate > 0) || !isfinite(learning_rate))
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "learning rate must be a finite number > 0, got %g",
                    (double)learning_rate);
  if (!(clip_norm >= 0) || !isfinite(clip_norm))
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "clip norm must be a finite number >= 0 (0 = off), got %g",
                    (double)clip_norm);
  real loss;
  int rc = run_batch(m, src, src_len, tgt_in, tgt_out, B, M, N, 1, &loss);
  if (rc) return rc;
  if (loss_out) *loss_out = loss;
  double sq = 0;
  for (size_t i = 0; i < m->total; i++) sq += (double)m->grads[i] * m->grads[i];
  double norm = sqrt(sq);
  if (!isfinite(loss) || !isfinite(norm))
    return s2s_fail(S2S_ERR_DIVERGED,
                    "training diverged at step %d: the loss or a gradient is not finite (loss %g); "
                    "the weights are those before this step: lower the learning rate",
                    m->steps + 1, (double)loss);
  real gscale = clip_norm > 0 && norm > clip_norm ? (real)(clip_norm / (norm + 1e-6)) : 1;
  double b1p = m->beta1_pow * m->beta1, b2p = m->beta2_pow * m->beta2;
  real step_size = (real)(learning_rate / (1 - b1p));
  real bc2_sqrt = (real)sqrt(1 - b2p);
  real b1 = m->beta1, b2 = m->beta2, eps = m->eps;
  /* two passes: the update is applied only if every new weight is finite */
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < m->total; i++) {
      real gr = m->grads[i] * gscale;
      real mm = b1 * m->adam_m[i] + (1 - b1) * gr;
      real vv = b2 * m->adam_v[i] + (1 - b2) * gr * gr;
      real p = m->params[i] - step_size * mm / ((real)sqrt(vv) / bc2_sqrt + eps);
      if (pass == 0) {
        if (!isfinite(p))
          return s2s_fail(S2S_ERR_DIVERGED,
                          "training diverged at step %d: an updated weight would not be finite; "
                          "the weights are those before this step: lower the learning rate",
                          m->steps + 1);
      } else {
        m->adam_m[i] = mm;
        m->adam_v[i] = vv;
        m->params[i] = p;
      }
    }
  }
  m->beta1_pow = b1p, m->beta2_pow = b2p;
  m->steps++;
  return S2S_OK;
}
