/* layers.h: the model's layers, each forward beside its backward (layers.c), in llm.c's manner:
 * outputs first, then inputs, then the weights (the model: m->w, sizes from m->cfg), then sizes.
 * Every backward adds into the gradients (`g`, a view of the zeroed gradient block) and into the
 * gradients of its inputs where it says "+="; "=" means it sets them. Weight gradients of the
 * per-step layers are taken over all steps at once (*_weights_backward), as one large product.
 *
 * Shapes are row-major and time-major: (M,B,H) is position, then sequence, then feature. R is
 * the number of decoder rows in a step (B sequences in training, the live beams in decoding).
 * H hidden, E embed, A attention, GH = gates x H, Din = E (+H with attention) the decoder input,
 * Dout = H (+H with attention) the output layer's input, Vt the target vocabulary.
 */
#ifndef S2S_LAYERS_H
#define S2S_LAYERS_H

#include "model.h"

/* ---- encoder: embedding, input projection, recurrence ---------------------------------------- */
/* The encoder's activations are always a workspace's, so these two take the workspace.
 * Forward fills ws->x_enc (M,B,E), gi_enc, gates_enc (M,B,GH), gh_enc (M,B,H: cell_forward's
 * keep; gh itself in ws->gh_tmp (B,GH), one step at a time), h_enc (M+1,B,H) with
 * h_enc[0] = 0, c_enc (M+1,B,H) (LSTM), and s0 = ws->s[0], ws->cs[0] (B,H): the state at each
 * sequence's last real position. src (B,M) token ids, src_len (B) in 1..M. */
void s2s_encoder_forward(s2s_workspace *ws, const int32_t *src, const int32_t *src_len,
                         const s2s_model *m, int B, int M);
/* Backward. In: ws->d_h_enc (M+1,B,H), the gradient on the states from attention (rows 1..M);
 * ds0, dc0 (B,H): the gradients on s0 and c0 (dc0 LSTM only, else NULL). Writes g->enc_weight_ih
 * and enc_weight_hh, adds into the other g->enc_* (zero before: the bias gradients too);
 * uses ws->d_gi_enc, d_gh_enc (M,B,GH), d_x_enc (M,B,E) and the (B,H) rows ds, ds_prev, dcs,
 * dcs_prev, dctx as scratch (ds0 and dc0 may be two of them). */
void s2s_encoder_backward(s2s_weights *g, s2s_workspace *ws, const real *ds0, const real *dc0,
                          const int32_t *src, const int32_t *src_len, const s2s_model *m, int B,
                          int M);

/* ---- attention keys: computed once per encoder state ------------------------------------------ */
/* keys (rows,A) = hs (rows,H) W^T with W = attn.W_h (additive) or attn.W_K (dot). */
void s2s_attention_keys_forward(real *keys, const real *hs, const s2s_model *m, int rows);
/* d_hs (rows,H) += d_keys W; g->attn_W_h or attn_W_K (A,H) = d_keys^T hs.
 * d_keys (rows,A), hs (rows,H). */
void s2s_attention_keys_backward(real *d_hs, s2s_weights *g, const real *d_keys, const real *hs,
                                 const s2s_model *m, int rows);

/* ---- attention: query, scores, softmax, context ------------------------------------------------ */
/* R rows; row r attends over the M encoder positions of sequence seq(r) = (shared ? 0 : r), of
 * which the first lens[r] are real (the rest get weight 0).
 * Out: q (R,A) = W_s s_prev + b (additive) or W_Q s_prev (dot); scores (R,M), -inf past lens[r];
 *      alpha (R,M) = softmax(scores); attn_t (R,M,A) the tanh terms (additive, kept for backward;
 *      NULL: not kept); ctx (R,H) = sum_j alpha_j h_j.
 * In:  s_prev (R,H); keys (M,ld,A) and hs (M,ld,H): the encoder's keys and states of ld
 *      sequences, time-major; lens (R). */
void s2s_attention_forward(real *q, real *scores, real *alpha, real *attn_t, real *ctx,
                           const real *s_prev, const real *keys, const real *hs,
                           const int32_t *lens, int shared, const s2s_model *m, int R, int M, int ld);
/* Backward of one step, every row over its own sequence (shared = 0, ld = R).
 * Out: ds_prev (R,H) += the query path's gradient (dq W_s or dq W_Q); dq (R,A) +=;
 *      d_keys (M,R,A) +=; d_hs (M,R,H) += (the context path); g->attn_v += (additive);
 *      dalpha (R,M) scratch.
 * In:  dctx (R,H) the gradient on ctx; alpha (R,M), attn_t (R,M,A) (additive; with recompute,
 *      (M,A) + (M) scratch the row's terms are computed again into, from keys and q), q (R,A),
 *      keys (M,R,A), hs (M,R,H) from the forward; lens (R). */
void s2s_attention_backward(real *ds_prev, real *dq, real *d_keys, real *d_hs, s2s_weights *g,
                            real *dalpha, const real *dctx, const real *alpha, real *attn_t, int recompute,
                            const real *q, const real *keys, const real *hs, const int32_t *lens,
                            const s2s_model *m, int R, int M);
/* The query weights over all steps: g->attn_W_s or attn_W_Q (A,H) = dq^T s_prev (attn_b +=).
 * dq (rows,A), s_prev (rows,H). */
void s2s_attention_weights_backward(s2s_weights *g, const real *dq, const real *s_prev,
                                    const s2s_model *m, int rows);

