// python-bridge.test.js: the PyTorch bridge (python/seq2seq_attention) against this library.
//
// Node writes fixtures (models, padded batches with the wasm core's loss, gradients and decodes,
// a Unicode-heavy TSV file with the JS text pipeline's splits, vocabularies and ids, a model
// trained here, damaged files with the errors JS gives), then ONE pytest run checks the Python
// side against them and writes its own results (a model trained in Python, one trained with
// torchrun on 2 processes, their translations), which Node then loads and translates here and
// in the page. Python is the one that has torch: $PYTHON, else python3, else /usr/bin/python3.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Seq2Seq, Translator, Vocabulary, getTokenizer, generateTask, tasks, decodeCheckpoint } from '../lib/index.js';
import { TrainingSession } from '../lib/session.js';
import { createRandom } from '../lib/random.js';
import * as limits from '../lib/limits.js';
import { BpeTokenizer } from '../lib/bpe.js';
import { randomSequence, makeBatch } from './helpers/reverse.js';
import { openPage, browserSkipReason, byTestId, translateInPage, waitReady } from './web-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 's2s-pybridge-'));
const FIX = join(dir, 'fixtures');
const OUT = join(dir, 'python-out');
mkdirSync(FIX);
mkdirSync(OUT);
// S2S_KEEP_FIXTURES=1 keeps them (the path is printed) for running pytest on them by hand
test.after(() => (process.env.S2S_KEEP_FIXTURES ? console.log(`# fixtures kept in ${dir}`) : rmSync(dir, { recursive: true, force: true })));

