// Determinism across runtimes and builds (issue 6):
//  - the same seed and data give bitwise-identical weights after 200 Adam steps in Node (SIMD) and
//    in headless Chromium (SIMD), for three cell x attention pairs: the SHA-256 of model.save()
//    must be equal (the page is opened through tests/web-harness.js, the run executes in its origin);
//  - the SIMD and scalar builds agree to 1e-5: on the same weights (the SIMD run's, loaded into
//    the scalar build) the loss agrees to 1e-5 relative and every gradient tensor to 1e-5 of its
//    norm. Over 200 Adam steps the two trajectories drift further apart (Adam divides by sqrt(v),
//    so rounding differences in near-zero gradients become lr-sized steps), so after 200 steps
//    the losses are held to 1e-4 and the weights to 1e-3: over data seeds 5-10 the gru+additive
//    weights drifted 5e-6 to 2.5e-4 before issue 9 and 9e-6 to 3.2e-4 after it (gradient sums
//    divided once instead of means), so 1e-4 was one unlucky seed from failing either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';
import { trainAndHash } from './helpers/determinism.js';
import { openPage, browserSkipReason } from './web-harness.js';

const STEPS = 200;
const PAIRS = [['gru', 'additive'], ['lstm', 'dot'], ['rnn', 'none']];
const configOf = (cell, attention) => ({ cell, attention, embed: 16, hidden: 32, attentionSize: 32, srcVocabSize: 14, tgtVocabSize: 14, seed: 11 });
const coreUrl = new URL('../lib/core.js', import.meta.url).href;

const node = new Map();
async function nodeRun(cell, attention, backend) {
  const key = `${cell}/${attention}/${backend}`;
  if (!node.has(key)) node.set(key, await trainAndHash({ coreUrl, config: configOf(cell, attention), steps: STEPS, backend, dataSeed: 5 }));
  return node.get(key);
}

test('200 steps give bitwise-identical weights in Node and in headless Chromium (SHA-256 of save())', { skip: browserSkipReason(), timeout: 180000 }, async () => {
  const session = await openPage();
  try {
    const pageCore = new URL('lib/core.js', session.url).href; // the built site, under its sub-path
    for (const [cell, attention] of PAIRS) {
      const inNode = await nodeRun(cell, attention, 'simd');
      const inPage = await session.page.evaluate(trainAndHash, { coreUrl: pageCore, config: configOf(cell, attention), steps: STEPS, backend: 'simd', dataSeed: 5 });
      assert.equal(inNode.backend, 'simd');
      assert.equal(inPage.backend, 'simd');
      assert.equal(inPage.losses.length, STEPS);
      assert.ok(inNode.losses[STEPS - 1] < inNode.losses[0], 'the model learned something (the run is not trivial)');
      console.log(`# ${cell}+${attention} after ${STEPS} steps: sha256 ${inNode.sha256} (Node), ${inPage.sha256} (Chromium)`);
      assert.equal(inPage.sha256, inNode.sha256, `${cell}+${attention}: weights differ between Node and Chromium`);
      assert.deepEqual(inPage.losses, inNode.losses);
    }
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await session.close();
  }
});

test('the same run twice in Node gives the same checksum, and another seed a different one', async () => {
  const a = await nodeRun('gru', 'additive', 'simd');
  const b = await trainAndHash({ coreUrl, config: configOf('gru', 'additive'), steps: STEPS, backend: 'simd', dataSeed: 5 });
  assert.equal(b.sha256, a.sha256);
  const c = await trainAndHash({ coreUrl, config: { ...configOf('gru', 'additive'), seed: 12 }, steps: STEPS, backend: 'simd', dataSeed: 5 });
  assert.notEqual(c.sha256, a.sha256, 'the checksum must depend on the weights');
});

function batchOf(seed) {
  const r = createRandom(seed).next;
  const B = 6, M = 7, N = 8;
  const src = new Int32Array(B * M), srcLengths = new Int32Array(B), tgtIn = new Int32Array(B * N), tgtOut = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const m = 1 + Math.floor(r() * M), n = 1 + Math.floor(r() * (N - 1));
    srcLengths[b] = m;
    for (let j = 0; j < m; j++) src[b * M + j] = 4 + Math.floor(r() * 10);
    tgtIn[b * N] = 1;
    for (let i = 0; i < n; i++) tgtOut[b * N + i] = tgtIn[b * N + i + 1] = 4 + Math.floor(r() * 10);
    tgtOut[b * N + n] = 2;
    tgtIn[b * N + n] = 0;
  }
  return { src, srcLengths, tgtIn, tgtOut, batchSize: B, srcLength: M, tgtLength: N };
}

for (const [cell, attention] of PAIRS) {
  test(`${cell}+${attention}: SIMD and scalar builds agree to 1e-5 on the same weights, to 1e-4 (losses) and 1e-3 (weights) after ${STEPS} steps`, async () => {
    const simd = await nodeRun(cell, attention, 'simd');
    const scalar = await nodeRun(cell, attention, 'scalar');
    assert.equal(scalar.backend, 'scalar');
    assert.equal(simd.weights.length, scalar.weights.length);
    let worstLoss = 0, worstWeight = 0;
    for (let i = 0; i < STEPS; i++) worstLoss = Math.max(worstLoss, Math.abs(simd.losses[i] - scalar.losses[i]) / Math.abs(scalar.losses[i]));
    for (let i = 0; i < simd.weights.length; i++) worstWeight = Math.max(worstWeight, Math.abs(simd.weights[i] - scalar.weights[i]) / (1 + Math.abs(scalar.weights[i])));
    console.log(`# ${cell}+${attention}: after ${STEPS} steps SIMD vs scalar: losses within ${worstLoss.toExponential(2)} relative, weights within ${worstWeight.toExponential(2)}`);
    assert.ok(worstLoss < 1e-4, `losses differ by ${worstLoss}`);
    assert.ok(worstWeight < 1e-3, `weights differ by ${worstWeight}`);

    // the trained SIMD weights, evaluated by both builds on fresh batches
    const config = configOf(cell, attention);
    const a = await Seq2Seq.create({ ...config, backend: 'simd' });
    const b = await Seq2Seq.create({ ...config, backend: 'scalar' });
    try {
      let k = 0;
      for (const name of a.parameterNames()) {
        const n = a.getParameter(name).data.length;
        const data = Float32Array.from(simd.weights.slice(k, k + n));
        k += n;
        a.setParameter(name, data);
        b.setParameter(name, data);
      }
      assert.equal(k, simd.weights.length);
      for (const seed of [1, 2, 3]) {
        const batch = batchOf(seed);
        const ga = a.lossAndGradients(batch), gb = b.lossAndGradients(batch);
        assert.ok(Math.abs(ga.loss - gb.loss) <= 1e-5 * Math.abs(gb.loss), `loss ${ga.loss} vs ${gb.loss}`);
        for (const name of Object.keys(gb.gradients)) {
          const x = ga.gradients[name], y = gb.gradients[name];
          let diff = 0, norm = 0;
          for (let i = 0; i < y.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
            norm += y[i] * y[i];
          }
          assert.ok(diff <= 1e-5 * Math.max(Math.sqrt(norm), 1e-3), `${name}: gradients differ by ${diff} (norm ${Math.sqrt(norm)})`);
        }
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });
}
