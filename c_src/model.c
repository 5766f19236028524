/* model.c: configuration checks, the parameter block and its names, seeded initialisation,
 * workspaces and error messages. The layers are in layers.c, training in train.c.
 */
#include "model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "kernels.h"
#include "layers.h"

/* ---- errors -------------------------------------------------------------------------------- */

static char last_error[512];
static int last_status;

const char *s2s_last_error(void) { return last_error; }
int s2s_last_status(void) { return last_status; }
void s2s_clear_error(void) {
  last_error[0] = 0;
  last_status = S2S_OK;
}

int s2s_fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  last_status = code;
  return code;
}

/* ---- configuration ------------------------------------------------------------------------- */

int *s2s_config_field(struct s2s_config *c, int i) {
  int *fields[S2S_CONFIG_WORDS] = {&c->cell, &c->attn, &c->scale, &c->E, &c->H, &c->A, &c->Vs, &c->Vt};
  return fields[i];
}

int s2s_check_config(const struct s2s_config *c) {
  if (c->cell < 0 || c->cell > 2)
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "unknown cell %d: use 0 (rnn), 1 (gru) or 2 (lstm)", c->cell);
  if (c->attn < 0 || c->attn > 2)
    return s2s_fail(S2S_ERR_BAD_ARGUMENT,
                    "unknown attention %d: use 0 (none), 1 (additive) or 2 (dot)", c->attn);
  if (c->scale != 0 && c->scale != 1)
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "scale must be 0 or 1, got %d", c->scale);
  struct { const char *what; int v, lo, hi; } sizes[] = {
      {"embed size", c->E, 1, S2S_MAX_EMBED},
      {"hidden size", c->H, 1, S2S_MAX_HIDDEN},
      {"attention size", c->A, 1, S2S_MAX_ATTN},
      {"source vocabulary size", c->Vs, S2S_MIN_VOCAB, S2S_MAX_VOCAB},
      {"target vocabulary size", c->Vt, S2S_MIN_VOCAB, S2S_MAX_VOCAB}};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    if (sizes[i].v < sizes[i].lo || sizes[i].v > sizes[i].hi)
      return s2s_fail(sizes[i].v < sizes[i].lo ? S2S_ERR_BAD_ARGUMENT : S2S_ERR_LIMIT,
                      "%s %d is out of range: it must be between %d and %d", sizes[i].what,
                      sizes[i].v, sizes[i].lo, sizes[i].hi);
  /* parameter count, in double to avoid overflow before the check */
  double G = cell_gates(c->cell), E = c->E, H = c->H, A = c->A, Vs = c->Vs, Vt = c->Vt;
  double Din = E + (c->attn ? H : 0), Dout = c->attn ? 2 * H : H;
  double n = Vs * E + G * H * (E + H + 2) + (c->attn == S2S_ATTN_ADDITIVE ? 2 * A * H + 2 * A : 0) +
             (c->attn == S2S_ATTN_DOT ? 2 * A * H : 0) + Vt * E + G * H * (Din + H + 2) + Vt * Dout + Vt;
  if (n > S2S_MAX_PARAMS)
    return s2s_fail(S2S_ERR_LIMIT, "the model would have %.0f parameters, more than the limit of %u",
                    n, S2S_MAX_PARAMS);
  return S2S_OK;
}

static void add_tensor(s2s_model *m, const char *name, int rows, int cols) {
  s2s_tensor *t = &m->tensors[m->ntensors++];
  snprintf(t->name, sizeof t->name, "%s", name);
  t->rows = rows;
  t->cols = cols;
  t->size = (size_t)rows * (cols ? cols : 1);
  t->offset = m->total;
  m->total += t->size;
}