function pickPython() {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : ['python3', '/usr/bin/python3'];
  const tried = [];
  for (const cmd of candidates) {
    const r = spawnSync(cmd, ['-c', 'import sys, torch, pytest; print(sys.executable, torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { cmd, info: r.stdout.trim() };
    tried.push(`${cmd}: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
  }
  throw new Error(`no Python with torch and pytest (tried ${tried.join('; ')}): run scripts/setup.sh --test (Debian's python3-torch, python3-pytest) or set PYTHON`);
}

const writeJSON = (name, value) => writeFileSync(join(FIX, name), JSON.stringify(value));

function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}
function withCrc(bytes) {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

// ---- 1. equivalence: every cell x attention, a padded batch, loss, gradients, decodes --------
async function equivalenceFixtures() {
  const cases = [];
  const attentions = [['additive', true], ['dot', true], ['dot', false], ['none', true]];
  let seed = 1;
  for (const cell of ['rnn', 'gru', 'lstm']) {
    for (const [attention, scale] of attentions) {
      const name = `${cell}-${attention}${attention === 'dot' ? (scale ? '-scaled' : '-unscaled') : ''}`;
      const model = await Seq2Seq.create({ cell, attention, scale, embed: 6, hidden: 10, attentionSize: 7, srcVocabSize: 13, tgtVocabSize: 11, seed: seed++ });
      // weights a little away from the initial draw, so the check is not only of fresh weights
      const random = createRandom(seed * 7).next;
      for (let s = 0; s < 3; s++) {
        const pairs = Array.from({ length: 6 }, () => [randomSequence(random, 1, 7, 9), randomSequence(random, 1, 6, 7)]);
        model.trainStep(makeBatch(pairs), { learningRate: 0.05, clipNorm: 5 });
      }
      const pairs = Array.from({ length: 5 }, (_, b) => [randomSequence(random, b === 0 ? 8 : 1, 8, 9), randomSequence(random, 1, 7, 7)]);
      const batch = makeBatch(pairs);
      const { loss, gradients } = model.lossAndGradients(batch);
      const decodes = [];
      for (let k = 0; k < 4; k++) {
        const src = randomSequence(random, 1, 8, 9);
        for (const options of [{ beam: 1, maxLength: 15 }, { beam: 3, nBest: 3, maxLength: 15 }, { beam: 4, nBest: 2, maxLength: 12, lengthPenalty: 1 }]) {
          const r = model.translateTokens(new Int32Array(src), options);
          decodes.push({ src, options, hyps: r.hypotheses.map((h) => ({ tokens: Array.from(h.tokens), logProb: h.logProb, score: h.score, attention: Array.from(h.attention) })) });
        }
      }
      writeFileSync(join(FIX, `equiv-${name}.s2s`), model.save());
      cases.push({
        name, file: `equiv-${name}.s2s`,
        batch: Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v)])),
        loss, gradients: Object.fromEntries(Object.entries(gradients).map(([k, v]) => [k, Array.from(v)])), decodes,
      });
      model.dispose();
    }
  }
  writeJSON('equivalence.json', cases);
  return cases.length;
}

// ---- 2. the text pipeline on Unicode-heavy pairs ---------------------------------------------
const PIECES = ['hello', 'Wörld', 'naïve', 'café', 'Ελληνικά', 'русский', '中文字符', '日本語の', '한국어', 'العربية', 'हिन्दी',
  'e\u0301t\u00e9', '🙂', '👍🏽', '👨‍👩‍👧', '🇫🇷', '١٢٣', '½', 'x²', '…', '—', '«', '»', "l'arbre", '’', '-', '/', '$5', '%',
  '¿', '¡', '(', ')', '.', ',', '!', '?', 'ǅemal', 'ⅷ', '\u0300', '\u200b', '\u180e', '\u0085', 'A\u00a0B', 'x\u3000y', 'ß', 'İ',
  'ﬁ', '𝔘𝔫𝔦', '\u2028', 'Ωmega', '42', '3.14', 'tab\u000bvt'];
const SEPARATORS = [' ', ' ', '', '  ', '\u00a0', '\u2009', '\ufeff'];

function unicodeTsv(seed, lines, columns4 = false) {
  const r = createRandom(seed);
  const phrase = () => {
    let s = '';
    for (let k = 0, n = r.range(1, 5); k < n; k++) s += (k ? r.pick(SEPARATORS) + r.pick(PIECES) : r.pick(PIECES.slice(0, 11)));
    return s;
  };
  const out = [];
  const made = [];
  for (let i = 0; i < lines; i++) {
    if (r.chance(0.04)) { out.push(r.chance(0.5) ? '' : '  \u00a0'); continue; }
    if (made.length && r.chance(0.05)) { out.push(r.pick(made)); continue; }
    const pad = () => (r.chance(0.15) ? r.pick([' ', '\u3000', '\u00a0 ']) : '');
    const src = pad() + phrase() + pad();
    const tgt = pad() + phrase() + pad();
    let line = columns4 ? `${i}\t${src}\t${i + 1000}\t${tgt}` : `${src}\t${tgt}${r.chance(0.1) ? '\textra column' : ''}`;
    if (r.chance(0.1)) line += '\r';
    made.push(line);
    out.push(line);
  }
  return '\ufeff' + out.join('\n') + '\n';
}

function textFixtures() {
  const cases = [];
  const variants = [
    { file: 'unicode-a.tsv', text: unicodeTsv(11, 500), seed: 5, testFraction: 0.25, columns: [0, 1] },
    { file: 'unicode-b.tsv', text: unicodeTsv(12, 300, true), seed: 9, testFraction: 0.1, columns: [1, 3] },
  ];
  for (const v of variants) {
    writeFileSync(join(FIX, v.file), v.text);
    const task = tasks.fromTSV(readFileSync(join(FIX, v.file)), { seed: v.seed, testFraction: v.testFraction, columns: v.columns });
    const all = [...task.train, ...task.test];
    const tokenizers = {};
    for (const name of ['char', 'word']) {
      const tok = getTokenizer(name);
      const vocabs = {};
      for (const [label, opts] of [['full', {}], ['limited', { maxSize: 40, minCount: 2 }]]) {
        const sv = Vocabulary.fromTexts(task.train.map((p) => p[0]), tok, opts);
        const tv = Vocabulary.fromTexts(task.train.map((p) => p[1]), tok, opts);
        vocabs[label] = {
          options: opts, source: sv.symbols, target: tv.symbols,
          ids: all.map(([s, t]) => [Array.from(sv.encode(tok.tokenize(s)).ids), Array.from(tv.encode(tok.tokenize(t)).ids)]),
        };
      }
      tokenizers[name] = { vocabs, detokenized: all.map(([s, t]) => [tok.detokenize(tok.tokenize(s)), tok.detokenize(tok.tokenize(t))]) };
    }
    // bpe (docs/tokenizers.md): learned per side and shared, then every text's ids and round trip
    const sources = task.train.map((p) => p[0]);
    const targets = task.train.map((p) => p[1]);
    const bpe = {};
    for (const [label, texts, vocabSize] of [['source', sources, 300], ['target', targets, 420], ['shared', sources.concat(targets), 520]]) {
      const tok = BpeTokenizer.learn(texts, { vocabSize });
      const index = new Map(tok.symbols.map((sym, i) => [sym, i + 4]));
      const ids = (text) => tok.tokenize(text).map((piece) => index.get(piece));
      bpe[label] = {
        vocabSize, tokenizer: tok.toJSON(), symbols: tok.symbols,
        ids: all.map(([s, t]) => [ids(s), ids(t)]),
        detokenized: all.map(([s, t]) => [tok.detokenize(tok.tokenize(s)), tok.detokenize(tok.tokenize(t))]),
      };
    }
    tokenizers.bpe = bpe;
    cases.push({ file: v.file, seed: v.seed, testFraction: v.testFraction, columns: v.columns, train: task.train, test: task.test, tokenizers });
  }
  // files the JS reader refuses, and its message for each
  const bad = [
    ['bad-utf8.tsv', Buffer.concat([Buffer.from('abc\tdef\nx\t'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')])],
    ['no-tab.tsv', Buffer.from('a\tb\nonly one column\n')],
    ['empty-target.tsv', Buffer.from('a\tb\nc\t   \n')],
    ['too-long.tsv', Buffer.from(`a\tb\n${'é'.repeat(1001)}\tx\n`)],
    ['no-pairs.tsv', Buffer.from('\n  \n\r\n')],
    ['utf16.tsv', Buffer.from('\ufeffa\tb\n', 'utf16le')],
    ['bad-utf8-line1.tsv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ab\t'), Buffer.from([0xe2, 0x82]), Buffer.from('\n')])],
  ];
  const errors = [];
  for (const [file, bytes] of bad) {
    writeFileSync(join(FIX, file), bytes);
    let message = null;
    let code = null;
    try {
      tasks.parseTSV(bytes);
    } catch (e) {
      ({ message, code } = e);
    }
    assert.ok(message, `${file} is refused by the JS reader`);
    errors.push({ file, message, code });
  }
  writeJSON('text.json', { cases, errors });
}

// ---- 3. files: fresh models (byte identity), a model trained here, damaged copies ------------
const TRAIN = { embed: 16, hidden: 32, attentionSize: 32, seed: 3, steps: 80, batchSize: 32 };

async function fileFixtures() {
  // fresh models from the same pairs, options and seed: Python must write the same bytes
  const uni = JSON.parse(readFileSync(join(FIX, 'text.json'), 'utf8')).cases[0].train;
  const fresh = [
    { cell: 'lstm', attention: 'dot', scale: true, embed: 8, hidden: 16, attentionSize: 12, seed: 42, tokenizer: 'word' },
    { cell: 'rnn', attention: 'none', scale: true, embed: 5, hidden: 7, attentionSize: 3, seed: 7, tokenizer: { source: 'word', target: 'char' } },
    { cell: 'gru', attention: 'dot', scale: false, embed: 9, hidden: 11, attentionSize: 13, seed: 4294967295, tokenizer: 'char', maxVocabularySize: 30, minCount: 2, info: { note: 'ünïcode ✓', n: 3 } },
    { cell: 'gru', attention: 'additive', scale: true, embed: 8, hidden: 12, attentionSize: 10, seed: 9, tokenizer: 'bpe', vocabSize: 330 },
    { cell: 'lstm', attention: 'none', scale: true, embed: 6, hidden: 8, attentionSize: 4, seed: 10, tokenizer: { source: 'bpe', target: 'word' }, vocabSize: { source: 290 } },
    { cell: 'rnn', attention: 'additive', scale: true, embed: 6, hidden: 8, attentionSize: 5, seed: 11, tokenizer: 'bpe', vocabSize: 450, sharedVocabulary: true },
  ];
  const freshTranslations = [];
  for (let i = 0; i < fresh.length; i++) {
    const t = await Translator.create({ pairs: uni, ...fresh[i] });
    writeFileSync(join(FIX, `fresh-${i}.s2s`), t.save());
    freshTranslations.push(uni.slice(0, 12).map(([s]) => t.translate(s, { maxLength: 30 }).text));
    t.dispose();
  }
  writeJSON('fresh.json', { pairs: uni, options: fresh, translations: freshTranslations });

  // a model trained here on a TSV file, as the Node CLI would (split and shuffle from the seed)
  const dates = generateTask('dates', { seed: 1, trainSize: 3000, testSize: 300 });
  const tsv = [...dates.train, ...dates.test].map((p) => p.join('\t')).join('\n') + '\n';
  writeFileSync(join(FIX, 'dates.tsv'), tsv);
  const task = tasks.fromTSV(Buffer.from(tsv), { seed: TRAIN.seed, testFraction: 0.1 });
  const model = await Translator.create({ pairs: task.train, embed: TRAIN.embed, hidden: TRAIN.hidden, attentionSize: TRAIN.attentionSize, seed: TRAIN.seed, info: { data: 'dates.tsv' } });
  await model.train(task.train, { steps: TRAIN.steps, batchSize: TRAIN.batchSize, shuffleSeed: TRAIN.seed });
  const heldOut = task.test.slice(0, 200).map((p) => p[0]);
  const bytes = model.save();
  writeFileSync(join(FIX, 'node-trained.s2s'), bytes);
  const heldOutPairs = task.test.slice(0, 200);
  writeFileSync(join(FIX, 'held-out.tsv'), heldOutPairs.map((p) => p.join('\t')).join('\n') + '\n');
  const { mistakes, ...metrics } = model.evaluate(heldOutPairs);
  const { mistakes: m3, ...metricsBeam } = model.evaluate(heldOutPairs, { beam: 3 });
  writeJSON('node-trained.json', {
    train: TRAIN, heldOut, metrics, metricsBeam,
    greedy: heldOut.map((s) => model.translate(s).text),
    beam: heldOut.map((s) => model.translate(s, { beam: 3 }).text),
  });
  model.dispose();

  // a checkpoint (model + Adam's state) after 5 steps, and the weights after one more step from it
  {
    const small = await Translator.create({ pairs: task.train.slice(0, 500), embed: 8, hidden: 16, attentionSize: 16, seed: 5 });
    await small.train(task.train.slice(0, 500), { steps: 5, batchSize: 16 });
    writeFileSync(join(FIX, 'node.ckpt'), small.checkpoint());
    const pairs = task.train.slice(0, 6);
    const ex = pairs.map(([s, g]) => [Array.from(small.encodeSource(s).ids), Array.from(small.targetVocabulary.encode(Array.from(g)).ids)]);
    small.core.trainStep(makeBatch(ex), { learningRate: 0.01, clipNorm: 1 });
    writeFileSync(join(FIX, 'node-ckpt-after.s2s'), small.save());
    writeJSON('node-ckpt.json', { pairs, learningRate: 0.01, clipNorm: 1 });
    small.dispose();
  }

  await runFixtures(task.train);

  // damaged copies and the error each gets in JS
  const b = Uint8Array.from(bytes);
  const metaLen = new DataView(b.buffer).getUint32(44, true);
  const set32 = (src, at, v) => { const o = Uint8Array.from(src); new DataView(o.buffer).setUint32(at, v, true); return o; };
  const firstTensor = 48 + metaLen + 4; // name length, then the name
  const damaged = {
    empty: new Uint8Array(0),
    'bad-magic': withCrc(Uint8Array.from(b, (x, i) => (i === 0 ? 0x41 : x))),
    truncated: b.subarray(0, b.length - 10),
    'extra-bytes': Uint8Array.from([...b, 0]),
    'flipped-byte': Uint8Array.from(b, (x, i) => (i === b.length - 100 ? x ^ 0x40 : x)),
    version: withCrc(set32(b, 8, 2)),
    'unknown-cell': withCrc(set32(b, 12, 7)),
    'hidden-too-large': withCrc(set32(b, 28, 5000)),
    'meta-too-large': withCrc(set32(b, 44, 17 << 20)),
    'nan-weight': withCrc(set32(b, b.length - 8, 0x7fc00000)),
    'tensor-name': withCrc(Uint8Array.from(b, (x, i) => (i === firstTensor + 4 ? 0x58 : x))),
    'meta-not-json': withCrc(Uint8Array.from(b, (x, i) => (i === 48 ? 0x7e : x))),
  };
  const errors = [];
  for (const [name, bytesOf] of Object.entries(damaged)) {
    writeFileSync(join(FIX, `damaged-${name}.s2s`), bytesOf);
    let error = null;
    try {
      (await Translator.load(bytesOf)).dispose();
    } catch (e) {
      error = { code: e.code, message: e.message };
    }
    assert.ok(error, `the damaged file ${name} is refused in JS`);
    errors.push({ name, file: `damaged-${name}.s2s`, ...error });
  }
  writeJSON('damaged.json', errors);
}

// ---- 4. exact resume across runtimes: a run's checkpoints and the batches drawn after them ------
const RUN = { steps: 30, batchSize: 256, learningRate: 0.01, shuffleSeed: TRAIN.seed };
let runPairs = null; // the training pairs of dates.tsv, split as Python splits them (seed 3)

/**
 * The batches (as indices into pairs) a session resumed from `state` on `translator` draws until
 * the run's end, seen by a stepper that records them instead of training (TrainingSession's own
 * batch order, not a re-derivation of it).
 */
async function batchesAfter(translator, pairs, state) {
  const key = (src, tgt) => `${src.join(',')}|${tgt.join(',')}`;
  const index = new Map(pairs.map(([s, t], i) => [key(Array.from(translator.encodeSource(s).ids), Array.from(translator._encodeTarget(t))), i]));
  const batches = [];
  const recorder = {
    workers: 2, transport: 'none', close() {},
    async step(shards) {
      const rows = [];
      for (const b of shards) {
        for (let r = 0; r < b.batchSize; r++) {
          const src = Array.from(b.src.subarray(r * b.srcLength, r * b.srcLength + b.srcLengths[r]));
          const out = Array.from(b.tgtOut.subarray(r * b.tgtLength, (r + 1) * b.tgtLength));
          rows.push(index.get(key(src, out.slice(0, out.indexOf(2))))); // up to EOS (id 2)
        }
      }
      batches.push(rows);
      return { loss: 1 };
    },
  };
  const session = new TrainingSession(translator, pairs, { resume: state, workers: 2 }, async () => recorder);
  await session.run();
  assert.ok(batches.flat().every((i) => i !== undefined), 'every row is one of the pairs');
  return batches;
}

async function runFixtures(pairs) {
  runPairs = pairs;
  const perEpoch = Math.ceil(pairs.length / RUN.batchSize);
  const model = await Translator.create({ pairs, embed: 8, hidden: 16, attentionSize: 16, seed: TRAIN.seed, info: { data: 'dates.tsv' } });
  const session = model.session(pairs, { ...RUN, workers: 1 });
  const runs = [];
  for (const step of [5, perEpoch, perEpoch + 1]) { // mid-epoch, the end of epoch 1, just after it
    await session.run({ maxSteps: step - session.step });
    const file = `node-run-${step}.ckpt`;
    writeFileSync(join(FIX, file), model.checkpoint({ session }));
    runs.push({ step, file, state: session.state(), next: await batchesAfter(model, pairs, session.state()) });
  }
  await session.close();
  model.dispose();
  writeJSON('node-run.json', { options: RUN, perEpoch, runs });
  badSessionFixtures(readFileSync(join(FIX, runs[0].file)));
}

/** Checkpoints whose JSON state is wrong in one field (re-sealed), and the error JS gives each. */
function badSessionFixtures(good) {
  const { model, optimizer, state } = decodeCheckpoint(new Uint8Array(good));
  const jsonAt = 16 + model.length + 48 + 8 * optimizer.m.length;
  const seal = (changed) => {
    const json = Buffer.from(JSON.stringify(changed));
    const out = Buffer.concat([Buffer.from(good.subarray(0, jsonAt)), Buffer.alloc(4), json, Buffer.alloc(4)]);
    out.writeUInt32LE(json.length, jsonAt);
    return withCrc(new Uint8Array(out));
  };
  const s = state.session;
  const changes = {
    'step-epoch': { session: { ...s, epoch: 2, batchInEpoch: 3 } },
    schedule: { session: { ...s, schedule: 'warmup' } },
    'learning-rate': { session: { ...s, learningRate: 0 } },
    data: { session: { ...s, data: 'XYZ' } },
    'no-random': { session: { ...s, random: undefined } },
    'batch-size': { session: { ...s, batchSize: 5000 } },
    loss: { session: { ...s, loss: -1 } },
    'session-version': { session: { ...s, version: 2 } },
    elapsed: { session: { ...s, elapsedMs: 'x' } },
    backend: { backend: 'gpu' },
    app: { app: 5 },
    'adam-behind': { session: { ...s, step: 6, batchInEpoch: 6 } },
    'not-object': { session: [1] },
  };
  const cases = [];
  for (const [name, change] of Object.entries(changes)) {
    const file = `bad-session-${name}.ckpt`;
    const bytes = seal({ ...state, ...change });
    writeFileSync(join(FIX, file), bytes);
    let error = null;
    try {
      decodeCheckpoint(bytes);
    } catch (e) {
      error = { code: e.code, message: e.message };
    }
    assert.ok(error, `${name} is refused in JS`);
    cases.push({ file, ...error });
  }
  writeJSON('bad-sessions.json', cases);
}

const python = (() => {
  try {
    return pickPython();
  } catch (error) {
    return { error };
  }
})();

let pytestRan = false;

test('Python side: pytest against the library\'s fixtures (equivalence, text pipeline, files, torchrun)', { timeout: 600000 }, async (t) => {
  if (python.error) throw python.error;
  t.diagnostic(`python: ${python.cmd} (${python.info})`);
  writeJSON('limits.json', { ...limits });
  const n = await equivalenceFixtures();
  textFixtures();
  await fileFixtures();
  t.diagnostic(`${n} equivalence cases written`);
  const r = spawnSync(python.cmd, ['-m', 'pytest', '-q', '-rs', '-p', 'no:cacheprovider', join(ROOT, 'python', 'tests')], {
    cwd: ROOT, encoding: 'utf8', timeout: 540000,
    env: { ...process.env, PYTHONPATH: join(ROOT, 'python'), S2S_FIXTURES: FIX, S2S_OUT: OUT, PYTHONDONTWRITEBYTECODE: '1' },
  });
  const output = `${r.stdout}\n${r.stderr}`;
  for (const line of output.trim().split('\n').slice(-40)) t.diagnostic(line);
  assert.equal(r.status, 0, `pytest failed (exit ${r.status}):\n${output.slice(-6000)}`);
  assert.match(r.stdout, /\d+ passed/);
  assert.doesNotMatch(r.stdout, /skipped|xfail/, 'no Python test may be skipped here: the fixtures are all present');
  pytestRan = true;
  for (const r of JSON.parse(readFileSync(join(OUT, 'equivalence-report.json'), 'utf8'))) {
    t.diagnostic(`PyTorch vs wasm ${r.case}: loss ${r.lossRelative.toExponential(1)} relative, worst gradient ${r.worstGradientRelative.toExponential(1)} of its largest entry`);
  }
  t.diagnostic(`torchrun 2 processes vs 1, 20 steps: worst weight difference ${JSON.parse(readFileSync(join(OUT, 'torchrun.json'), 'utf8')).worstRelativeDifference.toExponential(1)} of the tensor's largest entry`);
});

async function loadFile(name) {
  return Translator.load(new Uint8Array(readFileSync(join(OUT, name))));
}

test('a model trained in Python loads with Translator.load and translates 200 held-out inputs as in Python', async (t) => {
  assert.ok(pytestRan, 'needs the pytest run');
  const expected = JSON.parse(readFileSync(join(OUT, 'py-trained.json'), 'utf8'));
  assert.equal(expected.heldOut.length, 200);
  const model = await loadFile('py-trained.s2s');
  try {
    assert.deepEqual(expected.heldOut.map((s) => model.translate(s).text), expected.greedy);
    assert.deepEqual(expected.heldOut.map((s) => model.translate(s, { beam: 3 }).text), expected.beam);
    // the same steps on the same batches as the model trained here: the same weights
    const node = await Translator.load(new Uint8Array(readFileSync(join(FIX, 'node-trained.s2s'))));
    let worst = 0;
    for (const name of node.core.parameterNames()) {
      const a = node.core.getParameter(name).data;
      const b = model.core.getParameter(name).data;
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(a[i]));
      }
      assert.ok(diff <= 1e-4 * scale, `${name}: trained in Node and in Python for ${TRAIN.steps} steps, differ by ${diff} (largest entry ${scale})`);
      worst = Math.max(worst, diff / scale);
    }
    t.diagnostic(`trained ${TRAIN.steps} steps in Node (wasm) and in Python (PyTorch) on the same batches: worst weight difference ${worst.toExponential(1)} of the tensor's largest entry`);
    node.dispose();
  } finally {
    model.dispose();
  }
});

