/* train.c: the teacher-forced batch: the layers (layers.c) run forward over the whole batch with
 * the loss, then backward into the gradient block; global-norm clipping and Adam.
 */
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "layers.h"

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
      if (x < 0 || x >= m->cfg.Vs)
        return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                        "src[%d] = %d is not a token id of the source vocabulary (0..%d)",
                        b * M + t, x, m->cfg.Vs - 1);
    }
  }
  int count = 0;
  for (size_t i = 0; i < (size_t)B * N; i++) {
    if (tgt_in[i] < 0 || tgt_in[i] >= m->cfg.Vt)
      return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                      "tgtIn[%zu] = %d is not a token id of the target vocabulary (0..%d)", i,
                      tgt_in[i], m->cfg.Vt - 1);
    if (tgt_out[i] < 0 || tgt_out[i] >= m->cfg.Vt)
      return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                      "tgtOut[%zu] = %d is not a token id of the target vocabulary (0..%d)", i,
                      tgt_out[i], m->cfg.Vt - 1);
    count += tgt_out[i] != S2S_PAD;
  }
  if (!count) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "tgtOut holds only PAD (0): there is nothing to learn from");
  return count;
}

/* Clears the gradient block before a batch, all but the weight matrices whose gradient the
 * backward writes with its first product instead of adding to it (gemm_tn with add = 0: the
 * encoder's and decoder's W_ih and W_hh, the attention's matrices, the output layer's weights in
 * its first chunk); those products start from 0 as the cleared block did, so the same bits. */
static void zero_grads(s2s_model *m) {
  const s2s_weights *g = &m->g;
  const real *written[] = {g->enc_wih, g->enc_whh, g->attn_wh, g->attn_ws, g->attn_wq,
                           g->attn_wk, g->dec_wih, g->dec_whh, g->out_w};
  for (int i = 0; i < m->ntensors; i++) {
    real *p = m->grads + m->tensors[i].offset;
    int skip = 0;
    for (size_t k = 0; k < sizeof written / sizeof written[0]; k++) skip |= written[k] == p;
    if (!skip) s2s_zero(p, m->tensors[i].size);
  }
}

/* tokens (B) = step i of tgt_in (B,N) */
static void tokens_at(int32_t *tokens, const int32_t *tgt_in, int B, int N, int i) {
  for (int b = 0; b < B; b++) tokens[b] = tgt_in[(size_t)b * N + i];
}

/* Forward over the batch: encoder, attention keys, N decoder steps (attention, then the cell),
 * output layer and loss; returns the summed loss. With g (the zeroed gradient block), the output
 * layer's backward (of the loss / grad_count; 1: of the summed loss) runs inside its forward, a
 * chunk of rows at a time (s2s_output_loss): it leaves ws->d_oi and the output weights'
 * gradients for backward(). */
static double forward(s2s_model *m, s2s_workspace *ws, const int32_t *src, const int32_t *src_len,
                      const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N,
                      s2s_weights *g, int grad_count) {
  int H = m->cfg.H, A = m->cfg.A, GH = m->G * m->cfg.H, Din = m->Din, Dout = m->Dout;
  int lstm = m->cfg.cell == S2S_CELL_LSTM;
  m->wt_ready = s2s_transpose_weights(m) == S2S_OK; /* the forward products from W^T (else from W) */
  s2s_encoder_forward(ws, src, src_len, m, B, M);
  if (m->cfg.attn) s2s_attention_keys_forward(ws->keys, ws->h_enc + (size_t)B * H, m, M * B);
  int32_t tokens[S2S_MAX_BATCH];
  for (int i = 0; i < N; i++) {
    size_t rb = (size_t)i * B; /* first row of step i */
    real *s_prev = ws->s + rb * H, *c_prev = lstm ? ws->cs + rb * H : NULL;
    if (m->cfg.attn)
      s2s_attention_forward(ws->q + rb * A, ws->scores + rb * M, ws->alpha + rb * M,
                            ws->attn_t && ws->attn_t_kept ? ws->attn_t + rb * M * A : NULL, ws->ctx + rb * H, s_prev,
                            ws->keys, ws->h_enc + (size_t)B * H, src_len, 0, m, B, M, B);
    tokens_at(tokens, tgt_in, B, N, i);
    s2s_decoder_forward(ws->xd + rb * Din, ws->gi_dec + rb * GH, ws->gh_tmp,
                        ws->gh_dec ? ws->gh_dec + rb * H : NULL, ws->gates_dec + rb * GH, ws->s + (rb + B) * H,
                        lstm ? ws->cs + (rb + B) * H : NULL, ws->oi + rb * Dout, tokens,
                        m->cfg.attn ? ws->ctx + rb * H : NULL, s_prev, c_prev, m, B);
  }
  double loss = s2s_output_loss(g ? ws->d_oi : NULL, g, ws, ws->oi, tgt_out, m, B, N, grad_count);
  m->wt_ready = 0;
  return loss;
}

