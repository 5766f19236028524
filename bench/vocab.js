// Real text at speed (issue 11): on the generated Zipf corpus (scripts/make-corpus.js: a 20,000-word
// source vocabulary, a rule-based target), word-level vocabularies against bpe with 8000 and 2000
// pieces, hidden 256 / embed 128 / attention 128.
//   - tokenizer: bpe learning and encoding speed (pairs/s), per vocabulary size;
//   - step: examples/s of a training step on the same 64 pairs, in paired rounds (each round one
//     step of every configuration, so the machine's load hits them alike); the ratio to words;
//   - train: the same wall-clock budget of training each, then held-out BLEU/chrF (scored on
//     words for all three, so they compare).
// Usage: node bench/vocab.js [--quick] [--pairs N] [--seconds S]
//   full: 100,000 pairs, 240 s of training per configuration; --quick: 20,000 pairs, 20 s.
import { args, emit, machine, note } from './common.js';
import { Translator, tasks } from '../lib/index.js';
import { BpeTokenizer } from '../lib/bpe.js';
import { BOS, EOS } from '../lib/text.js';
import { makeCorpus, corpusText } from '../scripts/make-corpus.js';

const a = args();
const option = (name, fallback) => {
  const i = a.list.indexOf(`--${name}`);
  return i >= 0 ? Number(a.list[i + 1]) : fallback;
};
const pairCount = option('pairs', a.quick ? 20000 : 100000);
const seconds = option('seconds', a.quick ? 20 : 240);
const sizes = { embed: 128, hidden: 256, attentionSize: 128, seed: 1 };
const CONFIGS = [
  { name: 'word', tokenizer: 'word' },
  { name: 'bpe-8000', tokenizer: 'bpe', vocabSize: 8000 },
  { name: 'bpe-2000', tokenizer: 'bpe', vocabSize: 2000 },
];

emit({ bench: 'vocab', part: 'machine', ...machine(), note: 'shared 2-core machine: absolute numbers move with the load; compare the paired ratios' });
let t0 = performance.now();
const corpus = makeCorpus({ pairs: pairCount, words: 20000, seed: 1 });
const task = tasks.fromTSV(corpusText(corpus), { testFraction: 0.02, seed: 1 });
note(`corpus: ${task.train.length} training pairs, ${task.test.length} held out (${((performance.now() - t0) / 1000).toFixed(1)} s to make)`);

// ---- tokenizer speed -------------------------------------------------------------------------
const sources = task.train.map((p) => p[0]);
for (const vocabSize of [2000, 8000]) {
  t0 = performance.now();
  const t = BpeTokenizer.learn(sources, { vocabSize });
  const learnMs = performance.now() - t0;
  t0 = performance.now();
  let pieces = 0;
  let words = 0;
  for (const s of sources) {
    pieces += t.tokenize(s).length;
    words += s.split(' ').length;
  }
  const encodeMs = performance.now() - t0;
  emit({
    bench: 'vocab', part: 'tokenizer', vocabSize, texts: sources.length, learnMs: Math.round(learnMs),
    learnTextsPerSecond: Math.round(sources.length / (learnMs / 1000)), encodeTextsPerSecond: Math.round(sources.length / (encodeMs / 1000)),
    piecesPerText: +(pieces / sources.length).toFixed(2), wordsPerText: +(words / sources.length).toFixed(2), merges: t.mergeCount,
  });
}

// ---- models ----------------------------------------------------------------------------------
const models = [];
for (const c of CONFIGS) {
  t0 = performance.now();
  const model = await Translator.create({
    pairs: task.train, tokenizer: c.tokenizer, ...(c.vocabSize ? { vocabSize: c.vocabSize } : {}), ...sizes, backend: 'simd',
  });
  note(`${c.name}: vocabularies ${model.config.srcVocabSize}/${model.config.tgtVocabSize}, made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  models.push({ ...c, model });
}

// ---- paired step speed -------------------------------------------------------------------------
function batchFor(model, pairs) {
  const ex = pairs.map(([s, t]) => ({ src: model.encodeSource(s).ids, tgt: model._encodeTarget(t, 'target') }));
  const M = Math.max(...ex.map((e) => e.src.length));
  const N = Math.max(...ex.map((e) => e.tgt.length)) + 1;
  const B = ex.length;
  const src = new Int32Array(B * M);
  const srcLengths = new Int32Array(B);
  const tgtIn = new Int32Array(B * N);
  const tgtOut = new Int32Array(B * N);
  ex.forEach((e, b) => {
    src.set(e.src, b * M);
    srcLengths[b] = e.src.length;
    tgtIn[b * N] = BOS;
    tgtIn.set(e.tgt, b * N + 1);
    tgtOut.set(e.tgt, b * N);
    tgtOut[b * N + e.tgt.length] = EOS;
  });
  return { src, srcLengths, tgtIn, tgtOut, batchSize: B, srcLength: M, tgtLength: N };
}
const sample = task.train.slice(0, 64);
const stepping = models.map((m) => ({ ...m, batch: batchFor(m.model, sample), times: [] }));
const rounds = a.quick ? 3 : 7;
for (const s of stepping) s.model.core.lossAndGradients(s.batch); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const s of stepping) {
    const start = performance.now();
    s.model.core.lossAndGradients(s.batch);
    s.times.push(performance.now() - start);
  }
}
const median = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
const word = stepping[0];
for (const s of stepping) {
  emit({
    bench: 'vocab', part: 'step', config: s.name, srcVocab: s.model.config.srcVocabSize, tgtVocab: s.model.config.tgtVocabSize,
    srcLength: s.batch.srcLength, tgtLength: s.batch.tgtLength, rounds, msPerStep: +median(s.times).toFixed(1),
    examplesPerSecond: +(64 / (median(s.times) / 1000)).toFixed(1),
    speedupOverWords: +median(s.times.map((t, i) => word.times[i] / t)).toFixed(2),
  });
}

// ---- the same training time, then held-out scores ---------------------------------------------
const heldOut = task.test.slice(0, 200);
for (const m of models) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), seconds * 1000);
  let last = null;
  const report = await m.model.train(task.train, {
    epochs: 1000, batchSize: 64, learningRate: 3e-3, signal: controller.signal, onProgress: (p) => { last = p; },
  });
  clearTimeout(timer);
  t0 = performance.now();
  const scores = m.model.evaluate(heldOut);
  emit({
    bench: 'vocab', part: 'train', config: m.name, seconds, steps: report.steps, epochs: +report.epochs.toFixed(3),
    examplesPerSecond: +(last?.examplesPerSecond ?? 0).toFixed(1), loss: +report.loss.toFixed(4),
    heldOut: heldOut.length, bleu: +scores.bleu.toFixed(2), chrf: +scores.chrf.toFixed(2), exactMatch: scores.exactMatch,
    evalSeconds: +((performance.now() - t0) / 1000).toFixed(1), example: scores.mistakes[0] ?? null,
  });
  m.model.dispose();
}
