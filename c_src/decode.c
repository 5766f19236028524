/* decode.c: incremental decoding of one source sequence: greedy (optionally keeping every step's
 * internals for teaching) and beam search with n-best and length normalisation. The encoder runs
 * once; every output token costs one decoder step (one attention pass, one cell step) per beam.
 * PAD and BOS are never produced.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "layers.h"

/* Per-call buffers for R decoder rows (one step's activations, layers.h), M source positions. */
typedef struct {
  real *block;          /* all of the below */
  real *s, *c;          /* (R,H) state and LSTM cell before the step */
  real *s_new, *c_new;  /* (R,H) after it */
  real *q;              /* (R,A) attention query */
  real *scores, *alpha; /* (R,M) attention scores and weights */
  real *ctx;            /* (R,H) context */
  real *xd;             /* (R,Din) decoder input [embed ; ctx] */
  real *gi, *gh, *gates; /* (R,GH) */
  real *oi;             /* (R,Dout) output layer input [s_new ; ctx] */
  real *logp;           /* (R,Vt) log-probabilities of the next token */
} step_buffers;

static int step_buffers_alloc(const s2s_model *m, step_buffers *sb, int R, int M) {
  size_t H = m->cfg.H, A = m->cfg.A, GH = (size_t)m->G * m->cfg.H, r = R;
  size_t sizes[] = {r * H, r * H, r * H, r * H, r * A, r * M, r * M, r * H, r * m->Din, r * GH, r * GH,
                    r * GH, r * m->Dout, r * m->cfg.Vt};
  real **slots[] = {&sb->s, &sb->c, &sb->s_new, &sb->c_new, &sb->q, &sb->scores, &sb->alpha, &sb->ctx,
                    &sb->xd, &sb->gi, &sb->gh, &sb->gates, &sb->oi, &sb->logp};
  size_t total = 0;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) total += (sizes[i] + 3) & ~(size_t)3;
  sb->block = calloc(total, sizeof(real));
  if (!sb->block) return s2s_fail(S2S_ERR_NO_MEMORY, "out of memory for decoding");
  real *p = sb->block;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    *slots[i] = p;
    p += (sizes[i] + 3) & ~(size_t)3;
  }
  return S2S_OK;
}

/* One step for R rows from sb->s/c with previous tokens; log-probabilities into sb->logp. */
static void step(s2s_model *m, step_buffers *sb, const int32_t *lens, int R, const int32_t *tokens) {
  const s2s_workspace *enc = &m->enc_ws;
  int lstm = m->cfg.cell == S2S_CELL_LSTM;
  if (m->cfg.attn)
    s2s_attention_forward(sb->q, sb->scores, sb->alpha, NULL, sb->ctx, sb->s, enc->keys,
                          enc->h_enc + (size_t)enc->B * m->cfg.H, lens, 1, m, R, enc->M, enc->B);
  s2s_decoder_forward(sb->xd, sb->gi, sb->gh, NULL, sb->gates, sb->s_new, lstm ? sb->c_new : NULL, sb->oi,
                      tokens, sb->ctx, sb->s, lstm ? sb->c : NULL, m, R);
  s2s_output_forward(sb->logp, sb->oi, m, R);
  for (int r = 0; r < R; r++) log_softmax_row(sb->logp + (size_t)r * m->cfg.Vt, m->cfg.Vt);
}

static int hyp_reserve(s2s_hyp *h, int len, int M) {
  free(h->tokens);
  free(h->attention);
  h->tokens = malloc(sizeof(int32_t) * (len ? len : 1));
  h->attention = malloc(sizeof(real) * ((size_t)len * M + 1));
  h->length = len;
  if (!h->tokens || !h->attention) return s2s_fail(S2S_ERR_NO_MEMORY, "out of memory for results");
  return S2S_OK;
}

static real length_normalised(real logprob, int len, real alpha) {
  return alpha == 0 ? logprob : logprob / (real)pow((double)len, (double)alpha);
}

