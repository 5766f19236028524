// Decoding through the contract: beam width 1 equals greedy; a wider beam never returns a best
// hypothesis that scores lower than greedy's; n-best lists are sorted; attention rows are
// distributions over the source; the trace agrees with translateTokens and with the loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';
import { reverseBatch, randomSequence, makeBatch } from './helpers/reverse.js';

async function trainedModel(cell, attention) {
  const m = await Seq2Seq.create({ cell, attention, embed: 16, hidden: 32, srcVocabSize: 14, tgtVocabSize: 14, seed: 2 });
  const random = createRandom(8).next;
  for (let s = 0; s < 60; s++) m.trainStep(reverseBatch(random, 32, 3, 10, 10), { learningRate: 0.005 });
  return m;
}

const score = (logProb, length, alpha) => (alpha === 0 ? logProb : logProb / length ** alpha);

for (const [cell, attention] of [['gru', 'additive'], ['lstm', 'dot'], ['rnn', 'none']])
  test(`beam 1 equals greedy and wider beams never score lower: ${cell} x ${attention}`, async () => {
    const m = await trainedModel(cell, attention);
    const random = createRandom(21).next;
    for (let i = 0; i < 8; i++) {
      const src = new Int32Array(randomSequence(random, 3, 10, 10));
      const greedy = m.translateTokens(src);
      const beam1 = m.translateTokens(src, { beam: 1 });
      assert.deepEqual(beam1.tokens, greedy.tokens);
      for (const alpha of [0, 0.6, 1]) {
        const g = score(greedy.logProb, greedy.tokens.length, alpha);
        for (const beam of [2, 3, 5, 8]) {
          const out = m.translateTokens(src, { beam, nBest: Math.min(3, beam), lengthPenalty: alpha });
          assert.ok(out.score >= g - 1e-5, `beam ${beam} alpha ${alpha}: ${out.score} < greedy ${g}`);
          assert.ok(out.hypotheses.length >= 1 && out.hypotheses.length <= Math.min(3, beam));
          for (let r = 1; r < out.hypotheses.length; r++) assert.ok(out.hypotheses[r].score <= out.hypotheses[r - 1].score);
          for (const h of out.hypotheses) {
            assert.ok(Math.abs(h.score - score(h.logProb, h.tokens.length, alpha)) < 1e-4);
            assert.ok(h.logProb <= 0);
          }
        }
      }
      // attention rows are distributions (or all zero without attention)
      for (let t = 0; t < greedy.tokens.length; t++) {
        const row = greedy.attention.slice(t * src.length, (t + 1) * src.length);
        const sum = row.reduce((a, b) => a + b, 0);
        if (attention === 'none') assert.equal(sum, 0);
        else assert.ok(Math.abs(sum - 1) < 1e-5 && row.every((w) => w >= 0));
      }
    }
    m.dispose();
  });

test('the greedy log-probability equals the teacher-forced loss of the same output', async () => {
  const m = await trainedModel('gru', 'additive');
  const random = createRandom(5).next;
  for (let i = 0; i < 5; i++) {
    const src = randomSequence(random, 3, 10, 10);
    const out = m.translateTokens(new Int32Array(src), { maxLength: 30 });
    const tokens = Array.from(out.tokens);
    if (tokens.at(-1) !== 2) continue;
    const loss = m.loss(makeBatch([[src, tokens.slice(0, -1)]]));
    assert.ok(Math.abs(loss * tokens.length + out.logProb) < 1e-4 * tokens.length, `${loss * tokens.length} vs ${-out.logProb}`);
  }
  m.dispose();
});

test('traceTokens shows every step: scores, softmax weights, context, state, output distribution', async () => {
  const m = await trainedModel('gru', 'additive');
  const src = new Int32Array([4, 7, 9, 5, 6]);
  const trace = m.traceTokens(src);
  const plain = m.translateTokens(src);
  assert.deepEqual(trace.tokens, plain.tokens);
  assert.equal(trace.steps.length, plain.tokens.length);
  const { hidden, tgtVocabSize } = m.config;
  trace.steps.forEach((step, t) => {
    assert.equal(step.scores.length, src.length);
    assert.equal(step.context.length, hidden);
    assert.equal(step.state.length, hidden);
    assert.equal(step.probs.length, tgtVocabSize);
    // weights = softmax(scores)
    const mx = Math.max(...step.scores);
    const e = Array.from(step.scores, (s) => Math.exp(s - mx));
    const z = e.reduce((a, b) => a + b, 0);
    e.forEach((x, j) => assert.ok(Math.abs(x / z - step.weights[j]) < 1e-5));
    assert.deepEqual(step.weights, plain.attention.slice(t * src.length, (t + 1) * src.length));
    // the chosen token is the most probable one, and probabilities sum to 1
    const best = step.probs.indexOf(Math.max(...step.probs));
    assert.equal(step.token, best);
    assert.ok(Math.abs(step.probs.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  });
  const none = await Seq2Seq.create({ cell: 'gru', attention: 'none', embed: 8, hidden: 8, srcVocabSize: 14, tgtVocabSize: 14 });
  const t2 = none.traceTokens(src, { maxLength: 4 });
  assert.ok(t2.steps.length >= 1 && t2.steps.length <= 4);
  assert.equal(t2.steps[0].scores.length, 0);
  m.dispose();
  none.dispose();
});

test('maxLength cuts decoding: the output has no EOS then', async () => {
  const m = await Seq2Seq.create({ cell: 'gru', attention: 'dot', embed: 8, hidden: 8, srcVocabSize: 14, tgtVocabSize: 14, seed: 4 });
  const src = new Int32Array([4, 5, 6]);
  const bias = m.getParameter('out.bias').data;
  const withEosBias = (value) => {
    const b = bias.slice();
    b[2] = value; // EOS
    m.setParameter('out.bias', b);
  };
  for (const beam of [1, 3]) {
    // EOS never wins: every hypothesis runs to maxLength and is cut there, without an EOS
    withEosBias(-30);
    for (const maxLength of [1, 2, 5]) {
      const out = m.translateTokens(src, { beam, nBest: beam, maxLength });
      for (const h of out.hypotheses) {
        assert.equal(h.tokens.length, maxLength, `beam ${beam} maxLength ${maxLength}: cut at maxLength`);
        assert.ok(!h.tokens.includes(2), `beam ${beam} maxLength ${maxLength}: no EOS in a cut output (${h.tokens})`);
        assert.equal(h.attention.length, maxLength * src.length);
      }
    }
    if (beam === 1) assert.equal(m.traceTokens(src, { maxLength: 2 }).steps.length, 2);
    // EOS always wins: decoding stops at once with EOS, well before maxLength
    withEosBias(30);
    assert.deepEqual(Array.from(m.translateTokens(src, { beam, maxLength: 5 }).tokens), [2]);
  }
  m.dispose();
});
