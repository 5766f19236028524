/* layers.c: the model's layers, each forward beside its backward (shapes and conventions in
 * layers.h). train.c runs them over a batch, decode.c runs the forwards one step at a time.
 */
#include "layers.h"

#include <math.h>
#include <string.h>

#include "cell.h"
#include "kernels.h"

/* The gradient on b_hh (GH), zero before, after the one on b_ih from dgi: where dgh is dgi
 * (cell_dgh_is_dgi) it is the same column sum, so a copy of it instead of a second pass. */
static void bias_hh_backward(real *gb_hh, const real *gb_ih, const real *dgi, const real *dgh,
                             int rows, int GH) {
  if (dgh == dgi) s2s_copy(gb_hh, gb_ih, (size_t)GH);
  else S2S_KERNEL(col_sum)(gb_hh, dgh, rows, GH);
}

/* ---- encoder ------------------------------------------------------------------------------- */

void s2s_encoder_forward(s2s_workspace *ws, const int32_t *src, const int32_t *src_len,
                         const s2s_model *m, int B, int M) {
  int E = m->cfg.E, H = m->cfg.H, GH = m->G * m->cfg.H;
  const s2s_weights *w = &m->w;
  for (int t = 0; t < M; t++)
    for (int b = 0; b < B; b++)
      s2s_copy(ws->x_enc + ((size_t)t * B + b) * E, w->enc_embed + (size_t)src[(size_t)b * M + t] * E, E);
  gemm_xwt(ws->gi_enc, ws->x_enc, w->enc_wih, S2S_WT(m, enc_wih), M * B, GH, E, 0, w->enc_bih); /* (M*B,GH) */
  s2s_zero(ws->h_enc, B * H);
  if (ws->c_enc) s2s_zero(ws->c_enc, B * H);
  for (int t = 0; t < M; t++) {
    size_t o = (size_t)t * B;
    cell_forward(m->cfg.cell, B, H, w->enc_whh, S2S_WT(m, enc_whh), w->enc_bhh, ws->gi_enc + o * GH,
                 ws->h_enc + o * H, ws->c_enc ? ws->c_enc + o * H : NULL, ws->gh_tmp,
                 ws->gh_enc ? ws->gh_enc + o * H : NULL, ws->gates_enc + o * GH, ws->h_enc + (o + B) * H,
                 ws->c_enc ? ws->c_enc + (o + B) * H : NULL);
  }
  for (int b = 0; b < B; b++) { /* s_0: the state at each sequence's last real position */
    size_t at = ((size_t)src_len[b] * B + b) * H;
    s2s_copy(ws->s + (size_t)b * H, ws->h_enc + at, H);
    if (ws->cs) s2s_copy(ws->cs + (size_t)b * H, ws->c_enc + at, H);
  }
}

