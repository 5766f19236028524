// The low-level door data-parallel training goes through (issue 9): gradientSums returns SUMS
// (not means) and applyGradientSums takes one clipped Adam step from sums computed elsewhere.
// Checked against independent things: trainStep (the two together must equal it bit for bit,
// on both builds and every cell/attention kind), lossAndGradients (sums / count = the means that
// core-gradients.test.js checks against finite differences), additivity over a batch split in
// two, and the divergence guard and argument checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/core.js';
import { makeBatch, randomSequence } from './helpers/reverse.js';
import { createRandom } from '../lib/random.js';

const rng = (seed) => createRandom(seed).next;

const SIZES = { embed: 6, hidden: 8, attentionSize: 5, srcVocabSize: 12, tgtVocabSize: 12 };

function pairsOf(random, count) {
  return Array.from({ length: count }, () => {
    const s = randomSequence(random, 1, 7, 8);
    return [s, s.slice().reverse()];
  });
}

const bytesEqual = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

for (const backend of ['simd', 'scalar'])
  for (const [cell, attention] of [['gru', 'additive'], ['lstm', 'dot'], ['rnn', 'none']])
    test(`trainStep equals gradientSums + applyGradientSums bit for bit: ${cell}/${attention} on ${backend}`, async () => {
      const a = await Seq2Seq.create({ cell, attention, ...SIZES, seed: 5, backend });
      const b = await Seq2Seq.load(a.save(), { backend });
      const random = rng(21);
      for (let step = 0; step < 6; step++) {
        const batch = makeBatch(pairsOf(random, 5));
        const options = { learningRate: step < 3 ? 0.05 : 0.002, clipNorm: step % 2 ? 0.1 : 5 };
        const lossA = a.trainStep(batch, options).loss;
        const g = b.gradientSums(batch);
        const lossB = b.applyGradientSums(g.gradients, { count: g.count, lossSum: g.lossSum, ...options }).loss;
        assert.equal(lossB, lossA, `step ${step}: loss`);
        assert.ok(bytesEqual(a.readWeights(), b.readWeights()), `step ${step}: the weights differ`);
      }
      assert.equal(b.stepCount, a.stepCount);
      assert.ok(bytesEqual(a.save(), b.save()));
      a.dispose();
      b.dispose();
    });

test('gradientSums are sums: / count gives lossAndGradients, and two halves add up to the whole', async () => {
  const model = await Seq2Seq.create({ cell: 'gru', attention: 'additive', ...SIZES, seed: 2, backend: 'simd' });
  const pairs = pairsOf(rng(4), 6);
  const whole = model.gradientSums(makeBatch(pairs));
  const mean = model.lossAndGradients(makeBatch(pairs));
  const tokens = pairs.reduce((s, [, t]) => s + t.length + 1, 0);
  assert.equal(whole.count, tokens);
  assert.ok(Math.abs(whole.lossSum / whole.count - mean.loss) < 1e-5 * Math.abs(mean.loss));
  const flatMean = Float32Array.from(model.parameterNames().flatMap((n) => Array.from(mean.gradients[n])));
  assert.equal(whole.gradients.length, model.parameterCount);
  assert.equal(flatMean.length, model.parameterCount);
  let worst = 0, scale = 0;
  for (let i = 0; i < flatMean.length; i++) {
    worst = Math.max(worst, Math.abs(whole.gradients[i] / whole.count - flatMean[i]));
    scale = Math.max(scale, Math.abs(flatMean[i]));
  }
  assert.ok(scale > 1e-3 && worst <= 1e-5 * scale, `sums / count differ from the means by ${worst} (largest ${scale})`);

  const first = model.gradientSums(makeBatch(pairs.slice(0, 2)));
  const second = model.gradientSums(makeBatch(pairs.slice(2)), { into: new Float32Array(model.parameterCount) });
  assert.equal(first.count + second.count, whole.count);
  assert.ok(Math.abs(first.lossSum + second.lossSum - whole.lossSum) < 1e-4 * whole.lossSum);
  let miss = 0, big = 0;
  for (let i = 0; i < flatMean.length; i++) {
    miss = Math.max(miss, Math.abs(first.gradients[i] + second.gradients[i] - whole.gradients[i]));
    big = Math.max(big, Math.abs(whole.gradients[i]));
  }
  assert.ok(miss <= 1e-5 * big, `halves add up to the whole within ${miss} (largest ${big})`);
  model.dispose();
});

