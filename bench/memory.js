// Memory (issue 5 item 6): the wasm heap (model.memoryBytes()) after 10, 100 and 1000 training
// steps, and after 10, 100, 1000 greedy + beam translations. It must not keep growing: a
// workspace allocated once per shape, freed and reused. Model B's shape (batch 64; 16 in --quick).
// Usage: node bench/memory.js [--quick]
import { MODELS, args, emit, syntheticBatch } from './common.js';
import { loadSeq2Seq, modelOptions } from './core-loader.js';
import { createRandom } from '../lib/random.js';

export async function memoryTrain(Seq2Seq, { quick = false } = {}) {
  const cfg = MODELS.B;
  const B = quick ? 16 : cfg.B;
  const model = await Seq2Seq.create(modelOptions(cfg, 'simd'));
  try {
    const batches = [0, 1, 2].map((s) => syntheticBatch({ B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 11 + s }));
    const at = { 0: model.memoryBytes() };
    for (let i = 1; i <= 1000; i++) {
      model.trainStep(batches[i % 3], { learningRate: 1e-3, clipNorm: 5 });
      if (i === 10 || i === 100 || i === 1000) at[i] = model.memoryBytes();
    }
    return { bench: 'memory', impl: `wasm-${model.backend}`, what: 'train', model: 'B', batch: B,
             heapBytes: at, grewAfter100: at[1000] - at[100] };
  } finally {
    model.dispose();
  }
}

export async function memoryDecode(Seq2Seq, { quick = false } = {}) {
  const cfg = MODELS.B;
  const model = await Seq2Seq.create(modelOptions(cfg, 'simd'));
  try {
    const r = createRandom(5).next;
    const srcs = [8, 16, 12].map((m) => Int32Array.from({ length: m }, () => 4 + Math.floor(r() * (cfg.srcVocabSize - 4))));
    const at = { 0: model.memoryBytes() };
    for (let i = 1; i <= 1000; i++) {
      model.translateTokens(srcs[i % 3], { beam: i % 2 ? 1 : 5, maxLength: 12 });
      if (i === 10 || i === 100 || i === 1000) at[i] = model.memoryBytes();
    }
    return { bench: 'memory', impl: `wasm-${model.backend}`, what: 'translate', model: 'B', heapBytes: at, grewAfter100: at[1000] - at[100] };
  } finally {
    model.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  let Seq2Seq;
  try { Seq2Seq = await loadSeq2Seq(); } catch (e) { emit({ bench: 'memory', error: e.message }); process.exit(0); }
  for (const [what, fn] of [['train', memoryTrain], ['translate', memoryDecode]]) {
    try { emit(await fn(Seq2Seq, a)); } catch (e) { emit({ bench: 'memory', what, error: String(e && e.stack || e) }); }
  }
}
