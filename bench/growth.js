// Cost growth (issue 5 item 5): time of one training step and of one greedy translation as the
// source length m and the target length t grow, with additive attention and without ('none').
// The tutorial's claim: O(m + m*t) with attention, O(m + t) without. For each of the two we fit
//   - the bilinear model  time = c0 + cm*m + ct*t + cmt*m*t  (least squares over the grid), and
//     report the share of the m*t term at the largest point;
//   - the power law       time = k * m^alpha * t^beta       (least squares in logs);
//   - the diagonal exponent: d log(time) / d log(L) between the two largest m = t = L points
//     (-> 2 when the m*t term dominates, -> 1 when time is linear in m + t).
// Model: GRU, embed 32, hidden 64, attention 64 (model B's cell), training batch 16.
// Usage: node bench/growth.js [--quick]
import { args, emit, median, now, syntheticBatch } from './common.js';
import { loadSeq2Seq, suppressEos } from './core-loader.js';
import { createRandom } from '../lib/random.js';

function solve(A, b) { // Gaussian elimination with partial pivoting
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}

function leastSquares(X, y) { // normal equations; X rows of features
  const n = X[0].length;
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => X.reduce((s, r) => s + r[i] * r[j], 0)));
  const b = Array.from({ length: n }, (_, i) => X.reduce((s, r, k) => s + r[i] * y[k], 0));
  return solve(A, b);
}

export function fitGrowth(points) { // points: [{ m, t, ms }]
  // bilinear model, relative least squares (weights 1/ms so small points count as much), with
  // every coefficient >= 0: the best fit over the subsets of terms whose solution is non-negative
  const feats = (p) => [1, p.m, p.t, p.m * p.t];
  let best = null;
  for (let mask = 1; mask < 16; mask++) {
    const idx = [0, 1, 2, 3].filter((k) => mask & (1 << k));
    const X = points.map((p) => idx.map((k) => feats(p)[k] / p.ms));
    let coef;
    try { coef = leastSquares(X, points.map(() => 1)); } catch { continue; }
    if (coef.some((c) => !(c >= 0))) continue;
    const full = [0, 0, 0, 0];
    idx.forEach((k, i) => { full[k] = coef[i]; });
    const err = points.reduce((e, p) => e + (feats(p).reduce((s, v, k) => s + v * full[k], 0) / p.ms - 1) ** 2, 0);
    if (!best || err < best.err) best = { full, err };
  }
  const [c0, cm, ct, cmt] = best ? best.full : [NaN, NaN, NaN, NaN];
  const [lk, alpha, beta] = leastSquares(points.map((p) => [1, Math.log(p.m), Math.log(p.t)]), points.map((p) => Math.log(p.ms)));
  const diag = points.filter((p) => p.m === p.t).sort((a, b) => a.m - b.m);
  let diagExponent = NaN;
  if (diag.length >= 2) {
    const [p1, p2] = diag.slice(-2);
    diagExponent = Math.log(p2.ms / p1.ms) / Math.log(p2.m / p1.m);
  }
  const big = points.reduce((a, b) => (a.m * a.t >= b.m * b.t ? a : b));
  const mtShare = (cmt * big.m * big.t) / (c0 + cm * big.m + ct * big.t + cmt * big.m * big.t);
  const r = (x) => +x.toPrecision(4);
  return { alpha: r(alpha), beta: r(beta), diagExponent: r(diagExponent), bilinear: { c0: r(c0), cm: r(cm), ct: r(ct), cmt: r(cmt) },
           mtShareAtLargest: r(mtShare), largest: { m: big.m, t: big.t }, powerK: r(Math.exp(lk)) };
}

export async function growth(Seq2Seq, attention, what, { quick = false } = {}) {
  const sizes = quick ? [16, 48, 144] : [16, 64, 256];
  const cfg = { cell: 'gru', attention, scale: true, embed: 32, hidden: 64, attentionSize: 64, srcVocabSize: 40, tgtVocabSize: 14, seed: 1, backend: 'simd' };
  const model = await Seq2Seq.create(cfg);
  const points = [];
  try {
    if (what === 'translate') suppressEos(model);
    for (const m of sizes) {
      for (const t of sizes) {
        let fn;
        if (what === 'train') {
          const batch = syntheticBatch({ B: 16, m, n: t, srcVocab: 40, tgtVocab: 14, seed: m * 1000 + t });
          fn = () => model.trainStep(batch, { learningRate: 1e-4, clipNorm: 5 });
        } else {
          const r = createRandom(m).next;
          const src = Int32Array.from({ length: m }, () => 4 + Math.floor(r() * 36));
          fn = () => {
            const out = model.translateTokens(src, { beam: 1, maxLength: t });
            if (out.tokens.length !== t) throw new Error(`decoded ${out.tokens.length} tokens, wanted ${t}`);
          };
        }
        const t0 = now();
        fn();
        const first = now() - t0;
        const warm = Math.max(2, Math.min(20, Math.round(100 / Math.max(first, 0.01))));
        for (let i = 0; i < warm; i++) fn();
        const reps = Math.max(3, Math.min(quick ? 50 : 200, Math.round((quick ? 150 : 500) / Math.max(first, 0.01))));
        const ts = [];
        for (let i = 0; i < reps; i++) {
          const s = now();
          fn();
          ts.push(now() - s);
        }
        points.push({ m, t, ms: +median(ts).toPrecision(5) });
      }
    }
  } finally {
    model.dispose();
  }
  return { bench: 'growth', impl: 'wasm-simd', what, attention, batch: what === 'train' ? 16 : 1, points, fit: fitGrowth(points) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  let Seq2Seq;
  try { Seq2Seq = await loadSeq2Seq(); } catch (e) { emit({ bench: 'growth', error: e.message }); process.exit(0); }
  for (const what of ['train', 'translate']) {
    for (const attention of ['additive', 'none']) {
      try { emit(await growth(Seq2Seq, attention, what, a)); } catch (e) {
        emit({ bench: 'growth', what, attention, error: String(e && e.stack || e) });
      }
    }
  }
}
