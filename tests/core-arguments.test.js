// Bad arguments to each contract call throw Errors whose messages say what to do, and the model
// stays usable afterwards; a disposed model refuses every call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/core.js';
import { makeBatch } from './helpers/reverse.js';

const base = { cell: 'gru', attention: 'additive', embed: 8, hidden: 8, srcVocabSize: 12, tgtVocabSize: 12, seed: 1 };
const good = makeBatch([[[4, 5, 6], [6, 5, 4]], [[7], [7]]]);

test('create rejects unknown cells, attentions, backends, options and bad sizes', async () => {
  const cases = [
    [{ ...base, cell: 'transformer' }, /unknown cell "transformer"/],
    [{ ...base, attention: 'multihead' }, /unknown attention "multihead"/],
    [{ ...base, backend: 'gpu' }, /unknown backend "gpu"/],
    [{ ...base, hiddenSize: 8 }, /unknown option 'hiddenSize'/],
    [{ ...base, hidden: 0 }, /hidden must be between 1/],
    [{ ...base, hidden: 1.5 }, /hidden must be an integer/],
    [{ ...base, hidden: '64' }, /hidden must be an integer/],
    [{ ...base, hidden: 5000 }, /hidden size 5000 is out of range/],
    [{ ...base, embed: 2 ** 40 }, /embed must be between/],
    [{ ...base, srcVocabSize: 3 }, /source vocabulary size 3 is out of range/],
    [{ ...base, tgtVocabSize: undefined }, /tgtVocabSize must be an integer/],
    [{ ...base, srcVocabSize: 65536, tgtVocabSize: 65536, embed: 1024, hidden: 1024 }, /parameters, more than the limit/],
    [{ ...base, scale: 'yes' }, /scale must be true or false/],
    [{ ...base, seed: -1 }, /seed must be between 0 and 4294967295/],
  ];
  for (const [options, pattern] of cases) await assert.rejects(Seq2Seq.create(options), pattern);
  await assert.rejects(Seq2Seq.create(), /needs an options object/);
  await assert.rejects(Seq2Seq.create('gru'), /must be an object/);
});

test('batches with mismatched lengths, bad token ids or bad lengths are refused; the model stays usable', async () => {
  const m = await Seq2Seq.create(base);
  const cases = [
    [{ ...good, src: good.src.slice(1) }, /src has 5 entries; batchSize 2, srcLength 3 and tgtLength 4 need 6/],
    [{ ...good, tgtOut: [1, 2] }, /tgtOut has 2 entries/],
    [{ ...good, src: Int32Array.from(good.src, (x, i) => (i === 2 ? 12 : x)) }, /src\[2\] = 12 is not a token id of the source vocabulary \(0\.\.11\)/],
    [{ ...good, tgtIn: Int32Array.from(good.tgtIn, (x, i) => (i === 1 ? -3 : x)) }, /tgtIn\[1\] = -3/],
    [{ ...good, srcLengths: new Int32Array([3, 4]) }, /srcLengths\[1\] = 4: it must be between 1 and 3/],
    [{ ...good, srcLengths: new Int32Array([3, 0]) }, /srcLengths\[1\] = 0/],
    [{ ...good, tgtOut: new Int32Array(8) }, /only PAD/],
    [{ ...good, batchSize: 0 }, /batchSize must be between 1/],
    [{ ...good, src: 'abc' }, /src must be an Int32Array/],
    [{ ...good, src: [4, 5, 6.5, 7, 0, 0] }, /src\[2\] must be an integer token id/],
    [null, /the batch must be an object/],
  ];
  for (const [batch, pattern] of cases) {
    assert.throws(() => m.lossAndGradients(batch), pattern);
    assert.throws(() => m.trainStep(batch), pattern);
  }
  assert.throws(() => m.trainStep(good, { learningRate: -1 }), /learningRate must be a number > 0/);
  assert.throws(() => m.trainStep(good, { learningRate: NaN }), /learningRate must be a number > 0/);
  assert.throws(() => m.trainStep(good, { clipNorm: -1 }), /clipNorm must be between 0/);
  assert.throws(() => m.trainStep(good, { lr: 0.1 }), /unknown option 'lr'/);
  assert.ok(Number.isFinite(m.trainStep(good).loss), 'the model still trains after refused calls');
  m.dispose();
});

