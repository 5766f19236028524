// Learning works through the contract. (1) A GRU with additive attention learns to reverse
// sequences of length 5-12 over 10 symbols to >= 99 % exact match on 200 held-out sequences within
// a budget of 600 steps of 64 (it usually gets there in 300). (2) At lengths 30-40, with the same
// budget for both, attention beats plain seq2seq (`none`) by a wide margin in held-out loss:
// the encoder's last state cannot carry 30-40 symbols, attention looks them up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';
import { reverseBatch, randomSequence, reverseAccuracy } from './helpers/reverse.js';

const config = { cell: 'gru', embed: 32, hidden: 64, attentionSize: 64, srcVocabSize: 14, tgtVocabSize: 14, seed: 1 };

test('GRU + additive attention learns to reverse sequences of length 5-12 to >= 99% held-out exact match', async (t) => {
  const model = await Seq2Seq.create({ ...config, attention: 'additive' });
  const train = createRandom(1).next, held = createRandom(1000).next;
  const test = Array.from({ length: 200 }, () => randomSequence(held, 5, 12, 10));
  let accuracy = 0, steps = 0;
  while (steps < 600 && accuracy < 0.99) {
    for (let i = 0; i < 100; i++, steps++) model.trainStep(reverseBatch(train, 64, 5, 12, 10), { learningRate: 0.003, clipNorm: 5 });
    accuracy = reverseAccuracy(model, test);
    t.diagnostic(`step ${steps}: held-out exact match ${(100 * accuracy).toFixed(1)}%`);
  }
  assert.ok(accuracy >= 0.99, `exact match ${accuracy} after ${steps} steps`);
  model.dispose();
});

test('at lengths 30-40 attention beats no attention by a wide margin (same budget)', async (t) => {
  // Both models: GRU, embed 16, hidden 32, 1000 Adam steps of 32 sequences of length 30-40, lr 0.005.
  // Measured: held-out loss per token; with attention it falls to ~0.1-0.3, without it stays ~1.6.
  // At this learning rate the loss has spikes (seed 2 after issue 9's reordered gradient sums:
  // 0.10 at step 900, 2.05 at step 1000, back down after), so each model is scored by its best
  // held-out loss at steps 800, 900 and 1000, as early stopping would keep.
  const held = makeHeld();
  const loss = {};
  for (const attention of ['additive', 'none']) {
    const model = await Seq2Seq.create({ ...config, embed: 16, hidden: 32, attentionSize: 32, attention });
    const train = createRandom(2).next;
    loss[attention] = Infinity;
    for (let s = 1; s <= 1000; s++) {
      model.trainStep(reverseBatch(train, 32, 30, 40, 10), { learningRate: 0.005, clipNorm: 5 });
      if (s >= 800 && s % 100 === 0) loss[attention] = Math.min(loss[attention], model.loss(held));
    }
    t.diagnostic(`${attention}: best held-out loss ${loss[attention].toFixed(3)} nats/token at steps 800-1000 (batches of 32)`);
    model.dispose();
  }
  assert.ok(loss.none > 1.0, `without attention the loss fell to ${loss.none}: the test no longer shows the point`);
  assert.ok(loss.additive < 0.5 * loss.none, `attention ${loss.additive} vs none ${loss.none}`);
});

function makeHeld() {
  const held = createRandom(2000).next;
  return reverseBatch(held, 64, 30, 40, 10);
}