static void bind_weights(const s2s_model *m, real *base, s2s_weights *w) {
  memset(w, 0, sizeof *w);
  struct { const char *name; real **slot; } map[] = {
      {"enc.embed", &w->enc_embed},   {"enc.weight_ih", &w->enc_wih}, {"enc.weight_hh", &w->enc_whh},
      {"enc.bias_ih", &w->enc_bih},   {"enc.bias_hh", &w->enc_bhh},   {"attn.W_h", &w->attn_wh},
      {"attn.W_s", &w->attn_ws},      {"attn.b", &w->attn_b},         {"attn.v", &w->attn_v},
      {"attn.W_Q", &w->attn_wq},      {"attn.W_K", &w->attn_wk},      {"dec.embed", &w->dec_embed},
      {"dec.weight_ih", &w->dec_wih}, {"dec.weight_hh", &w->dec_whh}, {"dec.bias_ih", &w->dec_bih},
      {"dec.bias_hh", &w->dec_bhh},   {"out.weight", &w->out_w},      {"out.bias", &w->out_b}};
  for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
    int i = s2s_param_index(m, map[k].name);
    if (i >= 0) *map[k].slot = base + m->tensors[i].offset;
  }
}

s2s_model *s2s_layout(const struct s2s_config *c) {
  if (s2s_check_config(c)) return NULL;
  s2s_model *m = calloc(1, sizeof *m);
  if (!m) {
    s2s_fail(S2S_ERR_NO_MEMORY, "out of memory allocating a model");
    return NULL;
  }
  m->cfg = *c;
  int E = c->E, H = c->H, A = c->A, Vs = c->Vs, Vt = c->Vt, attention = c->attn;
  m->G = cell_gates(c->cell);
  m->Din = E + (attention ? H : 0);
  m->Dout = attention ? 2 * H : H;
  int GH = m->G * H;
  add_tensor(m, "enc.embed", Vs, E);
  add_tensor(m, "enc.weight_ih", GH, E);
  add_tensor(m, "enc.weight_hh", GH, H);
  add_tensor(m, "enc.bias_ih", GH, 0);
  add_tensor(m, "enc.bias_hh", GH, 0);
  if (attention == S2S_ATTN_ADDITIVE) {
    add_tensor(m, "attn.W_h", A, H);
    add_tensor(m, "attn.W_s", A, H);
    add_tensor(m, "attn.b", A, 0);
    add_tensor(m, "attn.v", A, 0);
  } else if (attention == S2S_ATTN_DOT) {
    add_tensor(m, "attn.W_Q", A, H);
    add_tensor(m, "attn.W_K", A, H);
  }
  add_tensor(m, "dec.embed", Vt, E);
  add_tensor(m, "dec.weight_ih", GH, m->Din);
  add_tensor(m, "dec.weight_hh", GH, H);
  add_tensor(m, "dec.bias_ih", GH, 0);
  add_tensor(m, "dec.bias_hh", GH, 0);
  add_tensor(m, "out.weight", Vt, m->Dout);
  add_tensor(m, "out.bias", Vt, 0);
  return m;
}

/* n zeroed reals starting on a 64-byte cache line (freed with free): the GEMMs' and row kernels'
 * arrays then start at the same place in a line whatever else was allocated before them; with
 * calloc's 8- or 16-byte alignment a change in an unrelated allocation's size moved them and
 * whole steps by a few per cent (bench/ab.js, the dates model). */
static real *calloc_lines(size_t n) {
  size_t bytes = (n * sizeof(real) + 63) & ~(size_t)63;
  real *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes);
  return p;
}

int s2s_alloc_arrays(s2s_model *m) {
  m->params = calloc_lines(m->total);
  m->grads = calloc_lines(m->total);
  m->adam_m = calloc_lines(m->total);
  m->adam_v = calloc_lines(m->total);
  if (!m->params || !m->grads || !m->adam_m || !m->adam_v)
    return s2s_fail(S2S_ERR_NO_MEMORY, "out of memory allocating %zu parameters", m->total);
  bind_weights(m, m->params, &m->w);
  bind_weights(m, m->grads, &m->g);
  m->beta1 = (real)0.9, m->beta2 = (real)0.999, m->eps = (real)1e-8;
  m->beta1_pow = 1, m->beta2_pow = 1;
  return S2S_OK;
}

/* ---- seeded initialisation ----------------------------------------------------------------- */

/* splitmix64: the same stream of 64-bit numbers from a seed on every platform. */
static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [-bound, bound): 24 random bits make an exact float in [0,1). */
static real uniform(uint64_t *state, real bound) {
  real u = (real)(splitmix64(state) >> 40) * (real)(1.0 / 16777216.0);
  return (u + u - 1) * bound;
}

