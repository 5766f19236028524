// Checkpoints in the library (issue 15): the file format of docs/model-format.md read field by
// field by an independent parser here (offsets, zlib's CRC-32, the FNV-1a data fingerprint),
// exact resume from every step of a run with another number of workers each time (the reference
// is the run that never stopped), other data refused, and every way a checkpoint can be bad
// refused with its message (the K rows of docs/bad-input.md), an older checkpoint still usable
// after a newer one is damaged.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { Translator, Seq2Seq, tasks, decodeCheckpoint, encodeCheckpoint } from '../lib/index.js';

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const data = tasks.dates({ seed: 4, trainSize: 250, testSize: 20 });
const SHAPE = { pairs: data.train, embed: 8, hidden: 12, attentionSize: 10, cell: 'lstm', seed: 3 };
const RUN = { epochs: 2, batchSize: 24, schedule: 'cosine', learningRate: 0.01, shuffleSeed: 9, shardSize: 8, workers: 1, evaluate: { pairs: data.test, every: 7 } };
const BATCHES = Math.ceil(data.train.length / RUN.batchSize); // 11 per epoch, 22 in all

/** Trains RUN uninterrupted (2 workers), keeping a checkpoint after every step but the last. */
async function straightRun(options = RUN) {
  const model = await Translator.create(SHAPE);
  const checkpoints = [];
  const session = model.session(data.train, { ...options, workers: 2 });
  while (!session.done) {
    await session.run({ maxSteps: 1 });
    if (!session.done) checkpoints.push(model.checkpoint({ session, app: { note: 'test' } }));
  }
  await session.close();
  const bytes = model.save();
  model.dispose();
  return { bytes, checkpoints };
}

const straight = await straightRun();

test('the file is laid out as docs/model-format.md says (read by a parser written from the doc)', async () => {
  const file = straight.checkpoints[4]; // after step 5
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  assert.equal(Buffer.from(file.subarray(0, 8)).toString('latin1'), 'S2SCKPT\x1a');
  assert.equal(view.getUint32(8, true), 1);
  const Lm = view.getUint32(12, true);
  const model = file.subarray(16, 16 + Lm);
  assert.equal(Buffer.from(model.subarray(0, 7)).toString(), 'S2SATTN');
  let at = 16 + Lm;
  const P = view.getUint32(at, true);
  const t = view.getUint32(at + 4, true);
  const [beta1, beta2, epsilon, p1, p2] = [0, 1, 2, 3, 4].map((i) => view.getFloat64(at + 8 + 8 * i, true));
  at += 48;
  const m = new Float32Array(P), v = new Float32Array(P);
  for (let i = 0; i < P; i++) m[i] = view.getFloat32(at + 4 * i, true);
  for (let i = 0; i < P; i++) v[i] = view.getFloat32(at + 4 * P + 4 * i, true);
  at += 8 * P;
  const J = view.getUint32(at, true);
  const state = JSON.parse(Buffer.from(file.subarray(at + 4, at + 4 + J)).toString('utf8'));
  assert.equal(file.length, 72 + Lm + 8 * P + J);
  assert.equal(view.getUint32(file.length - 4, true), zlib.crc32(file.subarray(0, file.length - 4)));

  const core = await Seq2Seq.load(model);
  const names = core.parameterNames();
  assert.equal(P, names.reduce((n, name) => n + core.getParameter(name).data.length, 0));
  assert.equal(t, 5);
  assert.deepEqual([beta1, beta2, epsilon], [Math.fround(0.9), Math.fround(0.999), Math.fround(1e-8)]);
  let q1 = 1, q2 = 1;
  for (let i = 0; i < t; i++) { q1 *= Math.fround(0.9); q2 *= Math.fround(0.999); }
  assert.deepEqual([p1, p2], [q1, q2]);
  assert.ok(v.every((x) => x >= 0) && m.some((x) => x !== 0));
  core.dispose();

  assert.equal(state.format, 'seq2seq-attention/checkpoint');
  assert.equal(state.backend, 'simd');
  assert.deepEqual(state.app, { note: 'test' });
  const { session } = state;
  assert.equal(session.format, 'seq2seq-attention/session');
  assert.equal(session.step, 5);
  assert.equal(session.epoch, 1);
  assert.equal(session.batchInEpoch, 5);
  assert.equal(session.epochRandom, 9, 'the first epoch draws from the shuffle seed');
  const { batchSize, learningRate, schedule, clipNorm, shuffleSeed, bucket, shardSize, totalSteps, pairs } = session;
  assert.deepEqual({ batchSize, learningRate, schedule, clipNorm, shuffleSeed, bucket, shardSize, totalSteps, pairs },
    { batchSize: 24, learningRate: 0.01, schedule: 'cosine', clipNorm: 5, shuffleSeed: 9, bucket: true, shardSize: 8, totalSteps: 2 * BATCHES, pairs: 250 });
  // the data fingerprint as the doc defines it
  let h = 0x811c9dc5;
  const mix = (text) => {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0; // UTF-16 code units
    h = Math.imul(h ^ 0x1f, 0x01000193) >>> 0;
  };
  for (const [src, tgt] of data.train) { mix(src); mix(tgt); }
  assert.equal(session.data, h.toString(16).padStart(8, '0'));
  const second = decodeCheckpoint(straight.checkpoints[12]).state.session; // step 13: epoch 2, batch 2
  assert.deepEqual([second.epoch, second.batchInEpoch], [2, 13 - BATCHES]);
  assert.notEqual(second.epochRandom, 9);
  assert.equal(second.epochRandom, session.random, 'epoch 2 draws from where epoch 1 left the generator');
});