/* Backward of forward(), in reverse from ws->d_oi (forward() did the loss and the output layer):
 * decoder steps from the last (the cell, then attention), the decoder's and the query's weights
 * over all steps, the attention keys, the encoder. Adds into the gradient block m->g. */
static void backward(s2s_model *m, s2s_workspace *ws, const int32_t *src, const int32_t *src_len,
                     const int32_t *tgt_in, int B, int M, int N) {
  int H = m->cfg.H, A = m->cfg.A, GH = m->G * m->cfg.H, Dout = m->Dout;
  s2s_weights *g = &m->g;
  int rows = N * B, lstm = m->cfg.cell == S2S_CELL_LSTM;

  s2s_zero(ws->d_h_enc, (size_t)(M + 1) * B * H);
  if (m->cfg.attn) {
    s2s_zero(ws->d_keys, (size_t)M * B * A);
    s2s_zero(ws->d_q, (size_t)rows * A);
  }
  /* ds, dcs: the gradient on the step's new state (B,H); ds_prev, dcs_prev: on the one before */
  s2s_zero(ws->ds, B * H);
  s2s_zero(ws->dcs, B * H);
  int32_t tokens[S2S_MAX_BATCH];
  for (int i = N - 1; i >= 0; i--) {
    size_t rb = (size_t)i * B;
    tokens_at(tokens, tgt_in, B, N, i);
    s2s_decoder_backward(ws->d_gi_dec + rb * GH, ws->d_gh_dec + rb * GH, ws->ds_prev,
                         lstm ? ws->dcs_prev : NULL, ws->dctx, ws->d_xd, g, ws->ds,
                         lstm ? ws->dcs : NULL, ws->d_oi + rb * Dout, ws->gh_dec ? ws->gh_dec + rb * H : NULL,
                         ws->gates_dec + rb * GH, ws->s + rb * H, lstm ? ws->cs + rb * H : NULL,
                         tokens, m, B);
    if (m->cfg.attn)
      s2s_attention_backward(ws->ds_prev, ws->d_q + rb * A, ws->d_keys, ws->d_h_enc + (size_t)B * H,
                             g, ws->dalpha, ws->dctx, ws->alpha + rb * M,
                             ws->attn_t ? ws->attn_t + (ws->attn_t_kept ? rb * M * A : 0) : NULL,
                             !ws->attn_t_kept, ws->q + rb * A, ws->keys,
                             ws->h_enc + (size_t)B * H, src_len, m, B, M);
    s2s_copy(ws->ds, ws->ds_prev, B * H);
    if (lstm) s2s_copy(ws->dcs, ws->dcs_prev, B * H);
  }
  s2s_decoder_weights_backward(g, ws->d_gi_dec, ws->d_gh_dec, ws->xd, ws->s, m, rows);
  if (m->cfg.attn) {
    s2s_attention_weights_backward(g, ws->d_q, ws->s, m, rows);
    s2s_attention_keys_backward(ws->d_h_enc + (size_t)B * H, g, ws->d_keys,
                                ws->h_enc + (size_t)B * H, m, M * B);
  }
  s2s_encoder_backward(g, ws, ws->ds, lstm ? ws->dcs : NULL, src, src_len, m, B, M);
}

