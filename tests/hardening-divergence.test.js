// Divergence through the friendly layer (issue 6): an absurd learning rate makes the loss or a
// gradient non-finite; Translator#train (and TranslatorWorker#train) must stop with an Error of
// code DIVERGED that names the step, and the model must hold the weights of the last finite step
// and keep working. The low-level Seq2Seq's trainStep does the same (last tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq, Translator, TranslatorWorker, tasks } from '../lib/index.js';
import { makeBatch } from './helpers/reverse.js';
import { divergedError, weightsUsable } from '../lib/session.js';

const data = tasks.reverse({ seed: 4, trainSize: 64, testSize: 0, minLength: 2, maxLength: 6, alphabet: 'abcdef' });
const MODEL = { embed: 8, hidden: 16, attentionSize: 16, seed: 5 };

for (const [cell, attention] of [['gru', 'additive'], ['lstm', 'dot'], ['rnn', 'none']]) {
  test(`${cell}+${attention}: train with learningRate 1e30 stops with DIVERGED naming the step; the last finite weights are kept`, async () => {
    const model = await Translator.create({ pairs: data.train, ...MODEL, cell, attention });
    try {
      await model.train(data.train, { steps: 3, batchSize: 16 }); // some history first
      const stepsBefore = model.stepCount;
      let lastGood = model.save();
      let error;
      try {
        // clipNorm 0: nothing tames the update; each successful step's weights are kept as lastGood
        await model.train(data.train, {
          steps: 50, batchSize: 16, learningRate: 1e30, clipNorm: 0,
          onProgress: () => { lastGood = model.save(); },
        });
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof Error, 'a learning rate of 1e30 must diverge within 50 steps');
      assert.equal(error.code, 'DIVERGED');
      const named = Number(error.message.match(/diverged at step (\d+)/)?.[1]);
      assert.equal(named, error.step, `the message names the step: ${error.message}`);
      assert.match(error.message, /lower learningRate \(it was 1e\+30\)/);
      // lr 1e30 makes the first step's weights ~1e30: finite, but the next forward pass overflows,
      // so the kept weights are no start for a lower rate, and the advice says so
      assert.equal(error.weightsUsable, false);
      assert.match(error.message, /cannot continue from them: start again from a fresh model/);
      assert.equal(error.report.steps, error.step - 1, 'the report counts the steps that succeeded');
      assert.equal(model.stepCount, stepsBefore + error.step - 1, 'no Adam step was taken for the diverging batch');
      assert.deepEqual(model.save(), lastGood, 'the weights are those of the last finite step');
      // the model still works: it translates, saves a file that loads (loading refuses non-finite
      // weights), and training on either works or stops the same clean way (the kept weights are
      // finite but may be ~1e30, so even a sane rate can overflow), never leaving garbage behind
      assert.equal(typeof model.translate('abc').text, 'string');
      const reloaded = await Translator.load(model.save());
      reloaded.dispose();
      const kept = model.save();
      try {
        const report = await model.train(data.train, { steps: 2, batchSize: 16, learningRate: 1e-3 });
        assert.ok(Number.isFinite(report.loss));
      } catch (e) {
        assert.equal(e.code, 'DIVERGED');
        assert.equal(e.step, 1);
        assert.deepEqual(model.save(), kept);
      }
    } finally {
      model.dispose();
    }
  });
}

test('TranslatorWorker#train surfaces DIVERGED with the step and keeps the last finite weights', { timeout: 60000 }, async () => {
  const remote = await TranslatorWorker.create({ pairs: data.train, ...MODEL });
  try {
    let error;
    try {
      await remote.train(data.train, { steps: 50, batchSize: 16, learningRate: 1e30, clipNorm: 0 });
    } catch (e) {
      error = e;
    }
    assert.ok(error, 'must diverge');
    assert.equal(error.code, 'DIVERGED');
    assert.equal(Number(error.message.match(/diverged at step (\d+)/)?.[1]), error.step);
    assert.equal(error.weightsUsable, false, 'the worker forwards whether the kept weights are usable (the page advises Reset)');
    // the same run on this thread diverges at the same step with the same kept weights
    const local = await Translator.create({ pairs: data.train, ...MODEL });
    try {
      await assert.rejects(local.train(data.train, { steps: 50, batchSize: 16, learningRate: 1e30, clipNorm: 0 }),
        (e) => e.code === 'DIVERGED' && e.step === error.step);
      const bytes = await remote.save();
      assert.deepEqual(bytes, local.save(), 'the worker kept the same (last finite) weights');
      const reloaded = await Translator.load(bytes); // loading refuses non-finite weights
      assert.equal(typeof reloaded.translate('abc').text, 'string');
      reloaded.dispose();
    } finally {
      local.dispose();
    }
  } finally {
    await remote.dispose();
  }
});

test('train: weights that overflow the logits diverge on the first step with advice, keeping the weights', async () => {
  const model = await Translator.create({ pairs: data.train, ...MODEL });
  try {
    // Output weights near the float32 maximum overflow the logits to Inf on the first step.
    const shape = model.core.getParameter('out.weight').data.length;
    model.core.setParameter('out.weight', new Float32Array(shape).fill(3e38));
    const before = model.core.getParameter('enc.embed').data;
    let error;
    try {
      await model.train(data.train, { steps: 5, batchSize: 16 });
    } catch (e) {
      error = e;
    }
    assert.ok(error, 'training with overflowing weights must diverge');
    assert.equal(error.code, 'DIVERGED');
    assert.equal(error.weightsUsable, false);
    assert.match(error.message, /overflow too .* start again from a fresh model \(Translator\.create\) or a saved one, with a lower learningRate/);
    assert.equal(error.step, 1);
    assert.equal(error.report.steps, 0);
    assert.deepEqual(model.core.getParameter('enc.embed').data, before, 'the weights are those before the step');
  } finally {
    model.dispose();
  }
});

test('Seq2Seq#trainStep: divergence stops with an Error naming the step and keeps the last finite weights', async () => {
  const good = makeBatch([[[4, 5, 6], [6, 5, 4]], [[7], [7]]]);
  const m = await Seq2Seq.create({ cell: 'gru', attention: 'additive', embed: 8, hidden: 8, srcVocabSize: 12, tgtVocabSize: 12, seed: 1 });
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

test('weightsUsable: true for weights with a finite loss and gradients, false once they overflow; the advice follows it', async () => {
  const model = await Translator.create({ pairs: data.train, ...MODEL });
  try {
    const batch = makeBatch([[[4, 5, 6], [6, 5, 4]]]);
    assert.equal(weightsUsable(model.core, [batch]), true);
    const usable = divergedError({ step: 3, learningRate: 0.5, weightsUsable: true, report: null });
    assert.equal(usable.code, 'DIVERGED');
    assert.match(usable.message, /the weights are those from before that step: lower learningRate \(it was 0\.5\) or set clipNorm$/);
    assert.doesNotMatch(usable.message, /fresh model/);
    const shape = model.core.getParameter('out.weight').data.length;
    model.core.setParameter('out.weight', new Float32Array(shape).fill(3e38));
    assert.equal(weightsUsable(model.core, [batch]), false);
  } finally {
    model.dispose();
  }
});
