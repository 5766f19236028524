// Limits (issue 6): the documented maximum sizes are enforced before anything is allocated, the
// wasm memory cannot grow past 2 GiB, and a request past a limit gets a clear Error (code LIMIT,
// or NO_MEMORY when the 2 GiB of memory run out) after which the model still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Seq2Seq } from '../lib/core.js';
import { Translator } from '../lib/index.js';

const small = { cell: 'gru', attention: 'additive', embed: 8, hidden: 8, attentionSize: 8, srcVocabSize: 12, tgtVocabSize: 12, seed: 3 };
const batchOf = (B, M, N, tok = 4) => ({
  src: new Int32Array(B * M).fill(tok), srcLengths: new Int32Array(B).fill(M),
  tgtIn: new Int32Array(B * N).fill(1), tgtOut: new Int32Array(B * N).fill(2), batchSize: B, srcLength: M, tgtLength: N,
});
const tiny = batchOf(2, 3, 4);

// The model still trains, computes gradients, translates and saves the same way after a refusal.
function assertUsable(m, reference) {
  const loss = m.loss(tiny);
  assert.ok(Number.isFinite(loss));
  if (reference) assert.deepEqual(Array.from(m.translateTokens([4, 5, 6]).tokens), reference);
  assert.ok(Number.isFinite(m.lossAndGradients(tiny).loss));
  assert.ok(m.save().length > 0);
}