s2s_model *s2s_create(int cell, int attention, int scale, int E, int H, int A, int Vs, int Vt,
                      uint32_t seed) {
  s2s_clear_error();
  struct s2s_config c = {cell, attention, scale, E, H, A, Vs, Vt};
  s2s_model *m = s2s_layout(&c);
  if (!m) return NULL;
  if (s2s_alloc_arrays(m)) {
    s2s_destroy(m);
    return NULL;
  }
  uint64_t state = seed;
  for (int i = 0; i < m->ntensors; i++) {
    s2s_tensor *t = &m->tensors[i];
    real bound;
    if (strstr(t->name, "embed")) bound = 1;
    else if (!strcmp(t->name, "attn.v")) bound = 1 / (real)sqrt((double)A);
    else if (!strncmp(t->name, "out.", 4)) bound = 1 / (real)sqrt((double)m->Dout);
    else bound = 1 / (real)sqrt((double)H);
    for (size_t k = 0; k < t->size; k++) m->params[t->offset + k] = uniform(&state, bound);
  }
  return m;
}

void s2s_destroy(s2s_model *m) {
  if (!m) return;
  free(m->params);
  free(m->grads);
  free(m->adam_m);
  free(m->adam_v);
  s2s_workspace_free(&m->train_ws);
  s2s_workspace_free(&m->enc_ws);
  for (int r = 0; r < S2S_MAX_BEAM; r++) {
    free(m->results[r].tokens);
    free(m->results[r].attention);
  }
  free(m->wt_block);
  free(m->trace_block);
  free(m->meta);
  free(m->saved);
  free(m);
}

/* ---- parameters by name -------------------------------------------------------------------- */

int s2s_config(const s2s_model *m, int what) {
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  if (what < 0 || what >= S2S_CONFIG_WORDS)
    return s2s_fail(S2S_ERR_BAD_ARGUMENT, "unknown config field %d", what);
  struct s2s_config c = m->cfg;
  return *s2s_config_field(&c, what);
}

int s2s_param_count(const s2s_model *m) { return m ? m->ntensors : 0; }
static const s2s_tensor *tensor_at(const s2s_model *m, int i) {
  return m && i >= 0 && i < m->ntensors ? &m->tensors[i] : NULL;
}
const char *s2s_param_name(const s2s_model *m, int i) {
  const s2s_tensor *t = tensor_at(m, i);
  return t ? t->name : NULL;
}
int s2s_param_rows(const s2s_model *m, int i) {
  const s2s_tensor *t = tensor_at(m, i);
  return t ? t->rows : -1;
}
int s2s_param_cols(const s2s_model *m, int i) {
  const s2s_tensor *t = tensor_at(m, i);
  return t ? t->cols : -1;
}
int s2s_param_size(const s2s_model *m, int i) {
  const s2s_tensor *t = tensor_at(m, i);
  return t ? (int)t->size : -1;
}
int s2s_param_index(const s2s_model *m, const char *name) {
  if (!m || !name) return -1;
  for (int i = 0; i < m->ntensors; i++)
    if (!strcmp(m->tensors[i].name, name)) return i;
  return -1;
}
real *s2s_param_data(s2s_model *m, int i) {
  const s2s_tensor *t = tensor_at(m, i);
  return t ? m->params + t->offset : NULL;
}
real *s2s_grad_data(s2s_model *m, int i) {
  const s2s_tensor *t = tensor_at(m, i);
  return t ? m->grads + t->offset : NULL;
}
size_t s2s_total_params(const s2s_model *m) { return m ? m->total : 0; }

