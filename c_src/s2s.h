/* s2s.h: the public C API of the seq2seq-with-attention core.
 *
 * Every entry point returns a status (S2S_OK = 0, or a negative S2S_ERR_*) or NULL on error, and
 * leaves a message readable through s2s_last_error(). Nothing here calls exit() or abort().
 * Sizes are checked against the S2S_MAX_* bounds before anything is allocated.
 *
 * `real` is float, or double when built with -DS2S_DOUBLE (the native gradient-check build).
 * Token ids: 0 PAD, 1 BOS, 2 EOS, 3 UNK, then the vocabulary.
 */
#ifndef S2S_H
#define S2S_H

#include <stddef.h>
#include <stdint.h>

#ifdef S2S_DOUBLE
typedef double real;
#else
typedef float real;
#endif

#define S2S_PAD 0
#define S2S_BOS 1
#define S2S_EOS 2
#define S2S_UNK 3

enum { S2S_CELL_RNN = 0, S2S_CELL_GRU = 1, S2S_CELL_LSTM = 2 };
enum { S2S_ATTN_NONE = 0, S2S_ATTN_ADDITIVE = 1, S2S_ATTN_DOT = 2 };

enum {
  S2S_OK = 0,
  S2S_ERR_BAD_ARGUMENT = -1, /* a wrong value: unknown cell, token out of range, ... */
  S2S_ERR_LIMIT = -2,        /* a size past a documented bound */
  S2S_ERR_NO_MEMORY = -3,    /* malloc failed */
  S2S_ERR_BAD_FILE = -4,     /* a model file that is not valid */
  S2S_ERR_DIVERGED = -5,     /* loss or gradients not finite; weights left unchanged */
};

/* The bounds every entry point checks: the one place they are defined. scripts/limits.js writes
 * them into lib/limits.js for the JS library and the page (`make limits`). */
#define S2S_MIN_VOCAB 5                     /* smallest vocabulary: the 4 special tokens and 1 symbol */
#define S2S_MAX_VOCAB 65536                 /* largest vocabulary, the special tokens included */
#define S2S_MAX_EMBED 1024                  /* embedding size */
#define S2S_MAX_HIDDEN 1024                 /* hidden size */
#define S2S_MAX_ATTN 1024                   /* attention size */
#define S2S_MAX_BATCH 4096                  /* sequences in one training batch */
#define S2S_MAX_LENGTH 1024                 /* source or target length, in tokens */
#define S2S_MAX_BEAM 64                     /* beam width */
#define S2S_MAX_PARAMS (64u * 1024 * 1024)  /* floats in all parameters */
#define S2S_MAX_WORKSPACE ((size_t)1 << 30) /* bytes of activations for one batch */
#define S2S_MAX_FILE ((size_t)1 << 30)      /* bytes of a model file */
#define S2S_MAX_META ((size_t)16 << 20)     /* bytes of metadata in a model file */

typedef struct s2s_model s2s_model;

/* Last error message (never NULL; "" after success of the last call that sets it). */
const char *s2s_last_error(void);
/* Status of the last failed call (S2S_OK after a call that succeeded). */
int s2s_last_status(void);

/* Create a model with weights drawn from `seed`. scale: dot attention divides by sqrt(A). */
s2s_model *s2s_create(int cell, int attention, int scale, int embed, int hidden, int attn_size,
                      int src_vocab, int tgt_vocab, uint32_t seed);
void s2s_destroy(s2s_model *m);

/* Configuration read-back. what: 0 cell, 1 attention, 2 scale, 3 E, 4 H, 5 A, 6 Vs, 7 Vt. */
int s2s_config(const s2s_model *m, int what);

/* Named parameters, canonical order. Data and gradient pointers stay valid for the model's life. */
int s2s_param_count(const s2s_model *m);
const char *s2s_param_name(const s2s_model *m, int i);
int s2s_param_rows(const s2s_model *m, int i); /* 1-D tensors: rows = size, cols = 0 */
int s2s_param_cols(const s2s_model *m, int i);
int s2s_param_size(const s2s_model *m, int i);
int s2s_param_index(const s2s_model *m, const char *name); /* -1 if unknown */
real *s2s_param_data(s2s_model *m, int i);
real *s2s_grad_data(s2s_model *m, int i);
size_t s2s_total_params(const s2s_model *m);

/* Teacher-forced loss and gradients (written into the gradient block; weights unchanged).
 * src [B*M], src_len [B] in 1..M, tgt_in and tgt_out [B*N]; PAD = 0 in tgt_out is ignored.
 * The loss is the mean of -log p over the non-PAD tgt_out tokens. */
int s2s_loss_and_grad(s2s_model *m, const int32_t *src, const int32_t *src_len,
                      const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N,
                      real *loss_out);