test('the format as the doc gives it, written independently, gives the library bytes exactly', () => {
  for (const checkpoint of [straight.checkpoints[0], straight.checkpoints[13]]) assert.deepEqual(seal(decodeCheckpoint(checkpoint)), checkpoint);
});

test('resuming from every step with 1, 3 or 4 workers (2 wrote it) gives the uninterrupted model, byte for byte', async () => {
  assert.equal(straight.checkpoints.length, 2 * BATCHES - 1, 'one per step but the last');
  const counts = [1, 3, 4];
  for (const [i, checkpoint] of straight.checkpoints.entries()) {
    const { translator, session } = await Translator.loadCheckpoint(checkpoint);
    const workers = counts[i % counts.length];
    const report = await translator.train(data.train, { ...RUN, workers, resume: session });
    assert.equal(report.steps, 2 * BATCHES);
    assert.equal(report.workers, workers);
    assert.equal(sha(translator.save()), sha(straight.bytes), `resumed at step ${session.step} with ${workers} workers`);
    translator.dispose();
  }
});

test('paused by its signal mid-epoch, checkpointed, resumed twice, without bucketing: the same model', async () => {
  const options = { ...RUN, bucket: false, schedule: 'constant', steps: 30 };
  delete options.epochs;
  const reference = await straightRun(options);
  let translator = await Translator.create(SHAPE);
  let resume = null;
  for (const stopAt of [4, 17, Infinity]) {
    const controller = new AbortController();
    const session = translator.session(data.train, { ...options, ...(resume ? { resume } : {}) });
    const report = await session.run({ signal: controller.signal, onProgress: ({ step }) => { if (step === stopAt) controller.abort(); } });
    await session.close();
    if (stopAt === Infinity) break;
    assert.ok(report.stopped);
    const saved = translator.checkpoint({ session, app: null });
    translator.dispose();
    ({ translator, session: resume } = await Translator.loadCheckpoint(saved));
    assert.equal(resume.step, stopAt);
  }
  assert.equal(sha(translator.save()), sha(reference.bytes));
  translator.dispose();
});

test('a checkpoint resumes only on its own data, loads on the backend it was written on, and is not taken mid-run', async () => {
  const checkpoint = straight.checkpoints[6];
  let { translator, session } = await Translator.loadCheckpoint(checkpoint);
  await assert.rejects(translator.train(data.train.slice(1), { ...RUN, resume: session }), { code: 'BAD_ARGUMENT', message: /^resume: the run was on other pairs/ });
  await assert.rejects(translator.train(data.train, { ...RUN, batchSize: 25, resume: session }), { code: 'BAD_ARGUMENT', message: /^resume: batchSize was 24/ });
  const running = translator.session(data.train, { ...RUN, resume: session });
  const run = running.run();
  assert.throws(() => translator.checkpoint({ session: running }), { code: 'BAD_ARGUMENT', message: /the session is running/ });
  await run;
  await running.close();
  translator.dispose();
  const scalar = await Translator.create({ ...SHAPE, backend: 'scalar' });
  const bytes = scalar.checkpoint({ app: { between: 'runs' } });
  scalar.dispose();
  ({ translator, session } = await Translator.loadCheckpoint(bytes));
  assert.equal(translator.backend, 'scalar');
  assert.equal(session, null);
  translator.dispose();
});