int s2s_set_meta(s2s_model *m, const uint8_t *bytes, size_t len) {
  if (!m) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "no model");
  if (len > S2S_MAX_META)
    return s2s_fail(S2S_ERR_LIMIT, "metadata of %zu bytes is larger than the limit of %zu", len,
                    (size_t)S2S_MAX_META);
  if (len && !bytes) return s2s_fail(S2S_ERR_BAD_ARGUMENT, "metadata pointer is NULL");
  uint8_t *copy = NULL;
  if (len) {
    copy = malloc(len);
    if (!copy) return s2s_fail(S2S_ERR_NO_MEMORY, "out of memory copying metadata");
    memcpy(copy, bytes, len);
  }
  free(m->meta);
  m->meta = copy;
  m->meta_len = len;
  return S2S_OK;
}
const uint8_t *s2s_meta(const s2s_model *m) { return m ? m->meta : NULL; }
size_t s2s_meta_length(const s2s_model *m) { return m ? m->meta_len : 0; }

/* ---- transposed weights for training's forward products --------------------------------- */

int s2s_transpose_weights(s2s_model *m) {
  for (int i = 0; i < m->ntensors; i++) {
    const s2s_tensor *t = &m->tensors[i];
    /* vectors and embeddings (gathered, never multiplied) and products gemm_xwt runs from W: skipped */
    if (!t->cols || strstr(t->name, "embed") || !gemm_wt_pays(t->rows, t->cols)) continue;
    if (!m->wt_block) { /* the first time a product takes W^T (never in a build where none does) */
      m->wt_block = calloc_lines(m->total);
      if (!m->wt_block) return S2S_ERR_NO_MEMORY; /* no error set: the products then use W */
      bind_weights(m, m->wt_block, &m->wt);
    }
    const real *w = m->params + t->offset;
    real *wt = m->wt_block + t->offset;
    int R = t->rows, C = t->cols;
    for (int r0 = 0; r0 < R; r0 += 16) /* 16 x 16 tiles: both sides stay in cache lines */
      for (int c0 = 0; c0 < C; c0 += 16) {
        int r1 = R - r0 < 16 ? R : r0 + 16, c1 = C - c0 < 16 ? C : c0 + 16;
        for (int r = r0; r < r1; r++)
          for (int c = c0; c < c1; c++) wt[(size_t)c * R + r] = w[(size_t)r * C + c];
      }
  }
  return S2S_OK;
}

/* ---- workspaces ---------------------------------------------------------------------------- */

void s2s_workspace_free(s2s_workspace *ws) {
  free(ws->block);
  memset(ws, 0, sizeof *ws);
}

size_t s2s_attn_t_keep_max = (size_t)8 << 20;

