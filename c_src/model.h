/* model.h: the model's internal structure, shared by model.c, train.c, decode.c and modelfile.c.
 * All parameters live in one flat block; gradients and Adam's two moments mirror it, so a tensor
 * is the same offset into each block. Activations live in workspaces sized once per batch shape.
 * The layers that run on them are in layers.h.
 */
#ifndef S2S_MODEL_H
#define S2S_MODEL_H

#include "s2s.h"

/* The configuration: the eight numbers that define a model. A model file's header stores them in
 * this order (docs/model-format.md); s2s_config(m, what) reads them back in the same order.
 * (A struct tag without a typedef: the name s2s_config is the public read-back function's.) */
struct s2s_config {
  int cell;    /* S2S_CELL_* */
  int attn;    /* S2S_ATTN_* */
  int scale;   /* 0 or 1; 1: dot attention divides its scores by sqrt(A) */
  int E, H, A; /* embedding, hidden and attention sizes */
  int Vs, Vt;  /* source and target vocabulary sizes, the four special tokens included */
};
#define S2S_CONFIG_WORDS 8
/* Field i (0..7) of a configuration, in the order above: the one place that order is spelled. */
int *s2s_config_field(struct s2s_config *c, int i);

#define S2S_MAX_TENSORS 20
#define S2S_NAME_MAX 24

typedef struct {
  char name[S2S_NAME_MAX];
  int rows, cols; /* cols = 0 for a 1-D tensor */
  size_t offset, size;
} s2s_tensor;

/* Named pointers into one of the flat blocks (parameters or gradients); NULL when the
 * configuration has no such tensor. GH = gates x H (1, 3 or 4 gates for RNN, GRU, LSTM). */
typedef struct {
  real *enc_embed;          /* (Vs,E) */
  real *enc_wih, *enc_whh;  /* (GH,E), (GH,H) */
  real *enc_bih, *enc_bhh;  /* (GH), (GH) */
  real *attn_wh, *attn_ws;  /* (A,H), (A,H): additive keys and query */
  real *attn_b, *attn_v;    /* (A), (A): additive */
  real *attn_wq, *attn_wk;  /* (A,H), (A,H): dot query and keys */
  real *dec_embed;          /* (Vt,E) */
  real *dec_wih, *dec_whh;  /* (GH,Din), (GH,H) */
  real *dec_bih, *dec_bhh;  /* (GH), (GH) */
  real *out_w, *out_b;      /* (Vt,Dout), (Vt) */
} s2s_weights;

/* Activations of one batch (B sequences, source length M, target length N), time-major. */
typedef struct {
  int B, M, N, with_grad; /* the shape laid out now */
  int attn_t_kept;        /* attn_t holds every step's tanh terms (else one row's, recomputed) */
  size_t bytes;           /* capacity of the block; smaller shapes reuse it */
  real *block;
  /* encoder */
  real *x_enc;     /* (M,B,E) */
  real *gi_enc;    /* (M,B,GH) W_ih x + b_ih */
  real *gh_tmp;    /* (B,GH) W_hh h + b_hh of the step being computed (encoder and decoder) */
  real *gh_enc;    /* (M,B,H) what the backward needs of gh (cell_forward's keep; not the RNN) */
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
  real *attn_t;    /* additive: tanh(W_h h_j + W_s s + b), (N,B,M,A) kept for backward where
                    * that is at most s2s_attn_t_keep_max bytes (attn_t_kept), else (M,A) + (M)
                    * scratch the backward recomputes one row's terms into */
  real *ctx;       /* (N,B,H) c_{i-1} */
  real *xd;        /* (N,B,Din) [embed ; ctx] */
  real *gi_dec, *gates_dec; /* (N,B,GH) */
  real *gh_dec;    /* (N,B,H) as gh_enc */
  real *oi;        /* (N,B,Dout) [s ; ctx] */
  real *logits;    /* (chunk,Vt) one chunk of the output layer's rows (s2s_output_loss) */
  real *out_x;     /* (chunk,Dout) the chunk's non-PAD rows of oi, gathered */
  real *out_rows;  /* (2*chunk) int32 slots: the chunk's targets, then its row numbers */
  /* backward */
  real *d_oi;      /* (N,B,Dout) */
  real *out_dx;    /* (chunk,Dout) the chunk's d_oi rows */
  real *out_pack;  /* (chunk,S2S_OUT_PACK_COLS) packed columns of the chunk's dlogits */
  real *d_gi_enc, *d_gh_enc; /* (M,B,GH) */
  real *d_h_enc;   /* (M+1,B,H) */
  real *d_keys;    /* (M,B,A) */
  real *d_gi_dec, *d_gh_dec; /* (N,B,GH) */
  real *d_q;       /* (N,B,A) */
  real *d_xd;      /* (B,Din) */
  real *d_x_enc;   /* (M,B,E) */
  real *ds, *dcs, *ds_prev, *dcs_prev, *dctx; /* (B,H) */
  real *dalpha;    /* (B,M) */
} s2s_workspace;