test('a checkpoint written by Python resumes in Node with its Adam state: the next step is the one Python takes', async () => {
  assert.ok(pytestRan, 'needs the pytest run');
  const { translator, session } = await Translator.loadCheckpoint(new Uint8Array(readFileSync(join(OUT, 'py.s2s.ckpt'))));
  try {
    assert.deepEqual([session.step, session.totalSteps], [5, 5], 'the finished run\'s state');
    assert.equal(translator.stepCount, 5);
    const spec = JSON.parse(readFileSync(join(FIX, 'node-ckpt.json'), 'utf8'));
    const ex = spec.pairs.map(([s, g]) => [Array.from(translator.encodeSource(s).ids), Array.from(translator.targetVocabulary.encode(Array.from(g)).ids)]);
    translator.core.trainStep(makeBatch(ex), { learningRate: spec.learningRate, clipNorm: spec.clipNorm });
    const python = await Translator.load(new Uint8Array(readFileSync(join(OUT, 'py-ckpt-after.s2s'))));
    for (const name of python.core.parameterNames()) {
      const a = python.core.getParameter(name).data;
      const b = translator.core.getParameter(name).data;
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(a[i]));
      }
      assert.ok(diff <= 1e-5 * scale, `${name}: one step after Python's checkpoint differs by ${diff} (largest entry ${scale})`);
    }
    python.dispose();
  } finally {
    translator.dispose();
  }
});