/* The most probable output token (never PAD or BOS); ties go to the lower id. */
static int argmax_output(const real *x, int n) {
  int best = S2S_EOS;
  for (int i = S2S_EOS + 1; i < n; i++)
    if (x[i] > x[best]) best = i;
  return best;
}

/* Greedy into result slot `slot`; with trace, keeps every step's internals. */
static int greedy(s2s_model *m, int M, int max_len, int trace, int slot, real alpha) {
  int H = m->cfg.H, Vt = m->cfg.Vt, lstm = m->cfg.cell == S2S_CELL_LSTM;
  step_buffers sb;
  int rc = step_buffers_alloc(m, &sb, 1, M);
  if (rc) return rc;
  int32_t *toks = malloc(sizeof(int32_t) * max_len);
  real *attn = malloc(sizeof(real) * (size_t)max_len * M);
  real *tr = NULL;
  size_t per_step = 2 * (size_t)M + 2 * (size_t)H + Vt;
  if (trace) tr = malloc(sizeof(real) * per_step * max_len);
  if (!toks || !attn || (trace && !tr)) {
    free(toks), free(attn), free(tr), free(sb.block);
    return s2s_fail(S2S_ERR_NO_MEMORY, "out of memory for decoding");
  }
  memcpy(sb.s, m->enc_ws.s, sizeof(real) * H);
  if (lstm) memcpy(sb.c, m->enc_ws.cs, sizeof(real) * H);
  int32_t len32 = M, prev = S2S_BOS;
  real logprob = 0;
  int n = 0;
  while (n < max_len) {
    step(m, &sb, &len32, 1, &prev);
    int tok = argmax_output(sb.logp, Vt);
    logprob += sb.logp[tok];
    toks[n] = tok;
    if (m->cfg.attn) memcpy(attn + (size_t)n * M, sb.alpha, sizeof(real) * M);
    else memset(attn + (size_t)n * M, 0, sizeof(real) * M);
    if (trace) {
      real *t = tr + (size_t)n * per_step;
      memcpy(t, m->cfg.attn ? sb.scores : attn + (size_t)n * M, sizeof(real) * M);
      memcpy(t + M, attn + (size_t)n * M, sizeof(real) * M);
      if (m->cfg.attn) memcpy(t + 2 * M, sb.ctx, sizeof(real) * H);
      else memset(t + 2 * M, 0, sizeof(real) * H);
      memcpy(t + 2 * M + H, sb.s_new, sizeof(real) * H);
      for (int v = 0; v < Vt; v++) t[2 * M + 2 * H + v] = s2s_exp(sb.logp[v]);
    }
    n++;
    if (tok == S2S_EOS) break;
    prev = tok;
    memcpy(sb.s, sb.s_new, sizeof(real) * H);
    if (lstm) memcpy(sb.c, sb.c_new, sizeof(real) * H);
  }
  free(sb.block);
  s2s_hyp *h = &m->results[slot];
  rc = hyp_reserve(h, n, M);
  if (!rc) {
    memcpy(h->tokens, toks, sizeof(int32_t) * n);
    memcpy(h->attention, attn, sizeof(real) * (size_t)n * M);
    h->logprob = logprob;
    h->score = length_normalised(logprob, n, alpha);
  }
  free(toks), free(attn);
  if (trace && !rc) {
    /* regroup into five arrays: scores, weights, context, state, probs */
    free(m->trace_block);
    m->trace_block = malloc(sizeof(real) * per_step * (n ? n : 1));
    if (!m->trace_block) rc = s2s_fail(S2S_ERR_NO_MEMORY, "out of memory for the trace");
    else {
      size_t widths[] = {(size_t)M, (size_t)M, (size_t)H, (size_t)H, (size_t)Vt}, off = 0, dst = 0;
      for (int k = 0; k < 5; k++) {
        for (int i = 0; i < n; i++)
          memcpy(m->trace_block + dst + (size_t)i * widths[k], tr + (size_t)i * per_step + off,
                 sizeof(real) * widths[k]);
        dst += (size_t)n * widths[k];
        off += widths[k];
      }
      m->trace_len = n;
    }
  }
  free(tr);
  return rc;
}