/* ---- decoder: embedding, [embed ; context] input projection, recurrence ----------------------- */
/* Out: xd (R,Din) = [embed(tokens) ; ctx]; gi (R,GH) = W_ih xd + b_ih; gh (R,GH) = W_hh s_prev +
 *      b_hh (scratch); keep (R,H) what the backward needs of gh (cell_forward; NULL: not kept);
 *      gates (R,GH); s_new (R,H); c_new (R,H) (LSTM, else NULL); oi (R,Dout) = [s_new ; ctx],
 *      the output layer's input.
 * In:  tokens (R) previous target tokens; ctx (R,H) (unused without attention); s_prev (R,H);
 *      c_prev (R,H) (LSTM, else NULL). */
void s2s_decoder_forward(real *xd, real *gi, real *gh, real *keep, real *gates, real *s_new, real *c_new,
                         real *oi, const int32_t *tokens, const real *ctx, const real *s_prev,
                         const real *c_prev, const s2s_model *m, int R);
/* Backward of one step (the weight gradients are s2s_decoder_weights_backward's).
 * Out: dgi, dgh (R,GH) = gradients on gi and gh; ds_prev (R,H) = gradient on s_prev through the
 *      cell (direct and W_hh paths); dc_prev (R,H) (LSTM); dctx (R,H) = gradient on ctx from oi
 *      and xd (with attention); d_xd (R,Din) scratch; g->dec_embed +=.
 * In:  ds (R,H) the gradient on s_new from later steps (the output layer's share is added to it
 *      here); dc (R,H) on c_new (LSTM); d_oi (R,Dout) on oi; gh (the LSTM's tanh(c_new) in its
 *      first H columns), gates (R,GH), s_prev (R,H), c_prev (R,H) (LSTM) from the forward;
 *      tokens (R). */
void s2s_decoder_backward(real *dgi, real *dgh, real *ds_prev, real *dc_prev, real *dctx,
                          real *d_xd, s2s_weights *g, real *ds, const real *dc, const real *d_oi,
                          const real *keep, const real *gates, const real *s_prev, const real *c_prev,
                          const int32_t *tokens, const s2s_model *m, int R);
/* The decoder's weights over all steps: g->dec_weight_ih (GH,Din) = dgi^T xd, dec_bias_ih +=,
 * dec_weight_hh (GH,H) = dgh^T s_prev, dec_bias_hh (zero before) the column sums of dgh. dgi,
 * dgh (rows,GH), xd (rows,Din), s_prev (rows,H). The weight gradients are written, not added:
 * train.c clears the gradient block except these (zero_grads). */
void s2s_decoder_weights_backward(s2s_weights *g, const real *dgi, const real *dgh, const real *xd,
                                  const real *s_prev, const s2s_model *m, int rows);

/* ---- output layer ------------------------------------------------------------------------------ */
/* logits (R,Vt) = oi (R,Dout) W_out^T + b_out (the log-softmax is the caller's). Decoding. */
void s2s_output_forward(real *logits, const real *oi, const s2s_model *m, int R);
/* d_oi (R,Dout) = dlogits W_out; g->out_weight (Vt,Dout) += dlogits^T oi, g->out_bias +=.
 * dlogits (R,Vt), oi (R,Dout). */
void s2s_output_backward(real *d_oi, s2s_weights *g, const real *dlogits, const real *oi,
                         const s2s_model *m, int R);

/* ---- output layer and loss in training: forward, softmax, cross-entropy and backward fused ---- */
/* Rows of logits held at once: at most S2S_OUT_CHUNK_BYTES of them (at least 8 rows, at most
 * `rows`), so their memory does not grow with batch x length x vocabulary. */
#ifndef S2S_OUT_CHUNK_BYTES
#define S2S_OUT_CHUNK_BYTES ((size_t)4 << 20)
#endif
/* Columns of the logits' gradient packed at a time for d_oi += dlogits W_out, so a block of
 * W_out rows (this many x Dout) stays in cache while every row of the chunk passes over it. */
#ifndef S2S_OUT_PACK_COLS
#define S2S_OUT_PACK_COLS 256
#endif
/* and at most this many rows, so the gathered rows (out_x, out_dx) stay small for small vocabularies */
#define S2S_OUT_CHUNK_MAX_ROWS 1024
int s2s_output_chunk_rows(int Vt, int rows);
/* The summed cross-entropy over the non-PAD targets of the decoder rows oi (N,B,Dout) (row
 * i*B+b predicts tgt_out[b*N+i]). Only non-PAD rows are computed, a chunk of them at a time:
 * logits = oi W_out^T + b_out, softmax, loss; with g (not NULL) also the backward of the loss /
 * grad_count: dlogits = (softmax - onehot(y)) / grad_count, g->out_weight = dlogits^T oi (the
 * first chunk writes it, the others add),
 * g->out_bias += column sums, and d_oi (N,B,Dout) = dlogits W_out (0 on PAD rows).
 * Scratch from ws: logits (chunk,Vt), out_x and out_dx (chunk,Dout), out_pack (chunk,
 * S2S_OUT_PACK_COLS). The weight gradients add over the rows in row order, as one GEMM over all
 * rows would. */
double s2s_output_loss(real *d_oi, s2s_weights *g, s2s_workspace *ws, const real *oi,
                       const int32_t *tgt_out, const s2s_model *m, int B, int N, int grad_count);

#endif