for (const backend of ['simd', 'scalar'])
  test(`the accumulator (in the module) adds like float32 additions in JS, bit for bit, and applyAccumulated like applyGradientSums: ${backend}`, async () => {
    const a = await Seq2Seq.create({ cell: 'gru', attention: 'additive', ...SIZES, seed: 6, backend });
    const b = await Seq2Seq.load(a.save(), { backend });
    const random = rng(12);
    for (let step = 0; step < 3; step++) {
      const shards = [3, 2, 4, 1].map((n) => makeBatch(pairsOf(random, n)));
      // a: every shard's sums copied out and added in JS, in shard order
      const total = new Float32Array(a.parameterCount);
      let lossSum = 0, count = 0;
      shards.forEach((shard, k) => {
        const r = a.gradientSums(shard);
        if (k === 0) total.set(r.gradients);
        else for (let i = 0; i < total.length; i++) total[i] += r.gradients[i];
        lossSum += r.lossSum;
        count += r.count;
      });
      const ra = a.applyGradientSums(total, { count, lossSum, learningRate: 0.01 });
      // b: shards 0 and 1 accumulated inside, 2 and 3 computed "elsewhere" (a replica) and added
      const replica = await Seq2Seq.load(b.save(), { backend });
      let lb = 0, cb = 0;
      shards.forEach((shard, k) => {
        const r = k < 2 ? b.accumulateGradientSums(shard, { first: k === 0 }) : replica.gradientSums(shard);
        if (k >= 2) b.accumulateGradients(r.gradients);
        lb += r.lossSum;
        cb += r.count;
      });
      replica.dispose();
      const rb = b.applyAccumulated({ count: cb, lossSum: lb, learningRate: 0.01 });
      assert.equal(rb.loss, ra.loss);
      assert.ok(bytesEqual(a.readWeights(), b.readWeights()), `step ${step}: the weights differ`);
    }
    assert.ok(bytesEqual(a.save(), b.save()));
    // misuse is refused with a clear error, and the accumulator's memory is never trained on unstarted
    assert.throws(() => b.accumulateGradients(new Float32Array(3), { first: true }), { code: 'BAD_ARGUMENT', message: /accumulateGradients: sums/ });
    assert.throws(() => b.accumulateGradients(new Float32Array(b.parameterCount)), { code: 'BAD_ARGUMENT', message: /^accumulateGradients: the accumulator holds no sums to add to: start it with \{ first: true \}$/ });
    assert.throws(() => b.accumulateGradientSums(makeBatch(pairsOf(rng(4), 2))), { code: 'BAD_ARGUMENT', message: /^accumulateGradientSums: the accumulator holds no sums/ });
    assert.throws(() => b.applyAccumulated({ count: 1, lossSum: 0 }), { code: 'BAD_ARGUMENT', message: /^applyAccumulated: nothing was accumulated/ });
    assert.throws(() => b.accumulateGradients(new Float32Array(b.parameterCount), { frist: true }), { code: 'BAD_ARGUMENT', message: /unknown option 'frist' for accumulateGradients/ });
    assert.throws(() => b.accumulateGradients(new Float32Array(b.parameterCount), { first: 1 }), { code: 'BAD_ARGUMENT', message: /first must be true or false, got number/ });
    a.dispose();
    b.dispose();
  });

test('applyGradientSums keeps the weights when the sums are not finite, and checks its arguments', async () => {
  const model = await Seq2Seq.create({ cell: 'lstm', attention: 'dot', ...SIZES, seed: 9 });
  const batch = makeBatch(pairsOf(rng(8), 3));
  const g = model.gradientSums(batch);
  const before = model.save();
  const bad = g.gradients.slice();
  bad[7] = NaN;
  assert.throws(() => model.applyGradientSums(bad, { count: g.count, lossSum: g.lossSum }), (e) => e.code === 'DIVERGED' && e.step === 1);
  assert.throws(() => model.applyGradientSums(g.gradients, { count: g.count, lossSum: Infinity }), (e) => e.code === 'DIVERGED');
  assert.ok(bytesEqual(model.save(), before), 'a refused step changed the model');
  assert.equal(model.stepCount, 0);
  const cases = [
    [g.gradients.slice(1), { count: 3, lossSum: 1 }, /parameters/],
    [Array.from(g.gradients), { count: 3, lossSum: 1 }, /Float32Array/],
    [g.gradients, { count: 0, lossSum: 1 }, /count/],
    [g.gradients, { count: 2.5, lossSum: 1 }, /count/],
    [g.gradients, { lossSum: 1 }, /count/],
    [g.gradients, { count: 3 }, /lossSum/],
    [g.gradients, { count: 3, lossSum: 1, learningRate: -1 }, /learningRate/],
    [g.gradients, { count: 3, lossSum: 1, momentum: 1 }, /unknown option/],
  ];
  for (const [sums, options, message] of cases)
    assert.throws(() => model.applyGradientSums(sums, options), (e) => e.code && message.test(e.message), String(message));
  assert.throws(() => model.gradientSums(batch, { into: new Float32Array(3) }), /parameters/);
  assert.throws(() => model.writeWeights(new Float32Array(model.parameterCount).fill(NaN)), /finite/);
  for (const [at, bad] of [[0, NaN], [model.parameterCount - 1, Infinity], [5, -Infinity]]) {
    const w = model.readWeights();
    w[at] = bad;
    assert.throws(() => model.writeWeights(w), new RegExp(`value ${at} is not a finite number`));
  }
  // a step that works afterwards: the model is intact
  const ok = model.applyGradientSums(g.gradients, { count: g.count, lossSum: g.lossSum });
  assert.ok(Number.isFinite(ok.loss));
  assert.equal(model.stepCount, 1);
  model.dispose();
  assert.throws(() => model.gradientSums(batch), (e) => e.code === 'DISPOSED');
});
