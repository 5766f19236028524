// Issue 14, item 1: each model's training step in floating-point operations per second (counted
// from the shapes, bench/flops.js) as a share of the ceiling measured beside it: bench/peak.c's
// peak_mix, a register-blocked GEMM on L1-resident data issuing the core's own instruction mix
// (independent multiplies and adds, two loads of W and four broadcasts per eight multiply-adds),
// in the same build (SIMD; FMA with relaxed_madd when this Node runs relaxed SIMD). Paired
// rounds: a batch of the ceiling loop, then training steps, one share per round, median and
// quartiles over rounds (the machine is shared: both halves of a round see the same load). The
// dependent-chain peak (peak_run) is measured alongside for reference.
// Usage: node [--experimental-wasm-relaxed-simd] bench/ceiling.js [--quick] [--models A,B,C,dates]
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instantiateStandalone } from './wasm-loader.js';
import { args, emit, median, syntheticBatch } from './common.js';
import { loadSeq2Seq, modelOptions } from './core-loader.js';
import { FLOP_MODELS, stepFlops } from './flops.js';
import { fmaSupported } from '../lib/wasm.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cpuMs = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e3; };
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]; };

export async function peakLoops(build) {
  const pk = await instantiateStandalone(path.join(here, 'build', `peak-${build}.wasm`));
  const mixPerIter = pk.peak_mix_flops_per_iter();
  const chainPerIter = 12 * pk.peak_lanes() * 2;
  for (let i = 0; i < 40; i++) { pk.peak_mix(200); pk.peak_run(2000); } // into V8's optimizing tier
  let mixIters = 200, chainIters = 2000; // calibrate to ~5 ms a call
  while (cpuMs(() => pk.peak_mix(mixIters)) < 5 && mixIters < 1 << 24) mixIters *= 2;
  while (cpuMs(() => pk.peak_run(chainIters)) < 5 && chainIters < 1 << 26) chainIters *= 2;
  return {
    mix: () => { let ms = 0; for (let i = 0; i < 3; i++) ms += cpuMs(() => pk.peak_mix(mixIters)); return 3 * mixIters * mixPerIter / (ms / 1e3) / 1e9; },
    chain: () => { let ms = 0; for (let i = 0; i < 3; i++) ms += cpuMs(() => pk.peak_run(chainIters)); return 3 * chainIters * chainPerIter / (ms / 1e3) / 1e9; },
  };
}

export async function stepShare(Seq2Seq, name, build, { quick = false } = {}) {
  const cfg = FLOP_MODELS[name];
  const flops = stepFlops(cfg);
  const peak = await peakLoops(build);
  const model = await Seq2Seq.create(modelOptions(cfg, build));
  try {
    const batch = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 7 });
    const step = () => model.trainStep(batch, { learningRate: 1e-3, clipNorm: 5 });
    const big = cfg.hidden >= 256;
    for (let i = 0; i < (big ? 3 : 10); i++) step();
    const k = big ? 1 : 5;
    const rounds = quick ? (big ? 3 : 5) : (big ? 7 : 11);
    const shares = [], rates = [], ceilings = [], chains = [], steps = [];
    for (let r = 0; r < rounds; r++) {
      const ceil = peak.mix();
      let ms = 0;
      for (let i = 0; i < k; i++) ms += cpuMs(step);
      const stepMs = ms / k;
      const rate = flops.total / (stepMs / 1e3) / 1e9;
      chains.push(peak.chain());
      shares.push(rate / ceil); rates.push(rate); ceilings.push(ceil); steps.push(stepMs);
    }
    return { bench: 'ceiling', impl: `wasm-${build}`, model: name, batch: cfg.B, srcLength: cfg.m, tgtLength: cfg.n, rounds,
      flopsPerStep: flops.total, gemmFlopShare: +(flops.gemm / flops.total).toFixed(3),
      cpuMsPerStep: +median(steps).toFixed(3), gflops: +median(rates).toFixed(2), ceilingGflops: +median(ceilings).toFixed(2),
      chainPeakGflops: +median(chains).toFixed(2),
      share: +median(shares).toFixed(3), shareQ1: +quantile(shares, 0.25).toFixed(3), shareQ3: +quantile(shares, 0.75).toFixed(3) };
  } finally {
    model.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  const mi = a.list.indexOf('--models');
  const names = mi >= 0 ? a.list[mi + 1].split(',') : ['A', 'B', 'C', 'dates'];
  const builds = ['simd'];
  if (fmaSupported() && fs.existsSync(path.join(here, 'build', 'peak-fma.wasm'))) builds.push('fma');
  else emit({ bench: 'ceiling', impl: 'wasm-fma', skipped: fmaSupported() ? 'bench/build/peak-fma.wasm missing (needs clang-19)' : 'this Node has no relaxed SIMD (run with --experimental-wasm-relaxed-simd)' });
  const Seq2Seq = await loadSeq2Seq();
  for (const name of names) for (const build of builds) {
    try { emit(await stepShare(Seq2Seq, name, build, a)); } catch (e) {
      emit({ bench: 'ceiling', impl: `wasm-${build}`, model: name, error: String(e && e.stack || e) });
    }
  }
}