/* One decoded hypothesis. */
typedef struct {
  int length;
  real logprob, score;
  int32_t *tokens; /* (length) */
  real *attention; /* (length, M) */
} s2s_hyp;

struct s2s_model {
  struct s2s_config cfg; /* checked by s2s_check_config */
  int G;                 /* gates per cell: 1 RNN, 3 GRU, 4 LSTM */
  int Din, Dout;         /* decoder input and output-layer widths */
  int ntensors;
  s2s_tensor tensors[S2S_MAX_TENSORS];
  size_t total;
  real *params, *grads, *adam_m, *adam_v;
  s2s_weights w, g;
  real beta1, beta2, eps;
  double beta1_pow, beta2_pow;
  int steps;
  s2s_workspace train_ws, enc_ws;
  /* The forward products' weight matrices transposed, W^T (in, out) row-major, so training runs
   * them as gemm_nn (gemm_xwt, where gemm_wt_pays). wt points into wt_block (allocated at the
   * first training pass; never in the FMA build, where no product takes W^T).
   * s2s_transpose_weights fills it at the start of each training forward pass (O(parameters))
   * and wt_ready is 1 only while that pass runs: decoding, between whose calls the weights may
   * change (setParameter, load), uses W as stored. */
  real *wt_block;
  s2s_weights wt;
  int wt_ready;
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
int s2s_check_config(const struct s2s_config *c);
/* The model of a configuration with its tensor table (names, shapes, offsets, total) but no
 * arrays yet: what a loader needs to check a file's length and layout before it allocates the
 * weights. Checks the configuration first (s2s_check_config): NULL and its error if not valid. */
s2s_model *s2s_layout(const struct s2s_config *c);
/* Allocates the parameter, gradient and Adam arrays (zero); S2S_ERR_NO_MEMORY on failure, the
 * model then still the caller's to destroy. */
int s2s_alloc_arrays(s2s_model *m);

/* Fills m->wt (allocating it the first time) from the current weights: S2S_OK, or
 * S2S_ERR_NO_MEMORY without an error message (the caller then keeps wt_ready 0 and the products
 * use W as stored: slower, the same results within rounding). */
int s2s_transpose_weights(s2s_model *m);
/* The W^T of weight matrix `name` for gemm_xwt during a training pass, else NULL (use W). */
#define S2S_WT(m, name) ((m)->wt_ready ? (m)->wt.name : NULL)

/* Workspace for (B, M, N); keeps the old one when large enough. */
int s2s_workspace_ensure(const s2s_model *m, s2s_workspace *ws, int B, int M, int N, int with_grad);
/* The largest additive tanh terms (bytes) training keeps from the forward for the backward; above
 * it the backward recomputes them row by row (the same function of the same numbers: the same
 * bits). Kept terms that stay in cache are cheaper to read than to recompute (the dates model's
 * 2.3 MB: recomputing was 0.97-0.98x a step); model C's 59 MB stream from memory, written in the
 * forward and read in the backward, and recomputing them is faster (1.05-1.07x a step). A
 * variable so that the tests can take either path. */
extern size_t s2s_attn_t_keep_max;
void s2s_workspace_free(s2s_workspace *ws);

#endif
