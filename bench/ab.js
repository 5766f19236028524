// Paired A/B of whole training steps between this checkout and another one (built: its
// build/wasm/ and lib/), in one process: for each model and build, both create the same model
// (seed 1) and train on the same synthetic batch, alternating k steps of one and k of the other
// (the order swapped every round), CPU time; the ratio other / this per round, median and
// quartiles. Shares of the machine move by ±5-8 % between runs here, so a change of a few per
// cent needs several runs (and two identical builds give 0.92-1.07x: heap placement).
// Usage: node [--experimental-wasm-relaxed-simd] bench/ab.js --against DIR [--models A,B,C,dates]
//        [--builds simd,fma] [--rounds 21]
import os from 'node:os';
import path from 'node:path';
import { args, emit, median, syntheticBatch } from './common.js';
import { loadSeq2Seq, modelOptions, root } from './core-loader.js';
import { FLOP_MODELS } from './flops.js';

const a = args();
const { opt } = a;
const against = opt('against');
if (!against) {
  process.stderr.write('usage: node bench/ab.js --against DIR [--models A,B,C,dates] [--builds simd,fma] [--rounds N] (DIR: another checkout, built)\n');
  process.exit(2);
}
const cpuMs = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e3; };
const quantile = (xs, q) => { const s = [...xs].sort((x, y) => x - y); return s[Math.round(q * (s.length - 1))]; };
const other = await (await import(path.resolve(against, 'bench', 'core-loader.js'))).loadSeq2Seq();
const self = await loadSeq2Seq();
const rounds = Number(opt('rounds', a.quick ? 9 : 21));
for (const name of opt('models', 'A,B,C,dates').split(',')) for (const build of opt('builds', 'simd,fma').split(',')) {
  const cfg = FLOP_MODELS[name];
  const batch = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 7 });
  let models;
  try { models = [await other.create(modelOptions(cfg, build)), await self.create(modelOptions(cfg, build))]; } catch (e) {
    emit({ bench: 'ab', model: name, build, skipped: String(e.message || e) });
    continue;
  }
  const steps = models.map((m) => () => m.trainStep(batch, { learningRate: 1e-3, clipNorm: 5 }));
  const big = cfg.hidden >= 256, k = big ? 1 : 4;
  for (let i = 0; i < (big ? 3 : 10); i++) steps.forEach((s) => s());
  const ratios = [], ms = [[], []];
  for (let r = 0; r < rounds; r++) {
    const t = [0, 0];
    for (const j of r % 2 ? [1, 0] : [0, 1]) for (let i = 0; i < k; i++) t[j] += cpuMs(steps[j]);
    ratios.push(t[0] / t[1]); ms[0].push(t[0] / k); ms[1].push(t[1] / k);
  }
  emit({ bench: 'ab', model: name, build, against: path.resolve(against), self: root, rounds,
    otherMsPerStep: +median(ms[0]).toFixed(2), msPerStep: +median(ms[1]).toFixed(2),
    speedup: +median(ratios).toFixed(3), q1: +quantile(ratios, 0.25).toFixed(3), q3: +quantile(ratios, 0.75).toFixed(3),
    load: +os.loadavg()[0].toFixed(1) });
  models.forEach((m) => m.dispose());
}
