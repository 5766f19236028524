// lib/packed-pairs.js: pairs packed into two buffers come back as the same strings (Unicode of
// every UTF-8 length, empty strings, tabs), the page's view reads single pairs without unpacking
// all, a malformed form (as a worker message could be) is refused with a message saying which
// field is wrong, and TranslatorWorker trains on packed pairs exactly as on the arrays.
import test from 'node:test';
import assert from 'node:assert/strict';
import { packPairs, unpackPairs, pairsView, packedOf, checkPacked, packedBuffers } from '../lib/packed-pairs.js';
import { TranslatorWorker } from '../lib/index.js';

const UNICODE = [
  ['a', 'b'], ['', ''], ['héllo wörld', 'ñ'], ['日本語', '中文 😀 𝄞'], ['tab\there', 'new\nline'],
  ['😀', ''], ['', '\u0000\u007f\u0080\u07ff\u0800\uffff'],
];

test('packed pairs: the same strings back, view reads single pairs', () => {
  const packed = packPairs(UNICODE);
  assert.equal(packed.count, UNICODE.length);
  assert.equal(packed.bytes.length, Buffer.byteLength(UNICODE.flat().join('')), 'bytes are the UTF-8 of all strings');
  assert.deepEqual(unpackPairs(packed), UNICODE);
  assert.deepEqual(unpackPairs(structuredClone(packed)), UNICODE, 'a cloned form unpacks the same');
  const view = pairsView(packed);
  assert.equal(view.length, UNICODE.length);
  assert.deepEqual(view[3], UNICODE[3]);
  assert.deepEqual(view.at(-1), UNICODE.at(-1));
  assert.equal(view[UNICODE.length], undefined);
  assert.deepEqual(view.slice(1, 4), UNICODE.slice(1, 4));
  assert.deepEqual(view.slice(-2), UNICODE.slice(-2));
  assert.deepEqual([...view], UNICODE);
  assert.equal(packedOf(view), packed);
  assert.equal(packedOf(UNICODE), null);
  assert.throws(() => { view[0] = ['x', 'y']; }, TypeError, 'the view is read-only');
  assert.deepEqual(unpackPairs(packPairs([])), []);
});

test('packed pairs: a malformed form is refused with what is wrong', () => {
  const good = packPairs([['ab', 'é'], ['c', 'd']]); // bytes: a b C3 A9 c d
  const variant = (change) => {
    const v = { ...good, bytes: good.bytes.slice(), offsets: good.offsets.slice() };
    change(v);
    return v;
  };
  const cases = [
    [null, /must be packed pairs/],
    [[['a', 'b']], /must be packed pairs/],
    [{ ...good, count: 1.5 }, /count must be a whole number/],
    [{ ...good, bytes: [...good.bytes] }, /bytes must be a Uint8Array/],
    [{ ...good, offsets: Int32Array.from(good.offsets) }, /offsets must be a Uint32Array/],
    [{ ...good, count: 3 }, /3 pairs need 7 offsets, not 5/],
    [variant((v) => { v.offsets[0] = 1; }), /offsets\[0\] must be 0/],
    [variant((v) => { v.offsets[4] = 5; }), /the last offset is 5, but there are 6 bytes/],
    [variant((v) => { v.offsets[2] = 1; }), /offsets\[2\] \(1\) is smaller than offsets\[1\] \(2\)/],
    [variant((v) => { v.offsets[2] = 3; }), /offsets\[2\] \(3\) points inside a UTF-8 character/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => unpackPairs(value, 'train'), (err) => err.code === 'BAD_ARGUMENT' && message.test(err.message), String(message));
    assert.throws(() => pairsView(value, 'train'), (err) => err.code === 'BAD_ARGUMENT');
  }
  const broken = variant((v) => { v.bytes[2] = 0xff; });
  assert.throws(() => unpackPairs(broken, 'train'), /train: the bytes from 0 to 6 are not valid UTF-8/);
  assert.throws(() => pairsView(broken)[0], /pairs\[0\]\[1\]: the bytes from 2 to 4 are not valid UTF-8/);
  assert.throws(() => packPairs([['\ud800x', 'y']]), /pairs\[0\]\[0\] holds a lone UTF-16 surrogate/);
  assert.throws(() => packPairs([['a']]), /pairs\[0\] must be a \[source, target\] pair/);
  assert.equal(packedBuffers(good).length, 2);
  assert.equal(checkPacked(good), good);
});

test('packed pairs through TranslatorWorker: the same run as with arrays; a bad form is refused', async () => {
  const pairs = Array.from({ length: 48 }, (_, i) => [`s${i} ü${'日'.repeat(i % 3)}`, `t${i % 7} 😀`]);
  const data = { train: pairs.slice(0, 40), test: pairs.slice(40) };
  const options = { tokenizer: 'char', embed: 8, hidden: 16, attentionSize: 16, seed: 3 };
  const run = async (wrap) => {
    const remote = await TranslatorWorker.create({ pairs: wrap(data.train), ...options });
    try {
      await remote.startSession(wrap(data.train), { epochs: 1, batchSize: 8, shuffleSeed: 2, workers: 1 });
      const report = await remote.runSession({ maxSteps: 3 });
      const scores = await remote.evaluate(wrap(data.test), { beam: 1 });
      const { elapsedMs, ...state } = report.state; // elapsedMs: wall time, differs run to run
      assert.ok(elapsedMs >= 0);
      return { symbols: remote.sourceSymbols, loss: report.loss, state, scores };
    } finally {
      await remote.dispose();
    }
  };
  const plain = await run((pairs) => pairs);
  const packed = await run((pairs) => pairsView(packPairs(pairs)));
  assert.deepEqual(packed, plain, 'vocabulary, losses, session state (with its data fingerprint) and scores agree');
  const remote = await TranslatorWorker.create({ pairs: data.train, ...options });
  try {
    const bad = { ...packPairs(data.test), count: 2 };
    await assert.rejects(remote.evaluate(bad), (err) => err.code === 'BAD_ARGUMENT' && /2 pairs need 5 offsets/.test(err.message));
  } finally {
    await remote.dispose();
  }
});