test('a streamed Python run\'s checkpoint loads in Node, its session.stream passed by, and Node refuses to resume its run', async () => {
  assert.ok(pytestRan, 'needs the pytest run');
  const { translator, session } = await Translator.loadCheckpoint(new Uint8Array(readFileSync(join(OUT, 'py-stream.s2s.ckpt'))));
  try {
    assert.equal(translator.stepCount, session.step);
    assert.deepEqual(Object.keys(session.stream), ['file', 'shuffleBuffer', 'processes']);
    assert.equal(session.stream.shuffleBuffer, 40);
    await assert.rejects(translator.train(runPairs, { resume: session, workers: 1 }), { code: 'BAD_ARGUMENT', message: /^resume: this run streamed its file in the Python trainer, .*resume it there \(python3 -m seq2seq_attention.train --resume CHECKPOINT\)/ });
  } finally {
    translator.dispose();
  }
});

test('Node resumes a Python run\'s checkpoints (mid-epoch, at an epoch\'s end, after it) and draws the batches Python drew', async (t) => {
  assert.ok(pytestRan, 'needs the pytest run');
  const { runs } = JSON.parse(readFileSync(join(OUT, 'py-run.json'), 'utf8'));
  const node = JSON.parse(readFileSync(join(FIX, 'node-run.json'), 'utf8'));
  assert.deepEqual(runs.map((r) => r.step), node.runs.map((r) => r.step));
  assert.ok(runs.some((r) => r.step === node.perEpoch) && runs.some((r) => r.step % node.perEpoch !== 0));
  for (const r of runs) {
    const { translator, session, app } = await Translator.loadCheckpoint(new Uint8Array(readFileSync(join(OUT, r.file))));
    try {
      assert.equal(session.step, r.step);
      assert.equal(translator.stepCount, r.step, 'Adam\'s steps');
      assert.match(app.writer, /^seq2seq_attention/);
      const batches = await batchesAfter(translator, runPairs, session);
      assert.equal(batches.length, RUN.steps - r.step);
      assert.deepEqual(batches, r.next, `resumed at Python's step ${r.step}: other batches than Python drew`);
      // and training on from it in Node goes to the end with the state Python's run has
      const report = await translator.train(runPairs, { resume: session, workers: 1 });
      assert.equal(report.steps, RUN.steps);
    } finally {
      translator.dispose();
    }
  }
  t.diagnostic(`Python checkpoints at steps ${runs.map((r) => r.step).join(', ')} (${node.perEpoch} batches an epoch): Node draws the ${runs.map((r) => r.next.length).join(', ')} batches Python drew after each`);
});

