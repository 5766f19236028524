// Resuming a session with other training options (learningRate, schedule, clipNorm): refused with
// an error naming the option and both values unless the call lists it in allowChangedOptions;
// left out, they are the run's (so a resume that gives nothing trains to the uninterrupted
// bytes); allowed, the run goes on with the new value and keeps it in its state. The worker
// count may change freely (tests/checkpoint-format.test.js resumes with 1, 3 and 4).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Translator, tasks } from '../lib/index.js';

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const data = tasks.dates({ seed: 6, trainSize: 90, testSize: 5 });
const SHAPE = { pairs: data.train, embed: 6, hidden: 8, attentionSize: 6, seed: 2 };
const RUN = { steps: 12, batchSize: 16, learningRate: 0.01, schedule: 'cosine', clipNorm: 2, shuffleSeed: 4, workers: 1 };
const STOP = 5;

const straight = await Translator.create(SHAPE);
await straight.train(data.train, RUN);
const straightBytes = straight.save();
straight.dispose();

const first = await Translator.create(SHAPE);
const session = first.session(data.train, RUN);
await session.run({ maxSteps: STOP });
const checkpoint = first.checkpoint({ session });
first.dispose();

/** The checkpoint resumed with `options` and trained to the end: { bytes, rates, state }. */
async function resumed(options) {
  const { translator, session: state } = await Translator.loadCheckpoint(checkpoint);
  try {
    const rates = [];
    const s = translator.session(data.train, { ...options, resume: state });
    await s.run({ onProgress: (p) => rates.push(p.learningRate) });
    return { bytes: translator.save(), rates, state: s.state() };
  } finally {
    translator.dispose();
  }
}

test('each training option given with another value is refused, naming it with the old and new values', async () => {
  const changes = [
    ['learningRate', 0.02, /^resume: learningRate was 0\.01 in the run being resumed, not 0\.02: .*allowChangedOptions: \['learningRate'\]/],
    ['schedule', 'constant', /^resume: schedule was "cosine" in the run being resumed, not "constant": /],
    ['schedule', (step, total) => 0.01 * (1 - step / total), /^resume: schedule was "cosine" in the run being resumed, not "custom": /],
    ['clipNorm', 0, /^resume: clipNorm was 2 in the run being resumed, not 0: /],
  ];
  for (const [key, value, message] of changes) {
    const { translator, session: state } = await Translator.loadCheckpoint(checkpoint);
    assert.throws(() => translator.session(data.train, { ...RUN, [key]: value, resume: state }), { code: 'BAD_ARGUMENT', message }, key);
    // allowing another option does not allow this one
    const other = ['learningRate', 'schedule', 'clipNorm'].filter((k) => k !== key);
    assert.throws(() => translator.session(data.train, { ...RUN, [key]: value, resume: state, allowChangedOptions: other }), { code: 'BAD_ARGUMENT', message }, key);
    translator.dispose();
  }
});

test('unchanged (given again, or left out) resumes to the uninterrupted bytes', async () => {
  assert.equal(sha((await resumed(RUN)).bytes), sha(straightBytes));
  const { learningRate, schedule, clipNorm, ...rest } = RUN;
  const left = await resumed(rest);
  assert.equal(sha(left.bytes), sha(straightBytes), 'left out, learningRate/schedule/clipNorm are the run\'s, not the defaults');
  assert.deepEqual([left.state.learningRate, left.state.schedule, left.state.clipNorm], [learningRate, schedule, clipNorm]);
  // every option left out (the batch size too: its epochs are the state's, not the default's)
  assert.equal(sha((await resumed({ workers: 1 })).bytes), sha(straightBytes));
});

test('allowChangedOptions lets the named option change: the run goes on with the new value and keeps it', async () => {
  const changed = await resumed({ ...RUN, learningRate: 0.02, allowChangedOptions: ['learningRate'] });
  const total = RUN.steps;
  assert.deepEqual(changed.rates, Array.from({ length: total - STOP }, (_, i) => 0.02 * 0.5 * (1 + Math.cos((Math.PI * (STOP + i)) / total))));
  assert.equal(changed.state.learningRate, 0.02);
  assert.notEqual(sha(changed.bytes), sha(straightBytes));
  const all = await resumed({ ...RUN, schedule: 'constant', clipNorm: 0, allowChangedOptions: ['schedule', 'clipNorm'] });
  assert.deepEqual(all.rates, Array(total - STOP).fill(0.01));
  assert.deepEqual([all.state.schedule, all.state.clipNorm], ['constant', 0]);
});

test('a custom schedule needs its function again; allowChangedOptions takes only those three names', async () => {
  const fn = (step, total) => 0.01 * (1 - step / (total + 1));
  const model = await Translator.create(SHAPE);
  const s = model.session(data.train, { ...RUN, schedule: fn });
  await s.run({ maxSteps: 2 });
  const state = s.state();
  assert.equal(state.schedule, 'custom');
  assert.throws(() => model.session(data.train, { ...RUN, schedule: undefined, resume: state }), { code: 'BAD_ARGUMENT', message: /custom.*give the same function as schedule again/ });
  model.session(data.train, { ...RUN, schedule: fn, resume: state }); // accepted
  for (const bad of [['batchSize'], 'learningRate', [1], null]) {
    assert.throws(() => model.session(data.train, { ...RUN, resume: state, allowChangedOptions: bad }), { code: 'BAD_ARGUMENT', message: /^allowChangedOptions must be an array of option names from learningRate, schedule, clipNorm/ });
  }
  model.dispose();
});
