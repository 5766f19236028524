// Results must not depend on what a model computed before (issue 6: "never silently give
// garbage"). The core keeps its workspaces between calls and lays a smaller batch or a shorter
// source out inside the block a larger one left behind, so stale activations are there to be
// picked up by any code that relies on zeroed memory. For every cell x attention: the loss and
// every gradient of a small batch, a training step on it, and greedy/beam/traced decoding of a
// short source must be bitwise identical on a fresh model and on a twin that first ran larger
// batches and longer sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';

function batchOf(seed, B, M, N) {
  const r = createRandom(seed).next;
  const src = new Int32Array(B * M), srcLengths = new Int32Array(B), tgtIn = new Int32Array(B * N), tgtOut = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const m = 1 + Math.floor(r() * M), n = 1 + Math.floor(r() * (N - 1));
    srcLengths[b] = m;
    for (let j = 0; j < m; j++) src[b * M + j] = 4 + Math.floor(r() * 8);
    tgtIn[b * N] = 1;
    for (let i = 0; i < n; i++) tgtOut[b * N + i] = tgtIn[b * N + i + 1] = 4 + Math.floor(r() * 8);
    tgtOut[b * N + n] = 2;
    tgtIn[b * N + n] = 0;
  }
  return { src, srcLengths, tgtIn, tgtOut, batchSize: B, srcLength: M, tgtLength: N };
}

const bits = (f32) => Array.from(new Uint32Array(f32.buffer, f32.byteOffset, f32.length));

function observe(model, small, source) {
  const { loss, gradients } = model.lossAndGradients(small);
  const out = { loss, lossOnly: model.loss(small), gradients: Object.fromEntries(Object.entries(gradients).map(([k, v]) => [k, bits(v)])) };
  const greedy = model.translateTokens(source, { maxLength: 12 });
  const beam = model.translateTokens(source, { beam: 3, nBest: 2, maxLength: 12 });
  const trace = model.traceTokens(source, { maxLength: 12 });
  out.greedy = [Array.from(greedy.tokens), bits(greedy.attention), greedy.logProb];
  out.beam = beam.hypotheses.map((h) => [Array.from(h.tokens), bits(h.attention), h.logProb]);
  out.trace = trace.steps.map((s) => [s.token, bits(s.scores), bits(s.weights), bits(s.context), bits(s.state), bits(s.probs)]);
  out.step = model.trainStep(small, { learningRate: 1e-2 }).loss;
  out.after = Array.from(model.save());
  return out;
}

for (const cell of ['rnn', 'gru', 'lstm']) {
  for (const attention of ['none', 'additive', 'dot']) {
    test(`${cell}+${attention}: a small batch and a short source give the same bits after larger ones`, async () => {
      const config = { cell, attention, embed: 6, hidden: 10, attentionSize: 7, srcVocabSize: 12, tgtVocabSize: 12, seed: 21 };
      const fresh = await Seq2Seq.create(config);
      const used = await Seq2Seq.create(config);
      try {
        const small = batchOf(3, 3, 4, 5);
        const source = new Int32Array([5, 6, 7]);
        // the twin first runs larger shapes of every kind, forward only and with gradients
        used.lossAndGradients(batchOf(7, 9, 13, 15));
        used.loss(batchOf(8, 11, 6, 17));
        used.lossAndGradients(batchOf(9, 2, 17, 3));
        used.translateTokens(new Int32Array([4, 11, 9, 8, 7, 6, 5, 4, 10, 11]), { beam: 4, nBest: 3, maxLength: 30 });
        used.traceTokens(new Int32Array([11, 10, 9, 8, 7, 6, 5]), { maxLength: 30 });
        const a = observe(fresh, small, source);
        const b = observe(used, small, source);
        assert.equal(b.loss, a.loss);
        assert.equal(b.lossOnly, a.lossOnly);
        for (const name of Object.keys(a.gradients)) assert.deepEqual(b.gradients[name], a.gradients[name], `gradient of ${name}`);
        assert.deepEqual(b.greedy, a.greedy, 'greedy decoding');
        assert.deepEqual(b.beam, a.beam, 'beam search');
        assert.deepEqual(b.trace, a.trace, 'traced decoding');
        assert.equal(b.step, a.step);
        assert.deepEqual(b.after, a.after, 'weights after a training step');
      } finally {
        fresh.dispose();
        used.dispose();
      }
    });
  }
}
