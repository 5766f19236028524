/* cell.c: batched forward and backward steps of the SimpleRNN (tanh), GRU and LSTM cells. */
#include "cell.h"

#include "kernels.h"

void cell_forward(int cell, int B, int H, const real *w_hh, const real *b_hh, const real *gi,
                  const real *h_prev, const real *c_prev, real *gh, real *gates, real *h, real *c) {
  int G = cell_gates(cell), GH = G * H;
  for (int b = 0; b < B; b++)
    for (int k = 0; k < GH; k++) gh[(size_t)b * GH + k] = b_hh[k];
  S2S_KERNEL(gemm_nt)(gh, h_prev, w_hh, B, GH, H); /* (B,GH) += (B,H) . (GH,H)^T */
  for (int b = 0; b < B; b++) {
    const real *xi = gi + (size_t)b * GH, *xh = gh + (size_t)b * GH, *hp = h_prev + (size_t)b * H;
    real *g = gates + (size_t)b * GH, *hn = h + (size_t)b * H;
    if (cell == S2S_CELL_RNN) {
      for (int k = 0; k < H; k++) g[k] = xi[k] + xh[k];
      S2S_KERNEL(vtanh)(g, g, H);
      for (int k = 0; k < H; k++) hn[k] = g[k];
    } else if (cell == S2S_CELL_GRU) {
      for (int k = 0; k < 2 * H; k++) g[k] = xi[k] + xh[k];
      S2S_KERNEL(vsigmoid)(g, g, 2 * H); /* r, z */
      const real *r = g, *z = g + H;
      real *n = g + 2 * H;
      for (int k = 0; k < H; k++) n[k] = xi[2 * H + k] + r[k] * xh[2 * H + k];
      S2S_KERNEL(vtanh)(n, n, H);
      for (int k = 0; k < H; k++) hn[k] = (1 - z[k]) * n[k] + z[k] * hp[k];
    } else {
      const real *cp = c_prev + (size_t)b * H;
      real *cn = c + (size_t)b * H;
      for (int k = 0; k < GH; k++) g[k] = xi[k] + xh[k];
      S2S_KERNEL(vsigmoid)(g, g, 2 * H);        /* i, f */
      S2S_KERNEL(vtanh)(g + 2 * H, g + 2 * H, H); /* g */
      S2S_KERNEL(vsigmoid)(g + 3 * H, g + 3 * H, H); /* o */
      const real *ig = g, *fg = g + H, *gg = g + 2 * H, *og = g + 3 * H;
      for (int k = 0; k < H; k++) cn[k] = fg[k] * cp[k] + ig[k] * gg[k];
      S2S_KERNEL(vtanh)(hn, cn, H);
      for (int k = 0; k < H; k++) hn[k] = og[k] * hn[k];
    }
  }
}

void cell_backward(int cell, int B, int H, const real *gh, const real *gates, const real *h_prev,
                   const real *c_prev, const real *c, const real *dh, const real *dc, real *dgi,
                   real *dgh, real *dh_prev, real *dc_prev) {
  int G = cell_gates(cell), GH = G * H;
  for (int b = 0; b < B; b++) {
    const real *g = gates + (size_t)b * GH, *d = dh + (size_t)b * H, *hp = h_prev + (size_t)b * H;
    real *di = dgi + (size_t)b * GH, *dg = dgh + (size_t)b * GH, *dp = dh_prev + (size_t)b * H;
    if (cell == S2S_CELL_RNN) {
      for (int k = 0; k < H; k++) {
        real x = d[k] * (1 - g[k] * g[k]);
        di[k] = x;
        dg[k] = x;
        dp[k] = 0;
      }
    } else if (cell == S2S_CELL_GRU) {
      const real *r = g, *z = g + H, *n = g + 2 * H, *ghn = gh + (size_t)b * GH + 2 * H;
      for (int k = 0; k < H; k++) {
        real dn = d[k] * (1 - z[k]);
        real dz = d[k] * (hp[k] - n[k]);
        real dn_pre = dn * (1 - n[k] * n[k]);
        real dr = dn_pre * ghn[k];
        real dr_pre = dr * r[k] * (1 - r[k]);
        real dz_pre = dz * z[k] * (1 - z[k]);
        di[k] = dr_pre;
        dg[k] = dr_pre;
        di[H + k] = dz_pre;
        dg[H + k] = dz_pre;
        di[2 * H + k] = dn_pre;
        dg[2 * H + k] = dn_pre * r[k];
        dp[k] = d[k] * z[k];
      }
    } else {
      const real *ig = g, *fg = g + H, *gg = g + 2 * H, *og = g + 3 * H;
      const real *cp = c_prev + (size_t)b * H, *cn = c + (size_t)b * H, *dcn = dc + (size_t)b * H;
      real *dcp = dc_prev + (size_t)b * H;
      real *tanh_c = dg; /* dg is written last (a copy of di), so it holds tanh(c) meanwhile */
      S2S_KERNEL(vtanh)(tanh_c, cn, H);
      for (int k = 0; k < H; k++) {
        real tc = tanh_c[k];
        real d_o = d[k] * tc;
        real dct = dcn[k] + d[k] * og[k] * (1 - tc * tc);
        real d_i = dct * gg[k], d_g = dct * ig[k], d_f = dct * cp[k];
        di[k] = d_i * ig[k] * (1 - ig[k]);
        di[H + k] = d_f * fg[k] * (1 - fg[k]);
        di[2 * H + k] = d_g * (1 - gg[k] * gg[k]);
        di[3 * H + k] = d_o * og[k] * (1 - og[k]);
        dcp[k] = dct * fg[k];
        dp[k] = 0;
      }
      for (int k = 0; k < GH; k++) dg[k] = di[k];
    }
  }
}
