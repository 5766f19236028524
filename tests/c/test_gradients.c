/* test_gradients.c: the gradient of every parameter from s2s_loss_and_grad against central finite
 * differences, for each cell x attention (and dot without its scale), on batches with padded
 * sources and padded targets. Built with -DS2S_DOUBLE: in double precision the finite differences
 * are accurate to ~1e-9, so a relative error above 1e-6 is a real mistake, not float32 noise.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model.h"

/* One batch (B sources of length M, targets of length N) the finite differences run on. */
typedef struct { const int32_t *src, *len, *tin, *tout; int B, M, N; } batch;

/* Relative error between the central difference of the loss in parameter k and grad[k]. */
static double relative_error(s2s_model *m, const batch *b, const real *grad, size_t k) {
  const double h = 1e-5;
  real *p = m->params + k, keep = *p, lp, lm;
  *p = keep + h;
  s2s_loss(m, b->src, b->len, b->tin, b->tout, b->B, b->M, b->N, &lp);
  *p = keep - h;
  s2s_loss(m, b->src, b->len, b->tin, b->tout, b->B, b->M, b->N, &lm);
  *p = keep;
  double numeric = (lp - lm) / (2 * h), analytic = grad[k];
  return fabs(numeric - analytic) / fmax(fabs(numeric) + fabs(analytic), 1e-3);
}

static double check_model(int cell, int attn, int scale) {
  enum { B = 3, M = 5, N = 4 };
  s2s_model *m = s2s_create(cell, attn, scale, 3, 4, 3, 7, 6, 11);
  CHECK(m != NULL, "create: %s", s2s_last_error());
  if (!m) return INFINITY;
  /* sources of lengths 5, 2 and 1 (PAD after), targets of 4, 3 and 1 real tokens */
  int32_t src[B * M] = {4, 5, 6, 4, 5, 6, 6, 0, 0, 0, 5, 0, 0, 0, 0};
  int32_t len[B] = {5, 2, 1};
  int32_t tin[B * N] = {1, 4, 5, 4, 1, 5, 4, 0, 1, 0, 0, 0};
  int32_t tout[B * N] = {4, 5, 4, 2, 5, 4, 2, 0, 2, 0, 0, 0};
  real loss;
  CHECK(s2s_loss_and_grad(m, src, len, tin, tout, B, M, N, &loss) == S2S_OK, "%s", s2s_last_error());
  real *grad = malloc(sizeof(real) * m->total);
  memcpy(grad, m->grads, sizeof(real) * m->total);
  double worst = 0;
  const batch b = {src, len, tin, tout, B, M, N};
  for (int t = 0; t < m->ntensors; t++) {
    const s2s_tensor *tensor = &m->tensors[t];
    double tensor_worst = 0;
    for (size_t k = 0; k < tensor->size; k++)
      tensor_worst = fmax(tensor_worst, relative_error(m, &b, grad, tensor->offset + k));
    CHECK(tensor_worst < 1e-6, "cell %d attention %d scale %d: %s relative error %.3g", cell, attn, scale,
          tensor->name, tensor_worst);
    if (tensor_worst > worst) worst = tensor_worst;
  }
  /* PAD rows of the embeddings get no gradient from padded positions beyond what real tokens give:
   * the decoder embedding of PAD (used as tgtIn after the end) must have zero gradient */
  int de = s2s_param_index(m, "dec.embed");
  double pad_grad = 0;
  for (int e = 0; e < m->cfg.E; e++) pad_grad += fabs(grad[m->tensors[de].offset + e]);
  CHECK(pad_grad == 0, "dec.embed[PAD] has gradient %g", pad_grad);
  free(grad);
  s2s_destroy(m);
  return worst;
}

/* A target vocabulary large enough that the output layer works in several chunks of rows
 * (s2s_output_loss holds at most S2S_OUT_CHUNK_BYTES of logits: 10 rows of 50000 doubles here,
 * and the batch has 15 rows, PAD ones among them): the gradients must still be exact. Every
 * parameter outside the vocabulary-sized tensors is checked, and of those (dec.embed,
 * out.weight, out.bias) the rows of the specials, the tokens in the batch and a few others. */
#ifndef GRADIENTS_QUICK
static double check_large_vocab(int cell, int attn) {
  enum { B = 3, M = 3, N = 5, VT = 50000 };
  s2s_model *m = s2s_create(cell, attn, 1, 3, 4, 3, 7, VT, 5);
  CHECK(m != NULL, "create: %s", s2s_last_error());
  if (!m) return INFINITY;
  int32_t src[B * M] = {4, 5, 6, 5, 6, 0, 6, 0, 0};
  int32_t len[B] = {3, 2, 1};
  int32_t tin[B * N] = {1, 40000, 5, 49999, 4, 1, 7, 0, 0, 0, 1, 12345, 6, 0, 0};
  int32_t tout[B * N] = {40000, 5, 49999, 4, 2, 7, 2, 0, 0, 0, 12345, 6, 2, 0, 0};
  const int32_t rows_checked[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 12345, 40000, 49998, 49999};
  const int nrows = sizeof rows_checked / sizeof rows_checked[0];
  real loss;
  CHECK(s2s_loss_and_grad(m, src, len, tin, tout, B, M, N, &loss) == S2S_OK, "%s", s2s_last_error());
  real *grad = malloc(sizeof(real) * m->total);
  memcpy(grad, m->grads, sizeof(real) * m->total);
  double worst = 0;
  const batch b = {src, len, tin, tout, B, M, N};
  for (int t = 0; t < m->ntensors; t++) {
    const s2s_tensor *tensor = &m->tensors[t];
    int big = tensor->rows == VT;
    size_t cols = tensor->cols ? (size_t)tensor->cols : 1;
    double tensor_worst = 0;
    for (int r = 0; r < (big ? nrows : 1); r++) {
      size_t from = big ? (size_t)rows_checked[r] * cols : 0, to = big ? from + cols : tensor->size;
      for (size_t k = from; k < to; k++)
        tensor_worst = fmax(tensor_worst, relative_error(m, &b, grad, tensor->offset + k));
    }
    CHECK(tensor_worst < 1e-6, "large vocabulary, cell %d attention %d: %s relative error %.3g", cell,
          attn, tensor->name, tensor_worst);
    if (tensor_worst > worst) worst = tensor_worst;
  }
  free(grad);
  s2s_destroy(m);
  return worst;
}
#endif

int main(void) {
  const char *cells[] = {"rnn", "gru", "lstm"}, *attns[] = {"none", "additive", "dot"};
  for (int cell = 0; cell < 3; cell++)
    for (int attn = 0; attn < 3; attn++) {
      double worst = check_model(cell, attn, 1);
      printf("gradient check %-4s x %-8s: largest relative error %.2e\n", cells[cell], attns[attn], worst);
    }
  printf("gradient check gru  x dot (unscaled): largest relative error %.2e\n", check_model(1, 2, 0));
#ifndef GRADIENTS_QUICK /* the valgrind build leaves it out: under memcheck it takes minutes */
  printf("gradient check gru  x additive, 50000 targets (output layer in chunks): largest relative error %.2e\n",
         check_large_vocab(1, 1));
#endif
  return check_summary("test_gradients (double precision)");
}
