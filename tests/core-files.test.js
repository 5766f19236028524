// Model files through the contract: save -> load gives identical bytes and identical translations
// (on either build); truncated, corrupted, wrong-magic, wrong-version and oversized files are
// rejected with messages that say what is wrong, and loading never crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';
import { reverseBatch } from './helpers/reverse.js';

const model = await Seq2Seq.create({ cell: 'lstm', attention: 'additive', embed: 8, hidden: 12, attentionSize: 10, srcVocabSize: 14, tgtVocabSize: 14, seed: 6 });
const random = createRandom(2).next;
for (let s = 0; s < 20; s++) model.trainStep(reverseBatch(random, 16, 2, 8, 10), { learningRate: 0.01 });
model.setMetadata(new TextEncoder().encode('{"note":"vocabularies go here"}'));
const file = model.save();

test('save -> load gives identical bytes, metadata and translations, on both builds', async () => {
  for (const backend of ['simd', 'scalar']) {
    const loaded = await Seq2Seq.load(file, { backend });
    assert.deepEqual(loaded.save(), file);
    assert.deepEqual(loaded.config, model.config);
    assert.equal(new TextDecoder().decode(loaded.getMetadata()), '{"note":"vocabularies go here"}');
    for (const src of [[4, 5, 6], [9, 8, 7, 6, 5, 4, 11], [13]]) {
      const a = model.translateTokens(new Int32Array(src), { beam: 3 });
      const b = loaded.translateTokens(new Int32Array(src), { beam: 3 });
      assert.deepEqual(b.tokens, a.tokens);
      if (backend === 'simd') assert.equal(b.logProb, a.logProb);
    }
    loaded.dispose();
  }
});

const rejects = (bytes, pattern, code = 'BAD_FILE') =>
  assert.rejects(Seq2Seq.load(bytes), (e) => {
    assert.match(e.message, pattern);
    assert.equal(e.code, code);
    return true;
  });

test('a truncated file is rejected as truncated', async () => {
  for (const n of [file.length - 1, file.length - 100, 50, 20]) await rejects(file.slice(0, n), /truncated/);
});

test('a file with extra bytes is rejected', async () => {
  const longer = new Uint8Array(file.length + 3);
  longer.set(file);
  await rejects(longer, /extra bytes/);
});

test('a corrupted file is rejected by its checksum', async () => {
  for (const at of [60, Math.floor(file.length / 2), file.length - 5]) {
    const bad = file.slice();
    bad[at] ^= 0x10;
    await rejects(bad, /corrupted.*checksum/);
  }
});

test('wrong magic, wrong version, empty and non-byte inputs are rejected', async () => {
  const magic = file.slice();
  magic[0] = 0x50;
  await rejects(magic, /not a seq2seq-attention model file/);
  const version = file.slice();
  version[8] = 9;
  await rejects(version, /unsupported model file version 9/);
  await rejects(new Uint8Array(0), /empty/);
  await rejects(new TextEncoder().encode('hello, this is not a model at all, but it is long enough to have a header'), /magic/);
  await assert.rejects(Seq2Seq.load('model.s2s'), /Uint8Array/);
  await assert.rejects(Seq2Seq.load(null), /Uint8Array/);
});

test('a file whose header asks for oversized tensors is refused before allocating', async () => {
  const big = file.slice();
  new DataView(big.buffer).setUint32(12 + 4 * 4, 1 << 20, true); // hidden size 1M
  await rejects(big, /hidden size 1048576 is out of range/, 'LIMIT');
  const vocab = file.slice();
  new DataView(vocab.buffer).setUint32(12 + 6 * 4, 0x7fffffff, true);
  await rejects(vocab, /source vocabulary size/, 'LIMIT');
  const meta = file.slice();
  new DataView(meta.buffer).setUint32(44, 0x7fffffff, true);
  await rejects(meta, /metadata/, 'LIMIT');
});

test('random garbage with a valid magic never crashes the loader', async () => {
  const r = createRandom(99).next;
  for (let i = 0; i < 200; i++) {
    const bad = file.slice(0, 8 + Math.floor(r() * file.length));
    for (let k = 0; k < 4; k++) bad[8 + Math.floor(r() * (bad.length - 8))] = Math.floor(r() * 256);
    await assert.rejects(Seq2Seq.load(bad), (e) => typeof e.message === 'string' && e.message.length > 10);
  }
});