/* Forward only (no gradients). */
int s2s_loss(s2s_model *m, const int32_t *src, const int32_t *src_len, const int32_t *tgt_in,
             const int32_t *tgt_out, int B, int M, int N, real *loss_out);

/* Adam settings (defaults 0.9, 0.999, 1e-8). */
int s2s_set_adam(s2s_model *m, real beta1, real beta2, real eps);
int s2s_step_count(const s2s_model *m);
/* loss_and_grad, global-norm clipping (clip_norm <= 0: none), one Adam update.
 * Non-finite loss or gradients: S2S_ERR_DIVERGED and the weights stay as they were. */
int s2s_train_step(s2s_model *m, const int32_t *src, const int32_t *src_len,
                   const int32_t *tgt_in, const int32_t *tgt_out, int B, int M, int N,
                   real learning_rate, real clip_norm, real *loss_out);

/* Data-parallel training. grad_sum: like loss_and_grad, but the gradient block holds the SUMS
 * over the batch's non-PAD target tokens (no division), *loss_sum_out the summed -log p and
 * *count_out the number of those tokens. apply_grad: divides the given gradient sums `grad`
 * (s2s_total_params values in the gradient block's layout; may be the gradient block itself)
 * by count, clips their global norm and takes one Adam step, with train_step's divergence
 * guard (loss_sum / count or a gradient not finite, or a new weight not finite: DIVERGED and
 * nothing changes). train_step is exactly grad_sum followed by apply_grad. */
int s2s_grad_sum(s2s_model *m, const int32_t *src, const int32_t *src_len, const int32_t *tgt_in,
                 const int32_t *tgt_out, int B, int M, int N, double *loss_sum_out,
                 int *count_out);
int s2s_apply_grad(s2s_model *m, const real *grad, int count, double loss_sum,
                   real learning_rate, real clip_norm);
/* acc = x (first != 0) or acc += x, s2s_total_params values each (in the gradient block's
 * layout): data-parallel training adds its shards' gradient sums in shard order with it. */
int s2s_grad_accumulate(s2s_model *m, real *acc, const real *x, int first);

/* Adam's state, for checkpoints. s2s_adam_moment: the first (which = 0) or second (1) moment,
 * one flat block of s2s_total_params values in the parameters' order (NULL for another which).
 * s2s_adam_value: 0 beta1, 1 beta2, 2 epsilon, 3 beta1^t, 4 beta2^t (NaN for another what).
 * s2s_set_adam_state restores the step count t and beta1^t, beta2^t (each in [0, 1]; both 1 at
 * t = 0); the moments are written through s2s_adam_moment. */
real *s2s_adam_moment(s2s_model *m, int which);
double s2s_adam_value(const s2s_model *m, int what);
int s2s_set_adam_state(s2s_model *m, int steps, double beta1_pow, double beta2_pow);

/* Decoding one source sequence src[M] (no PAD). beam <= 1: greedy, otherwise beam search of
 * that width keeping n_best finished hypotheses, ranked by logprob / len^length_penalty.
 * trace (greedy only): also keep every step's scores, context, state and output distribution.
 * Results are read through s2s_result_* until the next decode call on this model. */
int s2s_decode(s2s_model *m, const int32_t *src, int M, int beam, int n_best,
               real length_penalty, int max_len, int trace);
int s2s_result_count(const s2s_model *m);
int s2s_result_length(const s2s_model *m, int r);
const int32_t *s2s_result_tokens(const s2s_model *m, int r);
const real *s2s_result_attention(const s2s_model *m, int r); /* [length][M] */
real s2s_result_logprob(const s2s_model *m, int r);
real s2s_result_score(const s2s_model *m, int r);
/* Trace of the last greedy decode with trace=1: [length][M], [length][M], [length][H],
 * [length][H], [length][Vt]. NULL when no trace was kept. */
const real *s2s_trace_scores(const s2s_model *m);
const real *s2s_trace_weights(const s2s_model *m);
const real *s2s_trace_context(const s2s_model *m);
const real *s2s_trace_state(const s2s_model *m);
const real *s2s_trace_probs(const s2s_model *m);

/* Opaque metadata (the JS library's vocabularies, as UTF-8 JSON) saved with the model. */
int s2s_set_meta(s2s_model *m, const uint8_t *bytes, size_t len);
const uint8_t *s2s_meta(const s2s_model *m);
size_t s2s_meta_length(const s2s_model *m);

/* Model files (docs/model-format.md). s2s_save keeps the bytes in the model until the next save. */
int s2s_save(s2s_model *m);
const uint8_t *s2s_saved_bytes(const s2s_model *m);
size_t s2s_saved_length(const s2s_model *m);
s2s_model *s2s_load(const uint8_t *bytes, size_t len);

#endif
