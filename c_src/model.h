/* model.h: the model's internal structure, shared by model.c, train.c, decode.c and modelfile.c.
 * All parameters live in one flat block; gradients and Adam's two moments mirror it, so a tensor
 * is the same offset into each block. Activations live in workspaces sized once per batch shape.
 * The layers that run on them are in layers.h.
 */
#ifndef S2S_MODEL_H
#define S2S_MODEL_H

#include "s2s.h"

#define S2S_MAX_TENSORS 20
#define S2S_NAME_MAX 24

typedef struct {
  char name[S2S_NAME_MAX];
  int rows, cols; /* cols = 0 for a 1-D tensor */
  size_t offset, size;
} s2s_tensor;

/* Named pointers into one of the flat blocks (parameters or gradients). */
typedef struct {
  real *enc_embed, *enc_wih, *enc_whh, *enc_bih, *enc_bhh;
  real *attn_wh, *attn_ws, *attn_b, *attn_v; /* additive */
  real *attn_wq, *attn_wk;                   /* dot */
  real *dec_embed, *dec_wih, *dec_whh, *dec_bih, *dec_bhh;
  real *out_w, *out_b;
} s2s_weights;

/* Activations of one batch (B sequences, source length M, target length N), time-major. */
typedef struct {
  int B, M, N, with_grad; /* the shape laid out now */
  size_t bytes;           /* capacity of the block; smaller shapes reuse it */
  real *block;
  /* encoder */
  real *x_enc;     /* (M,B,E) */
  real *gi_enc;    /* (M,B,GH) W_ih x + b_ih */
  real *gh_enc;    /* (M,B,GH) W_hh h + b_hh */
  real *gates_enc; /* (M,B,GH) */
  real *h_enc;     /* (M+1,B,H), h_enc[0] = 0 */
  real *c_enc;     /* (M+1,B,H) LSTM */
  real *keys;      /* (M,B,A) W_h h_j or W_K h_j */
  /* decoder */
  real *s;         /* (N+1,B,H), s[0] = s_0 */
  real *cs;        /* (N+1,B,H) LSTM */
  real *q;         /* (N,B,A) W_s s + b or W_Q s */
  real *scores;    /* (N,B,M) pre-softmax a_j */
  real *alpha;     /* (N,B,M) */
  real *attn_t;    /* (N,B,M,A) additive: tanh(W_h h_j + W_s s + b), kept for backward */
  real *ctx;       /* (N,B,H) c_{i-1} */
  real *xd;        /* (N,B,Din) [embed ; ctx] */
  real *gi_dec, *gh_dec, *gates_dec; /* (N,B,GH) */
  real *oi;        /* (N,B,Dout) [s ; ctx] */
  real *logits;    /* (N,B,Vt) log-probabilities after the forward pass */
  /* backward */
  real *d_oi;      /* (N,B,Dout) */
  real *d_gi_enc, *d_gh_enc; /* (M,B,GH) */
  real *d_h_enc;   /* (M+1,B,H) */
  real *d_keys;    /* (M,B,A) */
  real *d_gi_dec, *d_gh_dec; /* (N,B,GH) */
  real *d_q;       /* (N,B,A) */
  real *d_xd;      /* (B,Din) */
  real *d_x_enc;   /* (M,B,E) */
  real *ds, *dcs, *ds_prev, *dcs_prev, *dctx; /* (B,H) */
  real *dalpha;    /* (M) */
} s2s_workspace;

/* One decoded hypothesis. */
typedef struct {
  int length;
  real logprob, score;
  int32_t *tokens; /* (length) */
  real *attention; /* (length, M) */
} s2s_hyp;

struct s2s_model {
  int cell, attn, scale, E, H, A, Vs, Vt, G;
  int Din, Dout; /* decoder input and output-layer widths */
  int ntensors;
  s2s_tensor tensors[S2S_MAX_TENSORS];
  size_t total;
  real *params, *grads, *adam_m, *adam_v;
  s2s_weights w, g;
  real beta1, beta2, eps;
  double beta1_pow, beta2_pow;
  int steps;
  s2s_workspace train_ws, enc_ws;
  /* results of the last decode */
  int nresults, result_m;
  s2s_hyp results[S2S_MAX_BEAM];
  real *trace_block; /* scores, weights, context, state, probs of a traced greedy decode */
  int trace_len;
  uint8_t *meta;
  size_t meta_len;
  uint8_t *saved;
  size_t saved_len;
};

/* Error reporting: set the message returned by s2s_last_error(); returns `code`. */
int s2s_fail(int code, const char *fmt, ...);
void s2s_clear_error(void);

/* Checks a configuration against the documented bounds; S2S_OK or an error with a message. */
int s2s_check_config(int cell, int attention, int scale, int E, int H, int A, int Vs, int Vt);
/* Allocates a model (weights zero) for a checked configuration: s2s_layout + s2s_alloc_arrays. */
s2s_model *s2s_alloc(int cell, int attention, int scale, int E, int H, int A, int Vs, int Vt);
/* The model with its tensor table (names, shapes, offsets, total) but no arrays yet: what a
 * loader needs to check a file's length and layout before it allocates the weights. */
s2s_model *s2s_layout(int cell, int attention, int scale, int E, int H, int A, int Vs, int Vt);
/* Allocates the parameter, gradient and Adam arrays; on failure frees the model and returns
 * S2S_ERR_NO_MEMORY. */
int s2s_alloc_arrays(s2s_model *m);

/* Workspace for (B, M, N); keeps the old one when large enough. */
int s2s_workspace_ensure(const s2s_model *m, s2s_workspace *ws, int B, int M, int N, int with_grad);
void s2s_workspace_free(s2s_workspace *ws);

#endif