typedef struct {
  real logprob;
  int row, token;
} candidate;

static int candidate_order(const void *a, const void *b) {
  const candidate *x = a, *y = b;
  if (x->logprob != y->logprob) return x->logprob > y->logprob ? -1 : 1;
  if (x->row != y->row) return x->row - y->row;
  return x->token - y->token;
}

static int hyp_order(const void *a, const void *b) {
  const s2s_hyp *x = a, *y = b;
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  return x->length - y->length;
}

static void hyp_free(s2s_hyp *h) {
  free(h->tokens);
  free(h->attention);
  memset(h, 0, sizeof *h);
}

/* Beam search of width k. Finished hypotheses (ending in EOS, or cut at max_len when none ended)
 * are copied out of the history into fin[] (capacity k + 1); returns their count or an error. */
static int beam_search(s2s_model *m, int M, int k, real alpha, int max_len, s2s_hyp *fin) {
  int H = m->cfg.H, Vt = m->cfg.Vt, lstm = m->cfg.cell == S2S_CELL_LSTM;
  step_buffers sb;
  int rc = step_buffers_alloc(m, &sb, k, M), nfin = 0;
  if (rc) return rc;
  size_t hist = (size_t)max_len * k;
  int32_t *tok_hist = malloc(sizeof(int32_t) * hist), *back = malloc(sizeof(int32_t) * hist);
  real *attn_hist = malloc(sizeof(real) * hist * M);
  candidate *cand = malloc(sizeof(candidate) * (size_t)k * k);
  real *beam_lp = malloc(sizeof(real) * k), *new_s = malloc(sizeof(real) * (size_t)k * H * 2);
  int32_t *prev = malloc(sizeof(int32_t) * k), *lens = malloc(sizeof(int32_t) * k);
  if (!tok_hist || !back || !attn_hist || !cand || !beam_lp || !new_s || !prev || !lens) {
    rc = s2s_fail(S2S_ERR_NO_MEMORY, "out of memory for beam search");
    goto done;
  }
  real *new_c = new_s + (size_t)k * H;
  for (int r = 0; r < k; r++) lens[r] = M;
  memcpy(sb.s, m->enc_ws.s, sizeof(real) * H);
  if (lstm) memcpy(sb.c, m->enc_ws.cs, sizeof(real) * H);
  int alive = 1, t;
  beam_lp[0] = 0;
  prev[0] = S2S_BOS;
  for (t = 0; t < max_len && alive > 0 && nfin < k; t++) {
    step(m, &sb, lens, alive, prev);
    int nc = 0;
    for (int r = 0; r < alive; r++) { /* each beam's k best tokens (ties: lower id first) */
      const real *row = sb.logp + (size_t)r * Vt;
      int first = nc;
      for (int c = 0; c < k; c++) {
        int best = -1;
        for (int v = S2S_EOS; v < Vt; v++) { /* never PAD or BOS */
          if (best >= 0 && !(row[v] > row[best])) continue;
          int taken = 0;
          for (int d = first; d < nc && !taken; d++) taken = cand[d].token == v;
          if (!taken) best = v;
        }
        if (best < 0) break;
        cand[nc++] = (candidate){beam_lp[r] + row[best], r, best};
      }
    }
    qsort(cand, nc, sizeof(candidate), candidate_order);
    int next = 0;
    for (int c = 0; c < nc && next < k && nfin < k; c++) {
      const candidate *cd = &cand[c];
      if (cd->token == S2S_EOS) { /* finished: copy it out of the history */
        s2s_hyp *h = &fin[nfin];
        if ((rc = hyp_reserve(h, t + 1, M))) goto done;
        nfin++;
        h->logprob = cd->logprob;
        h->score = length_normalised(cd->logprob, t + 1, alpha);
        h->tokens[t] = S2S_EOS;
        memcpy(h->attention + (size_t)t * M, sb.alpha + (size_t)cd->row * M, sizeof(real) * M);
        for (int s = t - 1, r = cd->row; s >= 0; s--) {
          size_t at = (size_t)s * k + r;
          h->tokens[s] = tok_hist[at];
          memcpy(h->attention + (size_t)s * M, attn_hist + at * M, sizeof(real) * M);
          r = back[at];
        }
        continue;
      }
      size_t at = (size_t)t * k + next;
      tok_hist[at] = cd->token;
      back[at] = cd->row;
      memcpy(attn_hist + at * M, sb.alpha + (size_t)cd->row * M, sizeof(real) * M);
      memcpy(new_s + (size_t)next * H, sb.s_new + (size_t)cd->row * H, sizeof(real) * H);
      if (lstm) memcpy(new_c + (size_t)next * H, sb.c_new + (size_t)cd->row * H, sizeof(real) * H);
      beam_lp[next] = cd->logprob;
      prev[next] = cd->token;
      next++;
    }
    alive = next;
    memcpy(sb.s, new_s, sizeof(real) * (size_t)alive * H);
    if (lstm) memcpy(sb.c, new_c, sizeof(real) * (size_t)alive * H);
  }
  if (nfin == 0 && alive > 0) { /* nothing ended within max_len: the best alive beam, cut */
    s2s_hyp *h = &fin[nfin];
    if ((rc = hyp_reserve(h, t, M))) goto done;
    nfin++;
    h->logprob = beam_lp[0];
    h->score = length_normalised(beam_lp[0], t, alpha);
    for (int s = t - 1, r = 0; s >= 0; s--) {
      size_t at = (size_t)s * k + r;
      h->tokens[s] = tok_hist[at];
      memcpy(h->attention + (size_t)s * M, attn_hist + at * M, sizeof(real) * M);
      r = back[at];
    }
  }
  rc = nfin;
done:
  if (rc < 0)
    for (int i = 0; i < nfin; i++) hyp_free(&fin[i]);
  free(sb.block), free(tok_hist), free(back), free(attn_hist), free(cand);
  free(beam_lp), free(new_s), free(prev), free(lens);
  return rc;
}