void s2s_encoder_backward(s2s_weights *g, s2s_workspace *ws, const real *ds0, const real *dc0,
                          const int32_t *src, const int32_t *src_len, const s2s_model *m, int B,
                          int M) {
  int E = m->cfg.E, H = m->cfg.H, GH = m->G * m->cfg.H;
  const s2s_weights *w = &m->w;
  int lstm = m->cfg.cell == S2S_CELL_LSTM;
  /* s_0 came from each sequence's last real position */
  for (int b = 0; b < B; b++)
    S2S_KERNEL(axpy)(ws->d_h_enc + ((size_t)src_len[b] * B + b) * H, 1, ds0 + (size_t)b * H, H);
  /* last position first; dh is the running gradient on h, dc on c (LSTM) */
  real *dh = ws->ds, *dh_prev = ws->ds_prev, *dc = ws->dctx, *dc_prev = ws->dcs;
  real *dc_run = ws->dcs_prev; /* dc injected from c_0 at each sequence's last position */
  if (lstm) memmove(dc_run, dc0, sizeof(real) * B * H);
  s2s_zero(dh, B * H);
  for (int t = M - 1; t >= 0; t--) {
    size_t o = (size_t)t * B;
    for (int b = 0; b < B; b++) {
      S2S_KERNEL(axpy)(dh + (size_t)b * H, 1, ws->d_h_enc + (o + B + b) * H, H);
      if (lstm) {
        real *dcb = dc + (size_t)b * H;
        if (t == M - 1) s2s_zero(dcb, H);
        if (src_len[b] == t + 1) S2S_KERNEL(axpy)(dcb, 1, dc_run + (size_t)b * H, H);
      }
    }
    real *dgi = ws->d_gi_enc + o * GH, *dgh = ws->d_gh_enc + o * GH;
    cell_backward(m->cfg.cell, B, H, ws->gh_enc ? ws->gh_enc + o * H : NULL, ws->gates_enc + o * GH, ws->h_enc + o * H,
                  lstm ? ws->c_enc + o * H : NULL, dh, lstm ? dc : NULL, dgi, dgh, dh_prev,
                  lstm ? dc_prev : NULL);
    S2S_KERNEL(gemm_nn)(dh_prev, dgh, w->enc_whh, B, GH, H, 1, NULL);
    s2s_copy(dh, dh_prev, B * H);
    if (lstm) s2s_copy(dc, dc_prev, B * H);
  }
  S2S_KERNEL(gemm_tn)(g->enc_wih, ws->d_gi_enc, ws->x_enc, M * B, GH, E, 0, NULL);
  S2S_KERNEL(col_sum)(g->enc_bih, ws->d_gi_enc, M * B, GH);
  S2S_KERNEL(gemm_tn)(g->enc_whh, ws->d_gh_enc, ws->h_enc, M * B, GH, H, 0, NULL);
  bias_hh_backward(g->enc_bhh, g->enc_bih, ws->d_gi_enc, ws->d_gh_enc, M * B, GH);
  S2S_KERNEL(gemm_nn)(ws->d_x_enc, ws->d_gi_enc, w->enc_wih, M * B, GH, E, 0, NULL);
  for (int t = 0; t < M; t++)
    for (int b = 0; b < B; b++)
      S2S_KERNEL(axpy)(g->enc_embed + (size_t)src[(size_t)b * M + t] * E, 1,
                       ws->d_x_enc + ((size_t)t * B + b) * E, E);
}

/* ---- attention keys ------------------------------------------------------------------------ */

void s2s_attention_keys_forward(real *keys, const real *hs, const s2s_model *m, int rows) {
  int additive = m->cfg.attn == S2S_ATTN_ADDITIVE;
  gemm_xwt(keys, hs, additive ? m->w.attn_wh : m->w.attn_wk,
           additive ? S2S_WT(m, attn_wh) : S2S_WT(m, attn_wk), rows, m->cfg.A, m->cfg.H, 0, NULL);
}

void s2s_attention_keys_backward(real *d_hs, s2s_weights *g, const real *d_keys, const real *hs,
                                 const s2s_model *m, int rows) {
  const real *wk = m->cfg.attn == S2S_ATTN_ADDITIVE ? m->w.attn_wh : m->w.attn_wk;
  real *gk = m->cfg.attn == S2S_ATTN_ADDITIVE ? g->attn_wh : g->attn_wk;
  S2S_KERNEL(gemm_tn)(gk, d_keys, hs, rows, m->cfg.A, m->cfg.H, 0, NULL);
  S2S_KERNEL(gemm_nn)(d_hs, d_keys, wk, rows, m->cfg.A, m->cfg.H, 1, NULL);
}

/* ---- attention ----------------------------------------------------------------------------- */

/* 1/sqrt(A) for scaled dot attention, else 1 */
static real dot_scale(const s2s_model *m) { return m->cfg.scale ? 1 / (real)sqrt((double)m->cfg.A) : 1; }

