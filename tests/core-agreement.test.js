// The SIMD wasm, the scalar wasm and the native build agree on a fixed model: the same initial
// weights bit for bit (the seeded RNG is the project's own), the loss within 1e-5 relative and the
// same greedy tokens after some training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';
import { reverseBatch, randomSequence } from './helpers/reverse.js';

const tool = fileURLToPath(new URL('../build/native/s2s-tool', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 's2s-agree-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function batchFile(batch) {
  const { batchSize: B, srcLength: M, tgtLength: N } = batch;
  const words = new Int32Array(3 + B * M + B + 2 * B * N);
  words.set([B, M, N]);
  let at = 3;
  for (const key of ['src', 'srcLengths', 'tgtIn', 'tgtOut']) {
    words.set(batch[key], at);
    at += batch[key].length;
  }
  const path = join(dir, `batch-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(path, new Uint8Array(words.buffer));
  return path;
}

const cells = { rnn: 0, gru: 1, lstm: 2 }, attentions = { none: 0, additive: 1, dot: 2 };

for (const [cell, attention] of [['gru', 'additive'], ['lstm', 'dot'], ['rnn', 'none']])
  test(`simd wasm, scalar wasm and native agree: ${cell} x ${attention}`, async () => {
    const config = { cell, attention, embed: 12, hidden: 20, attentionSize: 16, srcVocabSize: 14, tgtVocabSize: 14, seed: 5 };
    const simd = await Seq2Seq.create({ ...config, backend: 'simd' });
    const scalar = await Seq2Seq.create({ ...config, backend: 'scalar' });
    // initial weights: bitwise identical in both wasm builds and in the native build
    const nativeFile = join(dir, `${cell}-${attention}.s2s`);
    execFileSync(tool, ['create', nativeFile, cells[cell], attentions[attention], 1, 12, 20, 16, 14, 14, 5].map(String));
    assert.deepEqual(simd.save(), scalar.save());
    assert.deepEqual(simd.save(), new Uint8Array(readFileSync(nativeFile)));
    // train the SIMD model a little, then load its weights into all three
    const random = createRandom(3).next;
    for (let s = 0; s < 40; s++) simd.trainStep(reverseBatch(random, 16, 3, 9, 10), { learningRate: 0.01 });
    const file = simd.save();
    const scalar2 = await Seq2Seq.load(file, { backend: 'scalar' });
    const modelPath = join(dir, `${cell}-${attention}-trained.s2s`);
    writeFileSync(modelPath, file);
    const batch = reverseBatch(random, 8, 2, 9, 10);
    const losses = [simd.loss(batch), scalar2.loss(batch), JSON.parse(execFileSync(tool, ['loss', modelPath, batchFile(batch)])).loss];
    for (const l of losses) assert.ok(Math.abs(l - losses[0]) <= 1e-5 * Math.abs(losses[0]), `losses ${losses}`);
    for (let i = 0; i < 5; i++) {
      const src = randomSequence(random, 2, 9, 10);
      const a = Array.from(simd.translateTokens(new Int32Array(src)).tokens);
      const b = Array.from(scalar2.translateTokens(new Int32Array(src)).tokens);
      const c = JSON.parse(execFileSync(tool, ['greedy', modelPath, ...src.map(String)])).tokens;
      assert.deepEqual(a, b);
      assert.deepEqual(a, c);
    }
    for (const m of [simd, scalar, scalar2]) m.dispose();
  });

test('training is deterministic: the same seed and data give bitwise the same weights', async () => {
  const run = async (backend) => {
    const m = await Seq2Seq.create({ cell: 'gru', attention: 'additive', embed: 8, hidden: 16, srcVocabSize: 14, tgtVocabSize: 14, seed: 9, backend });
    const random = createRandom(4).next;
    for (let s = 0; s < 20; s++) m.trainStep(reverseBatch(random, 8, 2, 8, 10), { learningRate: 0.005 });
    const bytes = m.save();
    m.dispose();
    return bytes;
  };
  assert.deepEqual(await run('simd'), await run('simd'));
  assert.deepEqual(await run('scalar'), await run('scalar'));
});
