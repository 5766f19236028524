// Model A's GEMMs where they run (issue 14, third round): every gemm_*_simd call of steady-state
// training steps timed by shape, in a SIMD build whose core calls go through bench/gemm-timing.c
// (`make bench` -> bench/build/insitu), against the same shape called alone in a loop on warm
// buffers (the product's build/wasm/s2s-simd.wasm), both as shares of the ceiling (peak_mix)
// measured in the same process. One JSON line per shape, largest time first: calls per step,
// ms per step, share of the step, in-situ and isolated share of the ceiling, and the ms per step
// lost in situ. Timer calls cost well under a microsecond against calls of 10 us to 1.5 ms.
// Usage: node bench/gemm-insitu.js [--quick] [--models A,B,C,dates]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { args, emit, median, syntheticBatch } from './common.js';
import { FLOP_MODELS as MODELS } from './flops.js';
import { peakLoops } from './ceiling.js';
import { modelOptions } from './core-loader.js';
import { instantiateStandalone } from './wasm-loader.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const KINDS = ['gemm_nt', 'gemm_nn', 'gemm_tn'];
let t0 = 0, rec = null;
const imports = {
  gemm_timing_begin() { t0 = performance.now(); },
  gemm_timing_end(kind, B, N, K, add) {
    const dt = performance.now() - t0;
    if (!rec) return;
    const key = `${kind} ${B} ${N} ${K} ${add}`;
    const s = rec.get(key) ?? { kind, B, N, K, add, calls: 0, ms: 0 };
    s.calls++, s.ms += dt;
    rec.set(key, s);
  },
};
// lib/wasm.js passes only its own import; the timed build also needs the two timer functions
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (m, imp = {}) => instantiate(m, { ...imp, env: { ...imp.env, ...imports } });
const { Seq2Seq } = await import(path.join(here, 'build', 'insitu', 'lib', 'core.js'));
const plain = await instantiateStandalone(path.join(here, '..', 'build', 'wasm', 's2s-simd.wasm'));

// the shape alone: fresh buffers of its size in the untimed module, warm, ms per call
function isolated(s) {
  const { kind, B, N, K, add } = s;
  const sizes = kind === 0 ? [B * K, N * K, B * N] : kind === 1 ? [B * N, N * K, B * K] : [B * N, B * K, N * K];
  const ptrs = sizes.map((n) => plain.malloc(n * 4 + 64)), at = ptrs.map((p) => (p + 63) & ~63);
  const f = new Float32Array(plain.memory.buffer);
  sizes.forEach((n, j) => { for (let i = 0; i < n; i++) f[at[j] / 4 + i] = Math.sin(i + j) * 0.1; });
  const fn = plain[`${KINDS[kind]}_simd`], reps = Math.max(5, Math.ceil(1e8 / (2 * B * N * K)));
  const run = () => { const t = performance.now(); for (let i = 0; i < reps; i++) fn(at[2], at[0], at[1], B, N, K, add, 0); return (performance.now() - t) / reps; };
  run();
  const ms = median([run(), run(), run()]);
  ptrs.forEach((p) => plain.free(p));
  return ms;
}

const a = args();
const mi = a.list.indexOf('--models');
const peak = await peakLoops('simd');
for (const name of (mi >= 0 ? a.list[mi + 1] : 'A').split(',')) {
  const cfg = MODELS[name];
  const model = await Seq2Seq.create(modelOptions(cfg, 'simd'));
  const batch = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize });
  const step = () => model.trainStep(batch, { learningRate: 1e-3, clipNorm: 5 });
  const steps = a.quick ? 5 : cfg.hidden >= 256 ? 8 : 20;
  for (let i = 0; i < 5; i++) step();
  rec = new Map();
  const tStart = performance.now();
  for (let i = 0; i < steps; i++) step();
  const stepMs = (performance.now() - tStart) / steps, timed = rec;
  rec = null;
  const ceiling = peak.mix(); // GFLOP/s, measured after the steps
  const rows = [...timed.values()].map((s) => {
    const gflop = (2 * s.B * s.N * s.K) / 1e9, per = s.ms / s.calls, iso = isolated(s);
    return {
      bench: 'gemm-insitu', model: name, kernel: KINDS[s.kind], B: s.B, N: s.N, K: s.K, add: s.add,
      callsPerStep: +(s.calls / steps).toFixed(2), msPerStep: +(s.ms / steps).toFixed(3),
      shareOfStep: +(s.ms / steps / stepMs).toFixed(4),
      inSituOfCeiling: +(gflop / (per / 1e3) / ceiling).toFixed(3), isolatedOfCeiling: +(gflop / (iso / 1e3) / ceiling).toFixed(3),
      lostMsPerStep: +((s.ms - s.calls * iso) / steps).toFixed(3),
    };
  }).sort((x, y) => y.msPerStep - x.msPerStep);
  const gemmMs = rows.reduce((t, r) => t + r.msPerStep, 0);
  emit({ bench: 'gemm-insitu', model: name, stepMs: +stepMs.toFixed(2), gemmShareOfStep: +(gemmMs / stepMs).toFixed(3),
    lostMsPerStep: +rows.reduce((t, r) => t + r.lostMsPerStep, 0).toFixed(3), ceilingGflops: +ceiling.toFixed(1), load: +(await import('node:os')).loadavg()[0].toFixed(2) });
  rows.forEach((r) => emit(r));
  model.dispose();
}
