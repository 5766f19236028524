// Gradients through the public door, lossAndGradients, in float32 WebAssembly: for each of the 9
// cell x attention combinations, on a batch with padded sources and padded targets, every
// parameter tensor's gradient is compared with central finite differences of the loss.
//
// Keeping float32 noise from hiding errors: the exact element-by-element check (1e-6 relative,
// reached ~3e-8) runs in the double-precision native build (tests/c/test_gradients.c). Here, in
// float32, single elements' differences drown in rounding (loss ulp 2.4e-7 / 2h), so each tensor is
// checked along whole directions, where the signal is the full gradient norm: along the gradient
// itself (the numeric slope must equal ||g||) and along two random +-1 directions, with
// |numeric - analytic| <= 2e-2 ||g|| + 2e-4 (h = 1e-2 on a unit direction). A wrong gradient (a
// missing term, a wrong sign, a transposed index) misses by a large fraction of ||g||.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';
import { makeBatch } from './helpers/reverse.js';

const batch = makeBatch([
  [[4, 5, 6, 7, 8], [8, 7, 6, 5]],
  [[6, 4], [4, 6, 5]],
  [[5], [5]],
]);

for (const cell of ['rnn', 'gru', 'lstm'])
  for (const attention of ['none', 'additive', 'dot'])
    test(`gradients of every parameter match finite differences: ${cell} x ${attention}`, async () => {
      const model = await Seq2Seq.create({ cell, attention, embed: 4, hidden: 5, attentionSize: 4, srcVocabSize: 9, tgtVocabSize: 9, seed: 3, backend: 'simd' });
      const { gradients } = model.lossAndGradients(batch);
      const h = 1e-2;
      const random = createRandom(11).next;
      for (const name of model.parameterNames()) {
        const { data } = model.getParameter(name);
        const g = gradients[name];
        const gnorm = Math.hypot(...g);
        const directions = [g.map((x) => x / (gnorm || 1))];
        for (let k = 0; k < 2; k++) {
          const r = Float32Array.from(g, () => (random() < 0.5 ? -1 : 1));
          directions.push(r.map((x) => x / Math.sqrt(r.length)));
        }
        for (const [k, d] of directions.entries()) {
          const shifted = (sign) => {
            model.setParameter(name, data.map((x, i) => x + sign * h * d[i]));
            return model.loss(batch);
          };
          const numeric = (shifted(1) - shifted(-1)) / (2 * h);
          const analytic = d.reduce((s, x, i) => s + x * g[i], 0);
          assert.ok(Math.abs(numeric - analytic) <= 2e-2 * gnorm + 2e-4,
            `${cell} x ${attention}: ${name}, direction ${k}: numeric ${numeric} vs analytic ${analytic} (|g| ${gnorm})`);
        }
        model.setParameter(name, data);
      }
      // the decoder embedding of PAD is only ever fed after a target ended: no gradient reaches it
      assert.ok(gradients['dec.embed'].slice(0, 4).every((g) => g === 0));
      model.dispose();
    });

test('setParameter changes exactly that parameter, and getParameter returns copies', async () => {
  const m = await Seq2Seq.create({ cell: 'gru', attention: 'additive', embed: 8, hidden: 8, srcVocabSize: 12, tgtVocabSize: 12, seed: 1 });
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