test('a model trained with torchrun (2 processes, gloo) translates in Node as in Python', async () => {
  assert.ok(pytestRan, 'needs the pytest run');
  const expected = JSON.parse(readFileSync(join(OUT, 'torchrun.json'), 'utf8'));
  const model = await loadFile('torchrun.s2s');
  try {
    assert.deepEqual(expected.heldOut.map((s) => model.translate(s).text), expected.greedy);
  } finally {
    model.dispose();
  }
});

test('the torchrun model loads in the page (file picker) and translates held-out inputs as in Python',
  { skip: browserSkipReason(), timeout: 120000 }, async () => {
    assert.ok(pytestRan, 'needs the pytest run');
    const expected = JSON.parse(readFileSync(join(OUT, 'torchrun.json'), 'utf8'));
    const p = await openPage();
    try {
      const { page } = p;
      await waitReady(page);
      await page.setInputFiles(byTestId('model-input'), { name: 'torchrun.s2s', mimeType: 'application/octet-stream', buffer: readFileSync(join(OUT, 'torchrun.s2s')) });
      await page.waitForFunction(() => /^Loaded/.test(document.querySelector('[data-testid="model-status"]').textContent), null, { timeout: 20000 });
      const got = [];
      for (const s of expected.heldOut.slice(0, 10)) got.push(await translateInPage(page, s));
      assert.deepEqual(got, expected.greedy.slice(0, 10));
      assert.deepEqual(p.pageErrors, []);
    } finally {
      await p.close();
    }
  });
