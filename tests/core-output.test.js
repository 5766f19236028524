// The output layer in training holds at most 4 MiB of logits at a time (c_src/layers.c,
// s2s_output_loss), so a large target vocabulary does not make memory grow with batch x length x
// vocabulary. (Its gradients are checked against finite differences in several chunks by
// tests/c/test_gradients.c.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/index.js';

const batchOf = (B, M, N, V) => ({
  src: Int32Array.from({ length: B * M }, (_, i) => 4 + (i % 5)), srcLengths: new Int32Array(B).fill(M),
  tgtIn: Int32Array.from({ length: B * N }, (_, i) => (i % N === 0 ? 1 : 4 + ((i * 7919) % (V - 4)))),
  tgtOut: Int32Array.from({ length: B * N }, (_, i) => (i % N === N - 1 ? 2 : 4 + (((i + 1) * 7919) % (V - 4)))),
  batchSize: B, srcLength: M, tgtLength: N,
});

test('logits memory does not grow with batch x length x vocabulary', async () => {
  const V = 65536;
  const m = await Seq2Seq.create({ cell: 'gru', attention: 'dot', embed: 8, hidden: 8, attentionSize: 8, srcVocabSize: 12, tgtVocabSize: V, seed: 2 });
  try {
    m.lossAndGradients(batchOf(2, 2, 2, V));
    const before = m.memoryBytes();
    // 32 x 24 = 768 target rows x 65536 logits would be 192 MiB held at once
    const { loss, gradients } = m.lossAndGradients(batchOf(32, 3, 24, V));
    const grown = m.memoryBytes() - before;
    assert.ok(Number.isFinite(loss) && loss > 0);
    assert.ok(grown < 24 * 2 ** 20, `memory grew by ${(grown / 2 ** 20).toFixed(1)} MiB`);
    // the output bias gradient sums to 0 over the vocabulary (softmax - onehot per row)
    const sum = gradients['out.bias'].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum) < 1e-4, `out.bias gradient sums to ${sum}`);
    // the loss without gradients is the same number (same chunks, same order)
    assert.equal(m.loss(batchOf(32, 3, 24, V)), loss);
  } finally {
    m.dispose();
  }
});