int s2s_decode(s2s_model *m, const int32_t *src, int M, int beam, int n_best, real length_penalty,
               int max_len, int trace) {
  s2s_clear_error();
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  if (!src) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no source tokens");
  if (M < 1 || M > S2S_MAX_LENGTH)
    return s2s_fail(M < 1 ? S2S_ERR_BAD_ARGUMENT : S2S_ERR_LIMIT,
                    "source length %d is out of range: it must be between 1 and %d", M, S2S_MAX_LENGTH);
  if (max_len < 1 || max_len > S2S_MAX_LENGTH)
    return s2s_fail(max_len < 1 ? S2S_ERR_BAD_ARGUMENT : S2S_ERR_LIMIT,
                    "maxLength %d is out of range: it must be between 1 and %d", max_len, S2S_MAX_LENGTH);
  if (beam < 1) beam = 1;
  if (beam > S2S_MAX_BEAM)
    return s2s_fail(S2S_ERR_LIMIT, "beam %d is larger than the limit of %d", beam, S2S_MAX_BEAM);
  if (n_best < 1 || n_best > beam)
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "nBest %d must be between 1 and the beam width %d", n_best, beam);
  if (!(length_penalty >= 0 && length_penalty <= 10))
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "lengthPenalty must be between 0 and 10, got %g",
                    (double)length_penalty);
  if ((double)max_len * beam * M * sizeof(real) > (double)S2S_MAX_WORKSPACE)
    return s2s_fail(S2S_ERR_LIMIT, "beam %d x maxLength %d x source %d is too much to decode at once",
                    beam, max_len, M);
  for (int j = 0; j < M; j++)
    if (src[j] < 0 || src[j] >= m->cfg.Vs)
      return s2s_fail(S2S_ERR_BAD_ARGUMENT, "source token %d at position %d is not a token id (0..%d)",
                      src[j], j, m->cfg.Vs - 1);
  int rc = s2s_workspace_ensure(m, &m->enc_ws, 1, M, 0, 0);
  if (rc) return rc;
  int32_t len = M;
  s2s_encoder_forward(&m->enc_ws, src, &len, m, 1, M);
  if (m->cfg.attn) s2s_attention_keys_forward(m->enc_ws.keys, m->enc_ws.h_enc + m->cfg.H, m, M);
  for (int i = 0; i < m->nresults; i++) hyp_free(&m->results[i]);
  m->nresults = 0;
  m->trace_len = 0;
  m->result_m = M;
  if (beam == 1) {
    if ((rc = greedy(m, M, max_len, trace, 0, length_penalty))) return rc;
    m->nresults = 1;
    return S2S_OK;
  }
  s2s_hyp fin[S2S_MAX_BEAM + 1];
  memset(fin, 0, sizeof fin);
  int nfin = beam_search(m, M, beam, length_penalty, max_len, fin);
  if (nfin < 0) return nfin;
  /* greedy's hypothesis competes too, so a wider beam never returns a worse best result */
  if ((rc = greedy(m, M, max_len, 0, 0, length_penalty))) {
    for (int i = 0; i < nfin; i++) hyp_free(&fin[i]);
    return rc;
  }
  s2s_hyp g = m->results[0];
  memset(&m->results[0], 0, sizeof g);
  int dup = 0;
  for (int i = 0; i < nfin && !dup; i++)
    dup = fin[i].length == g.length && !memcmp(fin[i].tokens, g.tokens, sizeof(int32_t) * g.length);
  if (dup) hyp_free(&g);
  else fin[nfin++] = g;
  qsort(fin, nfin, sizeof(s2s_hyp), hyp_order);
  m->nresults = nfin < n_best ? nfin : n_best;
  for (int i = 0; i < nfin; i++) {
    if (i < m->nresults) m->results[i] = fin[i];
    else hyp_free(&fin[i]);
  }
  return S2S_OK;
}

