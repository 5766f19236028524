/* cell.c: batched forward and backward steps of the SimpleRNN (tanh), GRU and LSTM cells. */
#include "cell.h"

#include "kernels.h"

void cell_forward(int cell, int B, int H, const real *w_hh, const real *w_hh_t, const real *b_hh,
                  const real *gi, const real *h_prev, const real *c_prev, real *gh, real *keep,
                  real *gates, real *h, real *c) {
  int G = cell_gates(cell), GH = G * H;
  gemm_xwt(gh, h_prev, w_hh, w_hh_t, B, GH, H, 0, b_hh); /* (B,GH) = b_hh + (B,H) . (GH,H)^T */
  for (int b = 0; b < B; b++) {
    const real *xi = gi + (size_t)b * GH, *xh = gh + (size_t)b * GH, *hp = h_prev + (size_t)b * H;
    real *g = gates + (size_t)b * GH, *hn = h + (size_t)b * H;
    if (cell == S2S_CELL_RNN) {
      for (int k = 0; k < H; k++) g[k] = xi[k] + xh[k];
      S2S_KERNEL(vtanh)(g, g, H);
      for (int k = 0; k < H; k++) hn[k] = g[k];
    } else if (cell == S2S_CELL_GRU) {
      S2S_KERNEL(gru_row_forward)(g, hn, xi, xh, hp, H); /* gates, activations and h in one pass */
      if (keep) s2s_copy(keep + (size_t)b * H, xh + 2 * H, (size_t)H);
    } else {
      /* tanh(c) to keep, else over the row's W_hh h part of the input gate, which is used up */
      real *tc = keep ? keep + (size_t)b * H : gh + (size_t)b * GH;
      S2S_KERNEL(lstm_row_forward)(g, hn, c + (size_t)b * H, tc, xi, xh, c_prev + (size_t)b * H, H);
    }
  }
}

void cell_backward(int cell, int B, int H, const real *keep, const real *gates, const real *h_prev,
                   const real *c_prev, const real *dh, const real *dc, real *dgi,
                   real *dgh, real *dh_prev, real *dc_prev) {
  int G = cell_gates(cell), GH = G * H;
  for (int b = 0; b < B; b++) {
    const real *g = gates + (size_t)b * GH, *d = dh + (size_t)b * H, *hp = h_prev + (size_t)b * H;
    real *di = dgi + (size_t)b * GH, *dg = dgh + (size_t)b * GH, *dp = dh_prev + (size_t)b * H;
    if (cell == S2S_CELL_RNN) {
      for (int k = 0; k < H; k++) {
        real x = d[k] * (1 - g[k] * g[k]);
        di[k] = x;
        if (dg != di) dg[k] = x;
        dp[k] = 0;
      }
    } else if (cell == S2S_CELL_GRU) {
      S2S_KERNEL(gru_row_backward)(di, dg, dp, g, keep + (size_t)b * H, hp, d, H);
    } else {
      size_t o = (size_t)b * H;
      S2S_KERNEL(lstm_row_backward)(di, dg, dc_prev + o, g, c_prev + o, keep + o, d, dc + o, H);
      for (int k = 0; k < H; k++) dp[k] = 0;
    }
  }
}