// ---- bad checkpoints: the K rows of docs/bad-input.md ------------------------------------------
const ROWS = new Map();
function row(id, title, message, make) {
  ROWS.set(id, message);
  test(`[${id}] ${title}`, async () => {
    const bytes = await make();
    await assert.rejects(Translator.loadCheckpoint(bytes), (e) => {
      assert.ok(['BAD_FILE', 'LIMIT', 'BAD_ARGUMENT'].includes(e.code), `code ${e.code}`);
      if (process.env.PRINT_BAD_INPUT) console.log(`ROW ${id} ${e.code} ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
  });
}

const good = straight.checkpoints[6];
const parts = decodeCheckpoint(good);
/** The format written from the doc, independently of lib/checkpoint.js (it also makes bad files). */
function seal({ model, optimizer, state }) {
  const P = optimizer.m.length;
  const json = Buffer.from(typeof state === 'string' ? state : JSON.stringify(state));
  const out = Buffer.alloc(72 + model.length + 8 * P + json.length);
  out.write('S2SCKPT\x1a', 0, 'latin1');
  out.writeUInt32LE(1, 8);
  out.writeUInt32LE(model.length, 12);
  Buffer.from(model).copy(out, 16);
  let at = 16 + model.length;
  out.writeUInt32LE(P, at);
  out.writeUInt32LE(optimizer.steps, at + 4);
  ['beta1', 'beta2', 'epsilon', 'beta1Power', 'beta2Power'].forEach((k, i) => out.writeDoubleLE(optimizer[k], at + 8 + 8 * i));
  at += 48;
  for (const moment of [optimizer.m, optimizer.v]) for (let i = 0; i < P; i++, at += 4) out.writeFloatLE(moment[i], at);
  out.writeUInt32LE(json.length, at);
  json.copy(out, at + 4);
  out.writeUInt32LE(zlib.crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return new Uint8Array(out);
}
/** A checkpoint with one part changed and a correct CRC, so the check after the CRC is reached. */
const reseal = (change) => {
  const p = decodeCheckpoint(good);
  change(p);
  return seal(p);
};
const withU32 = (offset, value) => { const b = Buffer.from(good); b.writeUInt32LE(value, offset); return new Uint8Array(b); };
const Lm = parts.model.length;
const P = parts.optimizer.m.length;

row('K1', 'empty', /^not a checkpoint: it is empty$/, () => new Uint8Array(0));
row('K2', 'not a checkpoint', /^not a seq2seq-attention checkpoint: the magic bytes are wrong$/, () => new TextEncoder().encode('source\ttarget\n'));
row('K3', 'a model file given as a checkpoint', /^this is a model file, not a checkpoint: give it to translate\/eval \(or train a new run\), or resume from the \.ckpt file written next to it$/, () => parts.model);
row('K4', 'another format version', /^unsupported checkpoint version 2: this library reads version 1$/, () => withU32(8, 2));
row('K5', 'a model section past its limit', /^the checkpoint's model file is 1073741825 bytes, larger than the limit of 1073741824$/, () => withU32(12, 2 ** 30 + 1));
row('K6', 'more parameters than the limit', /^the checkpoint's optimizer state has 67108865 parameters, more than the limit of 67108864$/, () => withU32(16 + Lm, 64 * 2 ** 20 + 1));
row('K7', 'truncated', /^the checkpoint is truncated: \d+ bytes where its contents imply at least \d+$/, () => good.slice(0, Math.floor(good.length / 2)));
row('K8', 'one byte appended', /^the checkpoint has \d+ bytes where its contents imply \d+ \(extra bytes at the end\)$/, () => Uint8Array.from([...good, 0]));
row('K9', 'one flipped bit', /^the checkpoint is corrupted: its checksum is [0-9a-f]{8} but its contents give [0-9a-f]{8}$/, () => { const b = good.slice(); b[16 + Lm + 100] ^= 4; return b; });
row('K10', 'a JSON state that is not JSON (re-sealed)', /^the checkpoint's training state is not valid UTF-8 JSON$/, () => seal({ ...parts, state: '{"format": "seq2seq-att' }));
row('K11', 'a session whose step does not follow from its epoch and batch (re-sealed)', /^the checkpoint's training state: session.step 7 does not match epoch 2 and batchInEpoch 3 with 11 batches per epoch$/, () => reseal((p) => { p.state.session.epoch = 2; p.state.session.batchInEpoch = 3; }));
row('K12', 'a session with a schedule it cannot have (re-sealed)', /^the checkpoint's training state: session.schedule must be 'constant', 'cosine' or 'custom', got "warmup"$/, () => reseal((p) => { p.state.session.schedule = 'warmup'; }));
row('K13', 'fewer Adam steps than session steps (re-sealed)', /^the checkpoint is inconsistent: its session is at step 7 but Adam has taken only 6 steps$/, () => reseal((p) => { p.optimizer.steps = 6; p.optimizer.beta1Power /= Math.fround(0.9); p.optimizer.beta2Power /= Math.fround(0.999); }));
row('K14', 'a damaged model file inside (re-sealed)', /^the checkpoint's model file is not valid: the model file is corrupted: its checksum is [0-9a-f]{8} but its contents give [0-9a-f]{8}$/, () => reseal((p) => { p.model[60] ^= 1; }));
row('K15', 'a second moment below zero (re-sealed)', /^the checkpoint's optimizer state is not valid: the optimizer state's v\[10\] is -1: second moments must be finite and >= 0$/, () => reseal((p) => { p.optimizer.v[10] = -1; }));
row('K16', 'fewer moments than the model has parameters (re-sealed)', new RegExp(`^the checkpoint is inconsistent: its optimizer state has ${P - 1} values, its model ${P} parameters$`), () => reseal((p) => { p.optimizer.m = p.optimizer.m.subarray(1); p.optimizer.v = p.optimizer.v.subarray(1); }));
row('K17', 'a file name instead of bytes', /^Translator.loadCheckpoint needs the checkpoint as a Uint8Array \(or ArrayBuffer\)$/, () => 'run.ckpt');

test('the sizes in the truncation and extra-byte messages are the real ones', async () => {
  const half = Math.floor(good.length / 2);
  await assert.rejects(Translator.loadCheckpoint(good.slice(0, half)), { message: `the checkpoint is truncated: ${half} bytes where its contents imply at least ${72 + Lm + 8 * P}` });
  await assert.rejects(Translator.loadCheckpoint(Uint8Array.from([...good, 0])), { message: `the checkpoint has ${good.length + 1} bytes where its contents imply ${good.length} (extra bytes at the end)` });
});

test('after a newer checkpoint is damaged, an older one still resumes to the same model', async () => {
  const newer = straight.checkpoints[15].slice();
  newer[newer.length - 20] ^= 0x10;
  await assert.rejects(Translator.loadCheckpoint(newer), { code: 'BAD_FILE', message: /corrupted/ });
  await assert.rejects(Translator.loadCheckpoint(straight.checkpoints[15].subarray(0, 1000)), { code: 'BAD_FILE', message: /truncated/ });
  const { translator, session } = await Translator.loadCheckpoint(straight.checkpoints[9]);
  await translator.train(data.train, { ...RUN, resume: session });
  assert.equal(sha(translator.save()), sha(straight.bytes));
  translator.dispose();
});

test('every truncation and every single-bit flip of a small checkpoint is refused', async () => {
  const small = straight.checkpoints[0];
  for (let n = 0; n < small.length; n += 97) {
    await assert.rejects(Translator.loadCheckpoint(small.subarray(0, n)), (e) => e.code === 'BAD_FILE' && /empty|magic|truncated/.test(e.message), `cut at ${n}`);
  }
  for (let i = 0; i < small.length; i += 13) {
    const b = small.slice();
    b[i] ^= 1 << (i % 8);
    await assert.rejects(Translator.loadCheckpoint(b), (e) => ['BAD_FILE', 'LIMIT'].includes(e.code), `bit flipped in byte ${i}`);
  }
});

test('docs/bad-input.md shows, for every K row, a message its test accepts', () => {
  const doc = readFileSync(new URL('../docs/bad-input.md', import.meta.url), 'utf8');
  const docRows = new Map();
  for (const line of doc.split('\n')) {
    const m = line.match(/^\| *(K\d+) *\|.*`([^`]*)` *\| *$/);
    if (m) docRows.set(m[1], m[2]);
  }
  assert.deepEqual([...docRows.keys()].sort(), [...ROWS.keys()].sort());
  for (const [id, message] of ROWS) assert.match(docRows.get(id), message, id);
});

test('a run of more than 10^9 steps (the page trains until paused: 100,000 epochs of a large file) checkpoints and resumes', async () => {
  const pairs = tasks.copy({ seed: 2, trainSize: 1200, testSize: 1, minLength: 2, maxLength: 6 }).train;
  const options = { epochs: 1000000, batchSize: 1, shuffleSeed: 5, workers: 1 }; // 1.2e9 steps
  const translator = await Translator.create({ ...SHAPE, pairs });
  const session = translator.session(pairs, options);
  await session.run({ maxSteps: 2 });
  const bytes = translator.checkpoint({ session });
  await session.close();
  translator.dispose();
  const { translator: again, session: state } = await Translator.loadCheckpoint(bytes);
  assert.deepEqual([state.totalSteps, state.step], [1.2e9, 2]);
  const resumed = again.session(pairs, { ...options, resume: state });
  assert.equal((await resumed.run({ maxSteps: 1 })).steps, 3);
  await resumed.close();
  again.dispose();
});