int s2s_result_count(const s2s_model *m) { return m ? m->nresults : 0; }
static const s2s_hyp *result_at(const s2s_model *m, int r) {
  return m && r >= 0 && r < m->nresults ? &m->results[r] : NULL;
}
int s2s_result_length(const s2s_model *m, int r) {
  const s2s_hyp *h = result_at(m, r);
  return h ? h->length : -1;
}
const int32_t *s2s_result_tokens(const s2s_model *m, int r) {
  const s2s_hyp *h = result_at(m, r);
  return h ? h->tokens : NULL;
}
const real *s2s_result_attention(const s2s_model *m, int r) {
  const s2s_hyp *h = result_at(m, r);
  return h ? h->attention : NULL;
}
real s2s_result_logprob(const s2s_model *m, int r) {
  const s2s_hyp *h = result_at(m, r);
  return h ? h->logprob : 0;
}
real s2s_result_score(const s2s_model *m, int r) {
  const s2s_hyp *h = result_at(m, r);
  return h ? h->score : 0;
}

static const real *trace_part(const s2s_model *m, int part) {
  if (!m || !m->trace_block || !m->trace_len) return NULL;
  size_t n = m->trace_len, M = m->result_m, H = m->cfg.H;
  size_t offs[] = {0, n * M, 2 * n * M, 2 * n * M + n * H, 2 * n * M + 2 * n * H};
  return m->trace_block + offs[part];
}
const real *s2s_trace_scores(const s2s_model *m) { return trace_part(m, 0); }
const real *s2s_trace_weights(const s2s_model *m) { return trace_part(m, 1); }
const real *s2s_trace_context(const s2s_model *m) { return trace_part(m, 2); }
const real *s2s_trace_state(const s2s_model *m) { return trace_part(m, 3); }
const real *s2s_trace_probs(const s2s_model *m) { return trace_part(m, 4); }