int s2s_workspace_ensure(const s2s_model *m, s2s_workspace *ws, int B, int M, int N, int with_grad) {
  uint64_t tanh_terms = (uint64_t)N * B * M * (m->cfg.attn == S2S_ATTN_ADDITIVE ? m->cfg.A : 0);
  int kept = tanh_terms * sizeof(real) <= s2s_attn_t_keep_max;
  if (ws->block && ws->B == B && ws->M == M && ws->N == N && ws->with_grad >= with_grad &&
      ws->attn_t_kept == kept)
    return S2S_OK;
  /* 64-bit counts: in wasm size_t is 32 bits, and e.g. 1024 x 4096 x 65536 logits would wrap */
  uint64_t H = m->cfg.H, A = m->cfg.attn ? m->cfg.A : 0, GH = (uint64_t)m->G * m->cfg.H, lstm = m->cfg.cell == S2S_CELL_LSTM;
  uint64_t b = B, mm = M, n = N, E = m->cfg.E, Din = m->Din, Dout = m->Dout, Vt = m->cfg.Vt;
  uint64_t keep = m->cfg.cell != S2S_CELL_RNN; /* cell_forward keeps part of gh (not the RNN) */
  uint64_t at = m->cfg.attn ? 1 : 0, sep = !cell_dgh_is_dgi(m->cfg.cell); /* a d_gh apart from d_gi */
  uint64_t chunk = (uint64_t)s2s_output_chunk_rows(m->cfg.Vt, N * B); /* rows of logits held at once */
  struct { real **slot; uint64_t count; int grad; } plan[] = {
      {&ws->x_enc, mm * b * E, 0},          {&ws->gi_enc, mm * b * GH, 0},
      {&ws->gh_enc, keep * mm * b * H, 0},        {&ws->gates_enc, mm * b * GH, 0},
      {&ws->h_enc, (mm + 1) * b * H, 0},    {&ws->c_enc, lstm * (mm + 1) * b * H, 0},
      {&ws->keys, mm * b * A, 0},           {&ws->s, (n + 1) * b * H, 0},
      {&ws->cs, lstm * (n + 1) * b * H, 0}, {&ws->q, n * b * A, 0},
      {&ws->scores, at * n * b * mm, 0},    {&ws->alpha, at * n * b * mm, 0},
      {&ws->attn_t, !tanh_terms ? 0 : kept ? tanh_terms : mm * A + mm, 1},
      {&ws->ctx, at * n * b * H, 0},        {&ws->xd, n * b * Din, 0},
      {&ws->gi_dec, n * b * GH, 0},         {&ws->gh_dec, keep * n * b * H, 0},
      {&ws->gh_tmp, b * GH, 0},
      {&ws->gates_dec, n * b * GH, 0},      {&ws->oi, n * b * Dout, 0},
      {&ws->logits, chunk * Vt, 0},         {&ws->d_oi, n * b * Dout, 1},
      {&ws->out_x, chunk * Dout, 0},        {&ws->out_rows, 2 * chunk, 0},
      {&ws->out_dx, chunk * Dout, 1},       {&ws->out_pack, chunk * (Vt < S2S_OUT_PACK_COLS ? Vt : S2S_OUT_PACK_COLS), 1},
      {&ws->d_gi_enc, mm * b * GH, 1},      {&ws->d_gh_enc, sep * mm * b * GH, 1},
      {&ws->d_h_enc, (mm + 1) * b * H, 1},  {&ws->d_keys, mm * b * A, 1},
      {&ws->d_gi_dec, n * b * GH, 1},       {&ws->d_gh_dec, sep * n * b * GH, 1},
      {&ws->d_q, n * b * A, 1},             {&ws->d_xd, b * Din, 1},
      {&ws->d_x_enc, mm * b * E, 1},        {&ws->ds, b * H, 1},
      {&ws->dcs, b * H, 1},                 {&ws->ds_prev, b * H, 1},
      {&ws->dcs_prev, b * H, 1},            {&ws->dctx, b * H, 1},
      {&ws->dalpha, b * mm, 1}};
  size_t np = sizeof plan / sizeof plan[0];
  uint64_t total64 = 0;
  for (size_t i = 0; i < np; i++)
    if (!plan[i].grad || with_grad) total64 += (plan[i].count + 15) & ~(uint64_t)15; /* 64-byte aligned */
  if (total64 * sizeof(real) > S2S_MAX_WORKSPACE)
    return s2s_fail(S2S_ERR_LIMIT,
                    "a batch of %d x (source %d, target %d) needs %llu MiB of activations, more than "
                    "the limit of %zu MiB: use smaller batches or shorter sequences",
                    B, M, N, (unsigned long long)(total64 * sizeof(real) >> 20), S2S_MAX_WORKSPACE >> 20);
  size_t total = (size_t)total64, bytes = total * sizeof(real); /* at most 1 GiB now */
  if (!ws->block || bytes > ws->bytes) { /* grow; a smaller shape (e.g. the next length bucket) reuses the block */
    real *block = calloc_lines(total);
    if (!block) return s2s_fail(S2S_ERR_NO_MEMORY, "out of memory allocating %zu MiB of activations", bytes >> 20);
    s2s_workspace_free(ws);
    ws->block = block;
    ws->bytes = bytes;
  }
  ws->B = B, ws->M = M, ws->N = N, ws->with_grad = with_grad, ws->attn_t_kept = kept;
  real *p = ws->block;
  for (size_t i = 0; i < np; i++) {
    if ((plan[i].grad && !with_grad) || plan[i].count == 0) { /* absent: NULL, never a 0-byte slot */
      *plan[i].slot = NULL;
      continue;
    }
    *plan[i].slot = p;
    p += (plan[i].count + 15) & ~(uint64_t)15;
  }
  if (!sep) ws->d_gh_enc = ws->d_gi_enc, ws->d_gh_dec = ws->d_gi_dec; /* cell_dgh_is_dgi */
  return S2S_OK;
}
