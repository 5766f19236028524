/* cell.h: the recurrent cells (PyTorch's RNNCell with tanh, GRUCell, LSTMCell), one batched step
 * forward and backward. Gate order and biases as PyTorch: GRU (r, z, n), LSTM (i, f, g, o).
 */
#ifndef S2S_CELL_H
#define S2S_CELL_H

#include "s2s.h"

static inline int cell_gates(int cell) { return cell == S2S_CELL_RNN ? 1 : cell == S2S_CELL_GRU ? 3 : 4; }

/* Whether the gradients on gi and gh are the same numbers (the RNN and the LSTM add gi and gh
 * before any nonlinearity; the GRU's n gate multiplies gh by r): the workspace then keeps one
 * buffer for both, cell_backward writes it once, and the weights' backward sums it once. */
static inline int cell_dgh_is_dgi(int cell) { return cell != S2S_CELL_GRU; }

/* One step for B rows. gi [B,GH] = W_ih x + b_ih (given). Computes gh [B,GH] = W_hh h_prev + b_hh
 * (from w_hh_t = W_hh^T when given, see gemm_xwt) into scratch,
 * the gate activations gates [B,GH], the new state h [B,H] and, for the LSTM, c [B,H]
 * (c_prev and c are ignored for the other cells). With keep [B,H] (not NULL), what the backward
 * needs besides gates goes there: the LSTM's tanh(c), the GRU's n-gate part of gh (the rest of gh
 * is not needed after the step, so gh can be one small buffer every step reuses, in cache, where
 * the GEMM writing a fresh part of a large one each step paid for it in misses). */
void cell_forward(int cell, int B, int H, const real *w_hh, const real *w_hh_t, const real *b_hh,
                  const real *gi, const real *h_prev, const real *c_prev, real *gh, real *keep,
                  real *gates, real *h, real *c);

/* Backward of one step, from the forward's keep and gates.
 * dh [B,H] is the gradient on h, dc [B,H] on c (LSTM). Writes dgi and dgh
 * [B,GH] (gradients on gi and gh; dgh may be dgi itself where cell_dgh_is_dgi, then written
 * once), sets dh_prev [B,H] to the direct part (the W_hh path is the
 * caller's: dh_prev += dgh W_hh) and dc_prev [B,H] (LSTM). */
void cell_backward(int cell, int B, int H, const real *keep, const real *gates, const real *h_prev,
                   const real *c_prev, const real *dh, const real *dc, real *dgi,
                   real *dgh, real *dh_prev, real *dc_prev);

#endif
