// Training throughput (issue 5 item 2): examples/s and target tokens/s of Seq2Seq.trainStep for
// models A, B, C on the SIMD and the scalar wasm builds (median of timed calls after warm-up),
// plus the same C built natively (bench/native.c via `make bench`: gcc -O3 SSE2 and
// -march=native), which also times decoding natively.
// Usage: node bench/train.js [--quick] [--models A,B,C] [--no-native]
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { MODELS, args, emit, median, nativeModelArg, syntheticBatch, timeCalls } from './common.js';
import { loadSeq2Seq, modelOptions, root } from './core-loader.js';

export async function trainThroughput(Seq2Seq, name, backend, { quick = false } = {}) {
  const cfg = MODELS[name];
  const model = await Seq2Seq.create(modelOptions(cfg, backend));
  try {
    const batch = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 7 });
    let first = NaN;
    let last = NaN;
    const step = () => {
      last = model.trainStep(batch, { learningRate: 1e-3, clipNorm: 5 }).loss;
      if (Number.isNaN(first)) first = last;
    };
    const big = cfg.hidden >= 256;
    const slow = big && backend === 'scalar';
    const t = await timeCalls(step, {
      warmup: quick ? (big ? 1 : 3) : (big ? 2 : 5),
      reps: quick ? (slow ? 1 : big ? 3 : 5) : (slow ? 5 : big ? 7 : 21),
    });
    return {
      bench: 'train', impl: `wasm-${model.backend}`, model: name, batch: cfg.B, srcLength: cfg.m, tgtLength: cfg.n,
      msPerStep: +t.median.toFixed(3), minMs: +t.min.toFixed(3), cpuMsPerStep: +t.cpuMedian.toFixed(3), reps: t.reps,
      examplesPerSec: +(cfg.B / t.median * 1e3).toFixed(1),
      tgtTokensPerSec: +(cfg.B * cfg.n / t.median * 1e3).toFixed(1),
      lossFirst: +first.toFixed(4), lossLast: +last.toFixed(4),
    };
  } finally {
    model.dispose();
  }
}

export function nativeRun(kind, { quick = false } = {}) {
  const bin = path.join(root, 'bench', 'build', `train-${kind}`);
  if (!fs.existsSync(bin)) throw new Error(`${bin} missing: make bench`);
  const txt = execFileSync(bin, [`native-${kind}`, quick ? 'quick' : 'full', 'decode', ...Object.keys(MODELS).map(nativeModelArg)], { encoding: 'utf8' });
  return txt.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

// wasm SIMD against native SSE2 as paired rounds: each round runs the native binary (its own
// warm-up, median of its timed steps) and then timed wasm steps, so both see the same machine;
// the ratio of CPU-time medians per round, median over rounds.
export async function pairedNative(Seq2Seq, name, { quick = false } = {}) {
  const cfg = MODELS[name];
  const bin = path.join(root, 'bench', 'build', 'train-sse');
  if (!fs.existsSync(bin)) throw new Error(`${bin} missing: make bench`);
  const model = await Seq2Seq.create(modelOptions(cfg, 'simd'));
  try {
    const batch = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 7 });
    const step = () => model.trainStep(batch, { learningRate: 1e-3, clipNorm: 5 });
    const big = cfg.hidden >= 256;
    for (let i = 0; i < (big ? 2 : 5); i++) step();
    const rounds = quick ? 3 : big ? 4 : 7;
    const w = [], n = [], ratios = [];
    for (let r = 0; r < rounds; r++) {
      const txt = execFileSync(bin, ['native-sse', 'quick', 'nodecode', nativeModelArg(name)], { encoding: 'utf8' });
      const rec = txt.trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.bench === 'train' && x.model === name);
      const t = await timeCalls(step, { warmup: 1, reps: big ? 3 : 5 });
      n.push(rec.cpuMsPerStep);
      w.push(t.cpuMedian);
      ratios.push(t.cpuMedian / rec.cpuMsPerStep);
    }
    const s = [...ratios].sort((a, b) => a - b);
    return { bench: 'wasm-vs-native', impl: 'wasm-simd/native-sse', model: name, rounds,
             ratio: +median(ratios).toFixed(3), ratioMin: +s[0].toFixed(3), ratioMax: +s[s.length - 1].toFixed(3),
             wasmCpuMs: +median(w).toFixed(2), nativeCpuMs: +median(n).toFixed(2) };
  } finally {
    model.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  const mi = a.list.indexOf('--models');
  const names = mi >= 0 ? a.list[mi + 1].split(',') : ['A', 'B', 'C'];
  let Seq2Seq = null;
  try { Seq2Seq = await loadSeq2Seq(); } catch (e) { emit({ bench: 'train', impl: 'wasm', error: String(e.message) }); }
  if (Seq2Seq) {
    for (const name of names) {
      for (const backend of ['simd', 'scalar']) {
        try { emit(await trainThroughput(Seq2Seq, name, backend, a)); } catch (e) {
          emit({ bench: 'train', impl: `wasm-${backend}`, model: name, error: String(e && e.stack || e) });
        }
      }
    }
  }
  if (Seq2Seq && !a.list.includes('--no-native')) {
    for (const name of names) {
      try { emit(await pairedNative(Seq2Seq, name, a)); } catch (e) {
        emit({ bench: 'wasm-vs-native', model: name, error: String(e && e.stack || e) });
      }
    }
  }
  if (!a.list.includes('--no-native')) {
    for (const kind of ['sse', 'march']) {
      try { for (const r of nativeRun(kind, a)) if (names.includes(r.model)) emit(r); } catch (e) {
        emit({ bench: 'train', impl: `native-${kind}`, error: String(e.message) });
      }
    }
  }
}