void s2s_attention_forward(real *q, real *scores, real *alpha, real *attn_t, real *ctx,
                           const real *s_prev, const real *keys, const real *hs,
                           const int32_t *lens, int shared, const s2s_model *m, int R, int M, int ld) {
  int H = m->cfg.H, A = m->cfg.A, additive = m->cfg.attn == S2S_ATTN_ADDITIVE;
  const s2s_weights *w = &m->w;
  gemm_xwt(q, s_prev, additive ? w->attn_ws : w->attn_wq,
           additive ? S2S_WT(m, attn_ws) : S2S_WT(m, attn_wq), R, A, H, 0, additive ? w->attn_b : NULL);
  for (int r = 0; r < R; r++) {
    int seq = shared ? 0 : r;
    S2S_KERNEL(attention_row)(ctx + (size_t)r * H, alpha + (size_t)r * M, scores + (size_t)r * M,
                              attn_t ? attn_t + (size_t)r * M * A : NULL, keys + (size_t)seq * A,
                              ld * A, q + (size_t)r * A, additive ? w->attn_v : NULL, dot_scale(m),
                              hs + (size_t)seq * H, ld * H, M, lens[r], A, H);
  }
}

void s2s_attention_backward(real *ds_prev, real *dq, real *d_keys, real *d_hs, s2s_weights *g,
                            real *dalpha, const real *dctx, const real *alpha, real *attn_t, int recompute,
                            const real *q, const real *keys, const real *hs, const int32_t *lens,
                            const s2s_model *m, int R, int M) {
  int H = m->cfg.H, A = m->cfg.A, additive = m->cfg.attn == S2S_ATTN_ADDITIVE;
  real scale = dot_scale(m), *da = dalpha;
  /* context and softmax by source position, all rows of each at once: position j's rows of the
   * states and their gradients are side by side (time-major), where one row's positions are R
   * rows apart; each row's numbers are those of softmax_context_backward (da (R,M) holds every
   * row's score gradients) */
  for (int j = 0; j < M; j++)
    S2S_KERNEL(context_backward_rows)(da + j, M, d_hs + (size_t)j * R * H, hs + (size_t)j * R * H,
                                      alpha + j, M, dctx, lens, j, R, H);
  for (int r = 0; r < R; r++) softmax_backward_row(da + (size_t)r * M, alpha + (size_t)r * M, lens[r]);
  if (!additive) /* the dot scores by position too (the keys are time-major as well) */
    for (int j = 0; j < M; j++)
      S2S_KERNEL(scores_dot_backward_rows)(d_keys + (size_t)j * R * A, dq, keys + (size_t)j * R * A, q,
                                           da + j, M, scale, lens, j, R, A);
  for (int r = 0; r < R && additive; r++) { /* row by row: dv adds the rows in order */
    real *t = attn_t + (recompute ? 0 : (size_t)r * M * A);
    if (recompute) /* the row's tanh terms again, as the forward computed them (scores after them) */
      S2S_KERNEL(scores_additive)(t + (size_t)M * A, keys + (size_t)r * A, R * A, q + (size_t)r * A,
                                  m->w.attn_v, lens[r], A, t);
    S2S_KERNEL(scores_additive_backward)(d_keys + (size_t)r * A, R * A, dq + (size_t)r * A, g->attn_v,
                                         t, m->w.attn_v, da + (size_t)r * M, lens[r], A);
  }
  S2S_KERNEL(gemm_nn)(ds_prev, dq, additive ? m->w.attn_ws : m->w.attn_wq, R, A, H, 1, NULL);
}

void s2s_attention_weights_backward(s2s_weights *g, const real *dq, const real *s_prev,
                                    const s2s_model *m, int rows) {
  int additive = m->cfg.attn == S2S_ATTN_ADDITIVE;
  S2S_KERNEL(gemm_tn)(additive ? g->attn_ws : g->attn_wq, dq, s_prev, rows, m->cfg.A, m->cfg.H, 0, NULL);
  if (additive) S2S_KERNEL(col_sum)(g->attn_b, dq, rows, m->cfg.A);
}

/* ---- decoder ------------------------------------------------------------------------------- */