/** The maximum of the memory a .wasm module defines (in bytes), read from its memory section. */
function wasmMemoryMaximum(bytes) {
  let at = 8;
  const leb = () => {
    let result = 0, shift = 0, b;
    do {
      b = bytes[at++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  };
  while (at < bytes.length) {
    const id = bytes[at++], size = leb(), end = at + size;
    if (id === 5) {
      assert.equal(leb(), 1, 'one memory');
      const flags = leb();
      leb(); // minimum
      return flags & 1 ? leb() * 65536 : Infinity;
    }
    at = end;
  }
  return undefined;
}

test('both wasm builds cap their memory at 2 GiB', () => {
  for (const build of ['simd', 'scalar']) {
    const bytes = fs.readFileSync(new URL(`../build/wasm/s2s-${build}.wasm`, import.meta.url));
    assert.equal(wasmMemoryMaximum(bytes), 2 ** 31, `${build}: memory maximum`);
  }
});

test('sizes past the limits are refused with LIMIT before anything is allocated, and the model stays usable', async () => {
  const m = await Seq2Seq.create(small);
  try {
    const reference = Array.from(m.translateTokens([4, 5, 6]).tokens);
    m.loss(tiny);
    const memory = m.memoryBytes();
    const cases = [
      [() => m.loss(batchOf(4097, 1, 1)), /batch size 4097 is out of range: it must be between 1 and 4096/],
      [() => m.trainStep(batchOf(1, 1025, 2)), /source length 1025 and target length 2 must be between 1 and 1024/],
      [() => m.lossAndGradients(batchOf(1, 2, 1025)), /target length 1025 must be between 1 and 1024/],
      [() => m.translateTokens(new Int32Array(1025).fill(4)), /source length 1025 is out of range/],
      [() => m.translateTokens([4], { maxLength: 1025 }), /maxLength 1025 is out of range/],
      [() => m.translateTokens([4], { beam: 65 }), /beam 65 is larger than the limit of 64/],
      [() => m.setMetadata(new Uint8Array((16 << 20) + 1)), /metadata of 16777217 bytes is larger than the limit/],
    ];
    for (const [call, message] of cases) {
      assert.throws(call, (e) => e instanceof Error && e.code === 'LIMIT' && message.test(e.message), String(message));
      assert.equal(m.memoryBytes(), memory, `${message}: nothing was allocated`);
      assertUsable(m, reference);
    }
  } finally {
    m.dispose();
  }
});

test('a batch within every single bound whose activations would pass 1 GiB is refused with LIMIT before allocating', async () => {
  const m = await Seq2Seq.create({ ...small, tgtVocabSize: 65536 });
  try {
    const reference = Array.from(m.translateTokens([4, 5, 6]).tokens);
    m.loss(tiny);
    const memory = m.memoryBytes();
    // 4096 x 1024 decoder rows: over 2 GiB of activations from a batch of a few MB. (The logits no
    // longer count: the output layer holds at most 4 MiB of them at a time, tests/core-output.test.js.
    // Before that, 4096 x 1024 x 65536 = 2^38 logits wrapped to 0 in wasm's 32-bit size_t, a
    // regression this batch caught: the workspace came out tiny and the forward pass wrote past it.)
    for (const call of [() => m.loss(batchOf(4096, 1, 1024)), () => m.trainStep(batchOf(4096, 1, 1024)), () => m.lossAndGradients(batchOf(4096, 1, 1024))])
      assert.throws(call, (e) => e.code === 'LIMIT' && /needs \d+ MiB of activations, more than the limit of 1024 MiB: use smaller batches or shorter sequences/.test(e.message));
    assert.ok(m.memoryBytes() - memory <= 40 * 2 ** 20, 'only the batch itself was copied in');
    assertUsable(m, reference);
  } finally {
    m.dispose();
  }
});

test('configurations past the limits are refused with LIMIT and say which size', async () => {
  const cases = [
    [{ ...small, hidden: 1025 }, /hidden size 1025 is out of range: it must be between 1 and 1024/],
    [{ ...small, embed: 1025 }, /embed size 1025/],
    [{ ...small, attentionSize: 1025 }, /attention size 1025/],
    [{ ...small, srcVocabSize: 65537 }, /source vocabulary size 65537/],
    [{ ...small, tgtVocabSize: 65537 }, /target vocabulary size 65537/],
    [{ ...small, srcVocabSize: 65536, tgtVocabSize: 65536, embed: 1024, hidden: 512 }, /parameters, more than the limit of 67108864/],
  ];
  for (const [options, message] of cases)
    await assert.rejects(Seq2Seq.create(options), (e) => e.code === 'LIMIT' && message.test(e.message), String(message));
});

test('a model file over 1 GiB is refused with LIMIT before it is copied into wasm memory', async () => {
  const bytes = new Uint8Array(2 ** 30 + 1); // zero pages: cheap until something touches them
  const before = process.memoryUsage().rss;
  await assert.rejects(Seq2Seq.load(bytes), (e) => e.code === 'LIMIT' && /larger than the limit of 1073741824/.test(e.message));
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 256 * 2 ** 20, `loading grew the process by ${grown >> 20} MiB: the file was copied before the size check`);
});

test('a request past the 2 GiB memory cap gets NO_MEMORY and the model keeps working', { timeout: 120000 }, async () => {
  // 512 MiB of parameters (with gradients and Adam moments), a batch of ~800 MiB of activations,
  // then one of ~1000 MiB: within every documented bound, but a larger workspace is allocated
  // before the old one is freed (so a failure keeps the old one), and together they pass 2 GiB.
  const m = await Seq2Seq.create({ cell: 'rnn', attention: 'none', embed: 1024, hidden: 1, srcVocabSize: 32768, tgtVocabSize: 5, seed: 1 });
  try {
    const reference = Array.from(m.translateTokens([4, 5, 6]).tokens);
    assert.ok(Number.isFinite(m.loss(batchOf(200, 1024, 1))));
    const memory = m.memoryBytes();
    assert.ok(memory > 1.2 * 2 ** 30, `expected over 1.2 GiB in use, got ${memory >> 20} MiB`);
    assert.throws(() => m.loss(batchOf(250, 1024, 1)), (e) => e.code === 'NO_MEMORY' && /out of memory allocating \d+ MiB of activations/.test(e.message));
    assert.ok(m.memoryBytes() <= 2 ** 31);
    assertUsable(m, reference);
    assert.ok(Number.isFinite(m.trainStep(tiny, { learningRate: 1e-3 }).loss));
  } finally {
    m.dispose();
  }
});

test('the Translator refuses texts past 1024 symbols with LIMIT and still translates', async () => {
  const pairs = [['abc', 'cba'], ['ab', 'ba'], ['ca', 'ac']];
  const model = await Translator.create({ pairs, embed: 8, hidden: 8, attentionSize: 8, seed: 2 });
  try {
    const before = model.translate('abc').text;
    assert.throws(() => model.translate('a'.repeat(1025)), (e) => e.code === 'LIMIT' && /1025 symbols; the limit is 1024/.test(e.message));
    await assert.rejects(model.train([['a'.repeat(1025), 'b']], { steps: 1 }), (e) => e.code === 'LIMIT');
    await assert.rejects(model.train(pairs, { steps: 1, batchSize: 4097 }), /batchSize must be an integer from 1 to 4096/);
    assert.equal(model.translate('abc').text, before);
  } finally {
    model.dispose();
  }
});