static int run_batch(s2s_model *m, const int32_t *src, const int32_t *src_len, const int32_t *tgt_in,
                     const int32_t *tgt_out, int B, int M, int N, int with_grad, real *loss_out) {
  s2s_clear_error();
  int count = check_batch(m, src, src_len, tgt_in, tgt_out, B, M, N);
  if (count < 0) return count;
  int rc = s2s_workspace_ensure(m, &m->train_ws, B, M, N, with_grad);
  if (rc) return rc;
  if (with_grad) zero_grads(m);
  real loss = (real)(forward(m, &m->train_ws, src, src_len, tgt_in, tgt_out, B, M, N,
                             with_grad ? &m->g : NULL, count) / count);
  if (with_grad) backward(m, &m->train_ws, src, src_len, tgt_in, B, M, N);
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

/* The learning rate and clip norm of an update: S2S_OK or an error saying what is wrong. */
static int check_update(real learning_rate, real clip_norm) {
  if (!(learning_rate > 0) || !isfinite(learning_rate))
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "learning rate must be a finite number > 0, got %g",
                    (double)learning_rate);
  if (!(clip_norm >= 0) || !isfinite(clip_norm))
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "clip norm must be a finite number >= 0 (0 = off), got %g",
                    (double)clip_norm);
  return S2S_OK;
}

int s2s_train_step(s2s_model *m, const int32_t *src, const int32_t *src_len,
                   const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N,
                   real learning_rate, real clip_norm, real *loss_out) {
  int bad = check_update(learning_rate, clip_norm);
  if (bad) return bad;
  /* the same path as data-parallel training: gradient sums, then apply them */
  double loss_sum;
  int count;
  int rc = s2s_grad_sum(m, src, src_len, tgt_in, tgt_out, B, M, N, &loss_sum, &count);
  if (rc) return rc;
  if (loss_out) *loss_out = (real)(loss_sum / count);
  return s2s_apply_grad(m, m->grads, count, loss_sum, learning_rate, clip_norm);
}

/* ---- gradient sums and applying a given gradient (data-parallel training) --------------- */

int s2s_grad_sum(s2s_model *m, const int32_t *src, const int32_t *src_len, const int32_t *tgt_in,
                 const int32_t *tgt_out, int B, int M, int N, double *loss_sum_out,
                 int *count_out) {
  s2s_clear_error();
  int count = check_batch(m, src, src_len, tgt_in, tgt_out, B, M, N);
  if (count < 0) return count;
  int rc = s2s_workspace_ensure(m, &m->train_ws, B, M, N, 1);
  if (rc) return rc;
  zero_grads(m);
  double loss = forward(m, &m->train_ws, src, src_len, tgt_in, tgt_out, B, M, N, &m->g,
                        1); /* 1: sums, not means */
  backward(m, &m->train_ws, src, src_len, tgt_in, B, M, N);
  if (loss_sum_out) *loss_sum_out = loss;
  if (count_out) *count_out = count;
  return S2S_OK;
}

/* adam_update takes an int count: the parameters go through it in chunks of this many */
#define ADAM_CHUNK ((size_t)1 << 28)