void s2s_decoder_forward(real *xd, real *gi, real *gh, real *keep, real *gates, real *s_new, real *c_new,
                         real *oi, const int32_t *tokens, const real *ctx, const real *s_prev,
                         const real *c_prev, const s2s_model *m, int R) {
  int E = m->cfg.E, H = m->cfg.H, GH = m->G * m->cfg.H, Din = m->Din, Dout = m->Dout;
  const s2s_weights *w = &m->w;
  for (int r = 0; r < R; r++) {
    real *x = xd + (size_t)r * Din;
    s2s_copy(x, w->dec_embed + (size_t)tokens[r] * E, E);
    if (m->cfg.attn) s2s_copy(x + E, ctx + (size_t)r * H, H);
  }
  gemm_xwt(gi, xd, w->dec_wih, S2S_WT(m, dec_wih), R, GH, Din, 0, w->dec_bih);
  cell_forward(m->cfg.cell, R, H, w->dec_whh, S2S_WT(m, dec_whh), w->dec_bhh, gi, s_prev, c_prev, gh,
               keep, gates, s_new, c_new);
  for (int r = 0; r < R; r++) {
    real *o = oi + (size_t)r * Dout;
    s2s_copy(o, s_new + (size_t)r * H, H);
    if (m->cfg.attn) s2s_copy(o + H, ctx + (size_t)r * H, H);
  }
}

void s2s_decoder_backward(real *dgi, real *dgh, real *ds_prev, real *dc_prev, real *dctx,
                          real *d_xd, s2s_weights *g, real *ds, const real *dc, const real *d_oi,
                          const real *keep, const real *gates, const real *s_prev, const real *c_prev,
                          const int32_t *tokens, const s2s_model *m, int R) {
  int E = m->cfg.E, H = m->cfg.H, GH = m->G * m->cfg.H, Din = m->Din, Dout = m->Dout;
  const s2s_weights *w = &m->w;
  for (int r = 0; r < R; r++) { /* oi = [s_new ; ctx] */
    const real *d = d_oi + (size_t)r * Dout;
    S2S_KERNEL(axpy)(ds + (size_t)r * H, 1, d, H);
    if (m->cfg.attn) s2s_copy(dctx + (size_t)r * H, d + H, H);
  }
  cell_backward(m->cfg.cell, R, H, keep, gates, s_prev, c_prev, ds, dc, dgi, dgh, ds_prev, dc_prev);
  S2S_KERNEL(gemm_nn)(ds_prev, dgh, w->dec_whh, R, GH, H, 1, NULL);
  S2S_KERNEL(gemm_nn)(d_xd, dgi, w->dec_wih, R, GH, Din, 0, NULL);
  for (int r = 0; r < R; r++) { /* xd = [embed(token) ; ctx] */
    const real *dx = d_xd + (size_t)r * Din;
    S2S_KERNEL(axpy)(g->dec_embed + (size_t)tokens[r] * E, 1, dx, E);
    if (m->cfg.attn) S2S_KERNEL(axpy)(dctx + (size_t)r * H, 1, dx + E, H);
  }
}

void s2s_decoder_weights_backward(s2s_weights *g, const real *dgi, const real *dgh, const real *xd,
                                  const real *s_prev, const s2s_model *m, int rows) {
  int GH = m->G * m->cfg.H;
  S2S_KERNEL(gemm_tn)(g->dec_wih, dgi, xd, rows, GH, m->Din, 0, NULL);
  S2S_KERNEL(col_sum)(g->dec_bih, dgi, rows, GH);
  S2S_KERNEL(gemm_tn)(g->dec_whh, dgh, s_prev, rows, GH, m->cfg.H, 0, NULL);
  bias_hh_backward(g->dec_bhh, g->dec_bih, dgi, dgh, rows, GH);
}

/* ---- output layer -------------------------------------------------------------------------- */

void s2s_output_forward(real *logits, const real *oi, const s2s_model *m, int R) {
  int Vt = m->cfg.Vt;
  gemm_xwt(logits, oi, m->w.out_w, S2S_WT(m, out_w), R, Vt, m->Dout, 0, m->w.out_b);
}

void s2s_output_backward(real *d_oi, s2s_weights *g, const real *dlogits, const real *oi,
                         const s2s_model *m, int R) {
  int Vt = m->cfg.Vt, Dout = m->Dout;
  S2S_KERNEL(gemm_tn)(g->out_w, dlogits, oi, R, Vt, Dout, 1, NULL);
  S2S_KERNEL(col_sum)(g->out_b, dlogits, R, Vt);
  S2S_KERNEL(gemm_nn)(d_oi, dlogits, m->w.out_w, R, Vt, Dout, 0, NULL);
}

