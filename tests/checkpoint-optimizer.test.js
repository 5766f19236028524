// Adam's state through Seq2Seq#exportOptimizerState / importOptimizerState: a model loaded from
// its file plus the exported state trains on bit for bit like the model that never stopped (the
// independent reference is that uninterrupted model); without the state it does not; bad states
// are refused with nothing changed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/index.js';
import { reverseBatch } from './helpers/reverse.js';
import { createRandom } from '../lib/random.js';

const CONFIG = { cell: 'lstm', attention: 'additive', embed: 6, hidden: 8, attentionSize: 7, srcVocabSize: 12, tgtVocabSize: 12, seed: 5 };

function batches(count) {
  const random = createRandom(11).next;
  return Array.from({ length: count }, () => reverseBatch(random, 4, 2, 6, 8));
}

for (const backend of ['simd', 'scalar']) {
  test(`${backend}: weights + optimizer state continue exactly; weights alone do not`, async () => {
    const data = batches(12);
    const straight = await Seq2Seq.create({ ...CONFIG, backend });
    straight.setAdam({ beta1: 0.8, beta2: 0.99, epsilon: 1e-7 });
    let file, state;
    for (let i = 0; i < data.length; i++) {
      if (i === 7) {
        file = straight.save();
        state = straight.exportOptimizerState();
      }
      straight.trainStep(data[i], { learningRate: 0.02, clipNorm: 1 });
    }
    assert.equal(state.steps, 7);
    assert.equal(state.beta1, Math.fround(0.8));
    let power = 1;
    for (let i = 0; i < 7; i++) power *= Math.fround(0.8); // what Adam's bias correction multiplies up, in double
    assert.equal(state.beta1Power, power);
    assert.ok(state.m.some((x) => x !== 0) && state.v.every((x) => x >= 0));

    const resumed = await Seq2Seq.load(file, { backend });
    resumed.importOptimizerState(state);
    assert.equal(resumed.stepCount, 7);
    for (let i = 7; i < data.length; i++) resumed.trainStep(data[i], { learningRate: 0.02, clipNorm: 1 });
    assert.deepEqual(resumed.save(), straight.save());
    assert.deepEqual(resumed.exportOptimizerState(), straight.exportOptimizerState());

    const restarted = await Seq2Seq.load(file, { backend });
    restarted.setAdam({ beta1: 0.8, beta2: 0.99, epsilon: 1e-7 });
    for (let i = 7; i < data.length; i++) restarted.trainStep(data[i], { learningRate: 0.02, clipNorm: 1 });
    assert.notDeepEqual(restarted.save(), straight.save(), 'Adam restarting from zero gives other weights');
    for (const m of [straight, resumed, restarted]) m.dispose();
  });
}

test('importOptimizerState refuses bad states and changes nothing', async () => {
  const model = await Seq2Seq.create(CONFIG);
  model.trainStep(batches(1)[0], { learningRate: 0.01 });
  const good = model.exportOptimizerState();
  const cases = [
    [null, /needs the object exportOptimizerState returned, got null/],
    [{ ...good, steps: -1 }, /steps must be between 0 and/],
    [{ ...good, beta1: 1.5 }, /beta1 must be between 0 and 1/],
    [{ ...good, beta2Power: NaN }, /beta2Power must be a finite number/],
    [{ ...good, m: Array.from(good.m) }, /m must be a Float32Array/],
    [{ ...good, v: good.v.subarray(1) }, /v has \d+ values; this model has \d+ parameters/],
    [{ ...good, m: good.m.map((x, i) => (i === 3 ? Infinity : x)) }, /m\[3\] is Infinity: moments must be finite/],
    [{ ...good, v: good.v.map((x, i) => (i === 2 ? -1 : x)) }, /v\[2\] is -1: second moments must be finite and >= 0/],
    [{ ...good, steps: 0 }, /beta powers must be 1 at step 0/],
  ];
  for (const [state, message] of cases) {
    assert.throws(() => model.importOptimizerState(state), (e) => e.code === 'BAD_ARGUMENT' && message.test(e.message), String(message));
    assert.deepEqual(model.exportOptimizerState(), good, `unchanged after ${message}`);
  }
  model.dispose();
  assert.throws(() => model.exportOptimizerState(), { code: 'DISPOSED' });
});