int s2s_apply_grad(s2s_model *m, const real *grad, int count, double loss_sum,
                   real learning_rate, real clip_norm) {
  s2s_clear_error();
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  if (!grad) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no gradient given");
  if (count < 1)
    return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                    "token count %d: the gradient sums must come from at least one target token",
                    count);
  int bad = check_update(learning_rate, clip_norm);
  if (bad) return bad;
  double loss = loss_sum / count;
  real c = (real)count;
  /* one pass over the gradient for its norm (in order, in double); beside it, at no cost while
   * that sum's chain of additions waits, the sums of |g/count|, |m| and |p| and whether every v is
   * >= 0: they bound every updated weight (below), so the update can usually be made in a single
   * pass instead of a pass that checks every new weight for a non-finite value and then another
   * that writes them */
  double sq = 0, sum_g = 0, sum_m = 0, sum_p = 0;
  int v_ok = 1;
  for (size_t i = 0; i < m->total; i++) {
    real gi = grad[i] / c;
    sq += (double)gi * gi;
    sum_g += fabs((double)gi);
    sum_m += fabs((double)m->adam_m[i]);
    sum_p += fabs((double)m->params[i]);
    v_ok &= m->adam_v[i] >= 0;
  }
  double norm = sqrt(sq);
  if (!isfinite(loss) || !isfinite(norm))
    return s2s_fail(S2S_ERR_DIVERGED,
                    "training diverged at step %d: the loss or a gradient is not finite (loss %g); "
                    "the weights are those before this step: lower the learning rate",
                    m->steps + 1, loss);
  real gscale = clip_norm > 0 && norm > clip_norm ? (real)(clip_norm / (norm + 1e-6)) : 1;
  double b1p = m->beta1_pow * m->beta1, b2p = m->beta2_pow * m->beta2;
  s2s_adam_consts k = {c, gscale, m->beta1, m->beta2, (real)(learning_rate / (1 - b1p)),
                       (real)sqrt(1 - b2p), m->eps};
  /* |new p| <= |p| + step_size (b1 |m| + (1-b1) |g/count|) / eps (gscale <= 1; the denominator is
   * >= eps when v >= 0, and a v that overflows to +inf only makes the step 0): far below the
   * float range, every new weight is finite; otherwise check them all before writing any */
  double bound = sum_p + (double)k.step_size * (k.b1 * sum_m + (1 - k.b1) * sum_g) / k.eps;
  if (!(v_ok && bound < 1e36))
    for (size_t i = 0; i < m->total; i++) {
      real p = m->params[i], mo = m->adam_m[i], ve = m->adam_v[i];
      S2S_KERNEL(adam_update)(&p, &mo, &ve, grad + i, 1, &k);
      if (!isfinite(p))
        return s2s_fail(S2S_ERR_DIVERGED,
                        "training diverged at step %d: an updated weight would not be finite; "
                        "the weights are those before this step: lower the learning rate",
                        m->steps + 1);
    }
  for (size_t i = 0; i < m->total; i += ADAM_CHUNK) {
    size_t n = m->total - i < ADAM_CHUNK ? m->total - i : ADAM_CHUNK;
    S2S_KERNEL(adam_update)(m->params + i, m->adam_m + i, m->adam_v + i, grad + i, (int)n, &k);
  }
  m->beta1_pow = b1p, m->beta2_pow = b2p;
  m->steps++;
  return S2S_OK;
}

/* The shard order's additions of data-parallel training, inside the module: acc = x (first) or
 * acc += x, s2s_total_params values; axpy with a = 1 is x exactly plus one rounding per value, the
 * same float additions as adding the arrays in JS (lib/session.js addInto), four at a time. */
int s2s_grad_accumulate(s2s_model *m, real *acc, const real *x, int first) {
  s2s_clear_error();
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  if (!acc || !x) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no gradient buffer given");
  if (first) {
    if (acc != x) memmove(acc, x, m->total * sizeof(real));
    return S2S_OK;
  }
  for (size_t i = 0; i < m->total; i += ADAM_CHUNK) {
    size_t n = m->total - i < ADAM_CHUNK ? m->total - i : ADAM_CHUNK;
    S2S_KERNEL(axpy)(acc + i, 1, x + i, (int)n);
  }
  return S2S_OK;
}

/* ---- Adam state, read and restored by checkpoints (docs/model-format.md, "Checkpoints") ---- */

real *s2s_adam_moment(s2s_model *m, int which) {
  if (!m || (which != 0 && which != 1)) return NULL;
  return which == 0 ? m->adam_m : m->adam_v;
}

double s2s_adam_value(const s2s_model *m, int what) {
  if (!m) return NAN;
  switch (what) {
  case 0: return (double)m->beta1;
  case 1: return (double)m->beta2;
  case 2: return (double)m->eps;
  case 3: return m->beta1_pow;
  case 4: return m->beta2_pow;
  default: return NAN;
  }
}

int s2s_set_adam_state(s2s_model *m, int steps, double beta1_pow, double beta2_pow) {
  s2s_clear_error();
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  if (steps < 0)
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "Adam step count %d is out of range: it must be >= 0", steps);
  /* beta^t, which reaches 0 (underflow) after some thousands of steps for beta1 = 0.9 */
  if (!(beta1_pow >= 0 && beta1_pow <= 1) || !(beta2_pow >= 0 && beta2_pow <= 1))
    return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                    "Adam's beta powers must be in [0, 1] (got %g, %g)", beta1_pow, beta2_pow);
  if (steps == 0 && (beta1_pow != 1 || beta2_pow != 1))
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "Adam's beta powers must be 1 at step 0 (got %g, %g)",
                    beta1_pow, beta2_pow);
  m->steps = steps;
  m->beta1_pow = beta1_pow, m->beta2_pow = beta2_pow;
  return S2S_OK;
}