test('translateTokens, parameters and metadata refuse bad input', async () => {
  const m = await Seq2Seq.create(base);
  assert.throws(() => m.translateTokens(new Int32Array([4, 99])), /source token 99 at position 1 is not a token id \(0\.\.11\)/);
  assert.throws(() => m.translateTokens(new Int32Array(0)), /srcIds is empty/);
  assert.throws(() => m.translateTokens('hello'), /srcIds must be an Int32Array/);
  assert.throws(() => m.translateTokens([4], { beam: 0 }), /beam must be between 1/);
  assert.throws(() => m.translateTokens([4], { beam: 65 }), /beam 65 is larger than the limit of 64/);
  assert.throws(() => m.translateTokens([4], { beam: 2, nBest: 3 }), /nBest 3 must be between 1 and the beam width 2/);
  assert.throws(() => m.translateTokens([4], { maxLength: 0 }), /maxLength must be between 1/);
  assert.throws(() => m.translateTokens([4], { maxLength: 5000 }), /maxLength 5000 is out of range/);
  assert.throws(() => m.translateTokens([4], { lengthPenalty: -1 }), /lengthPenalty must be between 0 and 10/);
  assert.throws(() => m.translateTokens([4], { temperature: 1 }), /unknown option 'temperature'/);
  assert.throws(() => m.getParameter('enc.weight'), /unknown parameter 'enc.weight': this model has enc.embed, /);
  assert.throws(() => m.setParameter('out.bias', new Float32Array(3)), /setParameter\('out.bias'\) needs 12 values, got 3/);
  assert.throws(() => m.setParameter('out.bias', new Float32Array(12).fill(NaN)), /not a finite number/);
  assert.throws(() => m.setParameter('out.bias', 'zeros'), /needs a Float32Array/);
  assert.throws(() => m.setMetadata('text'), /setMetadata needs a Uint8Array/);
  assert.throws(() => m.setMetadata(new Uint8Array(17 << 20)), /metadata of 17825792 bytes is larger than the limit/);
  assert.equal(m.translateTokens([4, 5]).tokens.length > 0, true, 'still usable');
  m.dispose();
});

test('setParameter changes exactly that parameter, and getParameter returns copies', async () => {
  const m = await Seq2Seq.create(base);
  const p = m.getParameter('out.bias');
  assert.deepEqual(p.shape, [12]);
  p.data.fill(7);
  assert.notEqual(m.getParameter('out.bias').data[0], 7);
  m.setParameter('out.bias', p.data);
  assert.equal(m.getParameter('out.bias').data[5], 7);
  assert.deepEqual(m.getParameter('dec.weight_ih').shape, [24, 16]);
  assert.deepEqual(m.getParameter('out.weight').shape, [12, 16]);
  m.dispose();
});

test('divergence stops training with an Error naming the step and keeps the last finite weights', async () => {
  const m = await Seq2Seq.create(base);
  m.trainStep(good, { learningRate: 0.01 });
  let error;
  let before;
  for (let i = 0; i < 20 && !error; i++) {
    before = m.save();
    try {
      m.trainStep(good, { learningRate: 1e30, clipNorm: 0 });
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error, 'a learning rate of 1e30 should diverge');
  assert.equal(error.code, 'DIVERGED');
  assert.match(error.message, /diverged at step \d+/);
  assert.equal(error.step, m.stepCount + 1);
  assert.deepEqual(m.save(), before, 'the weights are those before the failed step');
  m.dispose();
});

test('a disposed model refuses every call', async () => {
  const m = await Seq2Seq.create(base);
  m.dispose();
  m.dispose(); // twice is harmless
  for (const call of [() => m.parameterNames(), () => m.getParameter('out.bias'), () => m.lossAndGradients(good),
    () => m.trainStep(good), () => m.translateTokens([4]), () => m.save(), () => m.config, () => m.traceTokens([4])])
    assert.throws(call, (e) => e.code === 'DISPOSED' && /disposed/.test(e.message));
});