int s2s_output_chunk_rows(int Vt, int rows) {
  size_t fit = S2S_OUT_CHUNK_BYTES / ((size_t)Vt * sizeof(real));
  int n = fit < 8 ? 8 : fit > S2S_OUT_CHUNK_MAX_ROWS ? S2S_OUT_CHUNK_MAX_ROWS : (int)fit;
  return n < rows ? n : rows;
}

/* One chunk of n gathered rows x (n,Dout) with targets ys: returns the chunk's loss sum (double);
 * with g, leaves dx (n,Dout) = dlogits W_out and adds into g->out_w, g->out_b. */
static double output_chunk(real *dx, s2s_weights *g, s2s_workspace *ws, const real *x,
                           const int32_t *ys, const s2s_model *m, int n, real inv_count, int first) {
  int Vt = m->cfg.Vt, Dout = m->Dout;
  real *logits = ws->logits;
  gemm_xwt(logits, x, m->w.out_w, S2S_WT(m, out_w), n, Vt, Dout, 0, m->w.out_b);
  double loss = 0;
  for (int k = 0; k < n; k++) {
    real *row = logits + (size_t)k * Vt;
    int y = ys[k], top = 0;
    for (int v = 1; v < Vt; v++) top = row[v] > row[top] ? v : top;
    real gap = row[top] - row[y]; /* -log p(y) = (max - x_y) + log(sum) = gap - log p(top) */
    S2S_KERNEL(softmax_masked)(row, row, Vt, Vt);
    loss += (double)gap - log((double)row[top]);
    if (g) {
      for (int v = 0; v < Vt; v++) row[v] *= inv_count;
      row[y] -= inv_count;
    }
  }
  if (!g) return loss;
  S2S_KERNEL(gemm_tn)(g->out_w, logits, x, n, Vt, Dout, !first, NULL); /* the first chunk writes */
  S2S_KERNEL(col_sum)(g->out_b, logits, n, Vt);
  /* dx = dlogits W_out, S2S_OUT_PACK_COLS columns of dlogits at a time (each dx element still
   * adds over v in order; the first block starts it from 0) */
  for (int v0 = 0; v0 < Vt; v0 += S2S_OUT_PACK_COLS) {
    int nv = Vt - v0 < S2S_OUT_PACK_COLS ? Vt - v0 : S2S_OUT_PACK_COLS;
    for (int k = 0; k < n; k++)
      s2s_copy(ws->out_pack + (size_t)k * nv, logits + (size_t)k * Vt + v0, nv);
    S2S_KERNEL(gemm_nn)(dx, ws->out_pack, m->w.out_w + (size_t)v0 * Dout, n, nv, Dout, v0 > 0, NULL);
  }
  return loss;
}

double s2s_output_loss(real *d_oi, s2s_weights *g, s2s_workspace *ws, const real *oi,
                       const int32_t *tgt_out, const s2s_model *m, int B, int N, int grad_count) {
  int Dout = m->Dout, rows = N * B, chunk = s2s_output_chunk_rows(m->cfg.Vt, rows);
  real inv_count = (real)1 / grad_count;
  int32_t *ys = (int32_t *)ws->out_rows, *at = ys + chunk;
  double loss = 0;
  int n = 0, first = 1;
  for (int r = 0; r < rows; r++) {
    int i = r / B, b = r % B, y = tgt_out[(size_t)b * N + i];
    if (y != S2S_PAD) {
      ys[n] = y, at[n] = r;
      s2s_copy(ws->out_x + (size_t)n * Dout, oi + (size_t)r * Dout, Dout);
      n++;
    } else if (g) {
      s2s_zero(d_oi + (size_t)r * Dout, Dout); /* the other rows are written from out_dx below */
    }
    if (n == chunk || (r == rows - 1 && n > 0)) {
      loss += output_chunk(ws->out_dx, g, ws, ws->out_x, ys, m, n, inv_count, first);
      first = 0;
      if (g)
        for (int k = 0; k < n; k++)
          s2s_copy(d_oi + (size_t)at[k] * Dout, ws->out_dx + (size_t)k * Dout, Dout);
      n = 0;
    }
  }
  return loss;
}
