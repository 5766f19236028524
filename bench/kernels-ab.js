// Paired A/B of the additive-attention and GRU row kernels between this checkout's SIMD wasm and
// another (built) checkout's, in one process, at the training layout of models B and C: one call
// per batch row, key rows B*A floats apart as s2s_attention_forward/backward pass them. Each round
// times a block of calls of one module then the other (order swapped every round); prints the
// median ratio other / this (> 1: this is faster) with quartiles.
// Usage: node bench/kernels-ab.js --against DIR [--kernels sa_fwd,sa_bwd,gru_fwd,gru_bwd] [--rounds 41]
import os from 'node:os';
import path from 'node:path';
import { instantiateStandalone } from './wasm-loader.js';
import { args, emit, MODELS } from './common.js';
import { root } from './core-loader.js';

const a = args();
const { opt } = a;
const against = opt('against');
if (!against) {
  process.stderr.write('usage: node bench/kernels-ab.js --against DIR [--kernels sa_fwd,sa_bwd,gru_fwd,gru_bwd] [--rounds N]\n');
  process.exit(2);
}
const wasm = (dir) => path.join(dir, 'build', 'wasm', 's2s-simd.wasm');
const mods = [await instantiateStandalone(wasm(path.resolve(against))), await instantiateStandalone(wasm(root))];
const rounds = Number(opt('rounds', 41));

function buffers(ex, { B, m, A, H }) {
  const alloc = (n) => {
    const p = ex.malloc(n * 4), f = new Float32Array(ex.memory.buffer, p, n);
    for (let i = 0; i < n; i++) f[i] = Math.sin(i * 0.37) * 1.5;
    return p;
  };
  const n = { keys: m * B * A, dkeys: m * B * A, t: B * m * A, q: B * A, dq: B * A, v: A, dv: A, s: B * m, ds: B * m,
    g: B * 3 * H, h: B * H, xi: B * 3 * H, xh: B * 3 * H, hp: B * H, di: B * 3 * H, dg: B * 3 * H, dhp: B * H, d: B * H };
  return Object.fromEntries(Object.entries(n).map(([k, len]) => [k, alloc(len)]));
}
const F = 4; // bytes per float
const KERNELS = {
  sa_fwd: (ex, b, { B, m, A }) => { for (let r = 0; r < B; r++) ex.scores_additive_simd(b.s + r * m * F, b.keys + r * A * F, B * A, b.q + r * A * F, b.v, m, A, b.t + r * m * A * F); },
  sa_bwd: (ex, b, { B, m, A }) => { for (let r = 0; r < B; r++) ex.scores_additive_backward_simd(b.dkeys + r * A * F, B * A, b.dq + r * A * F, b.dv, b.t + r * m * A * F, b.v, b.ds + r * m * F, m, A); },
  gru_fwd: (ex, b, { B, H }) => { for (let r = 0; r < B; r++) ex.gru_row_forward_simd(b.g + r * 3 * H * F, b.h + r * H * F, b.xi + r * 3 * H * F, b.xh + r * 3 * H * F, b.hp + r * H * F, H); },
  gru_bwd: (ex, b, { B, H }) => { for (let r = 0; r < B; r++) ex.gru_row_backward_simd(b.di + r * 3 * H * F, b.dg + r * 3 * H * F, b.dhp + r * H * F, b.g + r * 3 * H * F, b.xh + r * 3 * H * F, b.hp + r * H * F, b.d + r * H * F, H); },
};
const names = opt('kernels', Object.keys(KERNELS).join(',')).split(',');
for (const model of ['B', 'C']) {
  const c = MODELS[model], sh = { B: c.B, m: c.m, A: c.attentionSize, H: c.hidden };
  const bufs = mods.map((ex) => buffers(ex, sh));
  for (const name of names) {
    const f = KERNELS[name];
    let reps = 1;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) f(mods[0], bufs[0], sh);
      if (performance.now() - t0 > 3) break;
      reps *= 2;
    }
    for (let w = 0; w < 20; w++) for (const i of [0, 1]) f(mods[i], bufs[i], sh);
    const ratios = [];
    for (let r = 0; r < rounds; r++) {
      const t = [0, 0];
      for (const i of r % 2 ? [1, 0] : [0, 1]) {
        const t0 = performance.now();
        for (let k = 0; k < reps; k++) f(mods[i], bufs[i], sh);
        t[i] = performance.now() - t0;
      }
      ratios.push(t[0] / t[1]);
    }
    ratios.sort((x, y) => x - y);
    const q = (p) => +ratios[Math.round(p * (ratios.length - 1))].toFixed(3);
    emit({ bench: 'kernels-ab', model, kernel: name, against, rounds, speedup: q(0.5), q1: q(0.25), q3: q(0.75), load: +os.loadavg()[0].toFixed(1) });
  }
}
