// Bad input, written down (issue 6): every row of the table in docs/bad-input.md whose entry is
// the C contract, the low-level Seq2Seq, the Translator or the tasks has one test here, named by the row's
// id; the CLI rows are in hardening-bad-input-cli.test.js and the page's upload fields in
// hardening-bad-input-page.test.js. A last test checks that the doc and the tests cover the same
// ids and that the message the doc shows for each row is one its test accepts.
// C rows call the wasm build's exports directly (the C contract exactly as the library sees it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Seq2Seq } from '../lib/core.js';
import { instantiate } from '../lib/wasm.js';
import { Translator, TranslatorWorker, tasks, taskNames, generateTask } from '../lib/index.js';
import { packPairs } from '../lib/packed-pairs.js';
import { makeBatch } from './helpers/reverse.js';

const DOC = new URL('../docs/bad-input.md', import.meta.url);
const ROWS = new Map(); // id -> regex of the message the user sees
/** One row of the table: `fn` must produce an Error (or, for C rows, a message) matching `message`. */
export function row(id, title, message, fn, options = {}) {
  ROWS.set(id, message);
  test(`[${id}] ${title}`, options, async () => {
    const seen = await fn();
    assert.ok(seen, 'the bad input was accepted');
    const text = seen instanceof Error ? seen.message : String(seen);
    if (process.env.PRINT_BAD_INPUT) console.log(`ROW ${id} ${seen?.code ?? ''} ${text}`);
    assert.match(text, message);
  });
}

async function caught(fn, code) {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof Error, `threw a non-Error: ${error}`);
    if (code) assert.equal(error.code, code, `code of "${error.message}"`);
    return error;
  }
  return null;
}

// ---- C contract, through the wasm exports ------------------------------------------------------
const wasm = await instantiate('simd');
const c = wasm.exports;
const cString = (ptr) => {
  const bytes = new Uint8Array(wasm.memory.buffer);
  let end = ptr;
  while (bytes[end]) end++;
  return new TextDecoder().decode(bytes.subarray(ptr, end));
};
const CODES = { [-1]: 'BAD_ARGUMENT', [-2]: 'LIMIT', [-3]: 'NO_MEMORY', [-4]: 'BAD_FILE', [-5]: 'DIVERGED' };
/** The C error as the JS wrapper would see it: status must be `want`, returns the message. */
function cError(status, want) {
  assert.equal(status, want, `status ${status} (${CODES[status]}), message "${cString(c.s2s_last_error())}"`);
  assert.equal(c.s2s_last_status(), want);
  return cString(c.s2s_last_error());
}
const copyIn = (array) => {
  const ptr = c.malloc(Math.max(4, array.byteLength));
  new Uint8Array(wasm.memory.buffer, ptr, array.byteLength).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return ptr;
};
const cModel = c.s2s_create(1, 1, 1, 4, 4, 4, 10, 10, 1);
assert.ok(cModel);
const i32 = (xs) => copyIn(Int32Array.from(xs));
const goodSrc = i32([4, 5, 6]), goodLen = i32([3]), goodIn = i32([1, 6, 5, 4]), goodOut = i32([6, 5, 4, 2]), lossPtr = c.malloc(8);

row('C1', 's2s_create: a cell or attention out of range', /^unknown cell 7: use 0 \(rnn\), 1 \(gru\) or 2 \(lstm\)$/,
  () => { assert.equal(c.s2s_create(7, 1, 1, 4, 4, 4, 10, 10, 1), 0); return cError(-1, -1); });
row('C2', 's2s_create: a size past its limit', /^hidden size 1025 is out of range: it must be between 1 and 1024$/,
  () => { assert.equal(c.s2s_create(1, 1, 1, 4, 1025, 4, 10, 10, 1), 0); return cError(-2, -2); });
row('C3', 's2s_create: a vocabulary too small (empty)', /^source vocabulary size 4 is out of range: it must be between 5 and 65536$/,
  () => { assert.equal(c.s2s_create(1, 1, 1, 4, 4, 4, 4, 10, 1), 0); return cError(-1, -1); });
row('C4', 's2s_load: NULL or zero bytes', /^not a model file: it is empty$/,
  () => { assert.equal(c.s2s_load(0, 0), 0); return cError(-4, -4); });
row('C5', 's2s_load: more than 1 GiB (refused before a byte is read)', /^the model file is 1073741825 bytes, larger than the limit of 1073741824$/,
  () => { assert.equal(c.s2s_load(goodSrc, 2 ** 30 + 1), 0); return cError(-2, -2); });
row('C6', 's2s_load: malformed (not a model file)', /^not a seq2seq-attention model file: the magic bytes are wrong$/,
  () => { assert.equal(c.s2s_load(copyIn(new TextEncoder().encode('source\ttarget\n'.repeat(8))), 112), 0); return cError(-4, -4); });
row('C7', 's2s_loss_and_grad / s2s_train_step: NULL arrays', /^src, srcLengths, tgtIn and tgtOut are all required$/,
  () => cError(c.s2s_loss_and_grad(cModel, 0, goodLen, goodIn, goodOut, 1, 3, 4, lossPtr), -1));
row('C8', 's2s_loss_and_grad: a token id out of range', /^src\[1\] = 10 is not a token id of the source vocabulary \(0\.\.9\)$/,
  () => cError(c.s2s_loss_and_grad(cModel, i32([4, 10, 6]), goodLen, goodIn, goodOut, 1, 3, 4, lossPtr), -1));
row('C9', 's2s_loss: a batch past the limits', /^batch size 4097 is out of range: it must be between 1 and 4096$/,
  () => cError(c.s2s_loss(cModel, goodSrc, goodLen, goodIn, goodOut, 4097, 3, 4, lossPtr), -2));
row('C10', 's2s_train_step: a learning rate that is not a finite number > 0', /^learning rate must be a finite number > 0, got (nan|-?inf|0)$/i,
  () => cError(c.s2s_train_step(cModel, goodSrc, goodLen, goodIn, goodOut, 1, 3, 4, NaN, 5, lossPtr), -1));
row('C11', 's2s_decode: an empty source', /^source length 0 is out of range: it must be between 1 and 1024$/,
  () => cError(c.s2s_decode(cModel, goodSrc, 0, 1, 1, 0, 10, 0), -1));
row('C12', 's2s_decode: no model (NULL)', /^no model$/,
  () => cError(c.s2s_decode(0, goodSrc, 3, 1, 1, 0, 10, 0), -1));
row('C13', 's2s_set_meta: metadata over 16 MiB', /^metadata of 16777217 bytes is larger than the limit of 16777216$/,
  () => cError(c.s2s_set_meta(cModel, goodSrc, 16 * 2 ** 20 + 1), -2));
row('C14', 's2s_set_adam: out of range', /^Adam needs 0 <= beta1 < 1, 0 <= beta2 < 1 and 0 < epsilon < 1 \(got 1, 0\.999, 1e-08\)$/,
  () => cError(c.s2s_set_adam(cModel, 1, 0.999, 1e-8), -1));
row('C15', 's2s_param_index / s2s_param_data: unknown name or index', /^-1 and NULL$/, () => {
  const name = copyIn(new TextEncoder().encode('enc.nothing\0'));
  return `${c.s2s_param_index(cModel, name)} and ${c.s2s_param_data(cModel, 99) === 0 ? 'NULL' : 'a pointer'}`;
});
row('C16', 's2s_destroy: NULL is a no-op; destroy returns the model\'s memory (after it the pointer is the caller\'s to forget)',
  /^no-op: no trap, the last error kept; 20 create\/destroy pairs grew the heap by 0 bytes$/, () => {
    assert.equal(c.s2s_decode(0, goodSrc, 3, 1, 1, 0, 10, 0), -1); // leaves a known last error
    const before = cString(c.s2s_last_error());
    c.s2s_destroy(0);
    const kept = c.s2s_last_status() === -1 && cString(c.s2s_last_error()) === before;
    // About 5 MB of weights, gradients and Adam moments per model: 20 that were not freed would
    // grow the heap by about 100 MB.
    const cycle = () => {
      const m = c.s2s_create(1, 1, 1, 64, 128, 128, 500, 500, 1);
      assert.ok(m, cString(c.s2s_last_error()));
      c.s2s_destroy(m);
    };
    cycle();
    const heap = wasm.memory.buffer.byteLength;
    for (let i = 0; i < 20; i++) cycle();
    return `no-op: no trap, the last error ${kept ? 'kept' : 'changed'}; 20 create/destroy pairs grew the heap by ${wasm.memory.buffer.byteLength - heap} bytes`;
  });

// ---- Seq2Seq (lib/core.js) ---------------------------------------------------------------------
const base = { cell: 'gru', attention: 'additive', embed: 8, hidden: 8, attentionSize: 8, srcVocabSize: 10, tgtVocabSize: 10, seed: 1 };
const model = await Seq2Seq.create(base);
const batch = { src: new Int32Array([4, 5, 6]), srcLengths: new Int32Array([3]), tgtIn: new Int32Array([1, 6, 5, 4]), tgtOut: new Int32Array([6, 5, 4, 2]), batchSize: 1, srcLength: 3, tgtLength: 4 };
const corpus = (name) => new Uint8Array(fs.readFileSync(new URL(`../fuzz/corpus/load/${name}`, import.meta.url)));

row('J1', 'Seq2Seq.create: options of the wrong type', /^Seq2Seq\.create must be an object, got string$/, () => caught(() => Seq2Seq.create('gru'), 'BAD_ARGUMENT'));
row('J2', 'Seq2Seq.create: a misspelt option', /^unknown option 'hiddenSize' for Seq2Seq\.create: known options are cell, attention, /, () => caught(() => Seq2Seq.create({ ...base, hiddenSize: 8 }), 'BAD_ARGUMENT'));
row('J3', 'Seq2Seq.create: a size of the wrong type', /^hidden must be an integer, got string$/, () => caught(() => Seq2Seq.create({ ...base, hidden: '64' }), 'BAD_ARGUMENT'));
row('J4', 'Seq2Seq.create: out of range', /^unknown cell "transformer": use 'rnn', 'gru' or 'lstm'$/, () => caught(() => Seq2Seq.create({ ...base, cell: 'transformer' }), 'BAD_ARGUMENT'));
row('J5', 'Seq2Seq.create: too large', /^the model would have \d+ parameters, more than the limit of 67108864$/, () => caught(() => Seq2Seq.create({ ...base, srcVocabSize: 65536, tgtVocabSize: 65536, embed: 1024, hidden: 1024 }), 'LIMIT'));
row('J6', 'Seq2Seq.load: wrong type', /^Seq2Seq\.load needs the model file as a Uint8Array, got string$/, () => caught(() => Seq2Seq.load('model.s2s'), 'BAD_ARGUMENT'));
row('J7', 'Seq2Seq.load: empty', /^not a model file: it is empty$/, () => caught(() => Seq2Seq.load(new Uint8Array(0)), 'BAD_FILE'));
row('J8', 'Seq2Seq.load: truncated', /^the model file is truncated: 1131 bytes where its header implies 2262$/, () => caught(() => Seq2Seq.load(corpus('edge-truncated.s2s')), 'BAD_FILE'));
row('J9', 'Seq2Seq.load: corrupted (a flipped bit)', /^the model file is corrupted: its checksum is [0-9a-f]{8} but its contents give [0-9a-f]{8}$/, () => caught(() => Seq2Seq.load(corpus('edge-bad-checksum.s2s')), 'BAD_FILE'));
row('J10', 'Seq2Seq.load: another format version', /^unsupported model file version 2: this library reads version 1$/, () => caught(() => Seq2Seq.load(corpus('edge-version-2.s2s')), 'BAD_FILE'));
row('J11', 'Seq2Seq.load: extra bytes at the end', /^the model file has 2263 bytes where its header implies 2262 \(extra bytes at the end\)$/, () => caught(() => Seq2Seq.load(corpus('edge-extra-byte.s2s')), 'BAD_FILE'));
row('J12', 'Seq2Seq.load: a configuration past the limits', /^the model file's configuration is not valid: hidden size 1025 is out of range: it must be between 1 and 1024$/, () => caught(() => Seq2Seq.load(corpus('edge-hidden-too-large.s2s')), 'LIMIT'));
row('J13', 'Seq2Seq.load: a NaN weight', /^the model file's tensor 'enc\.embed' holds a value that is not finite$/, () => caught(() => Seq2Seq.load(corpus('edge-nan-weight.s2s')), 'BAD_FILE'));
row('J14', 'Seq2Seq.load: a wrong tensor name or shape', /^the model file's tensor 0 is not 'enc\.embed'$/, () => caught(() => Seq2Seq.load(corpus('edge-wrong-tensor-name.s2s')), 'BAD_FILE'));
row('J15', 'Seq2Seq.load: too large', /^the model file is 1073741825 bytes, larger than the limit of 1073741824$/, () => caught(() => Seq2Seq.load(new Uint8Array(2 ** 30 + 1)), 'LIMIT'));
row('J16', 'trainStep / lossAndGradients: an array of the wrong type', /^src must be an Int32Array \(or an array of integers\), got string$/, () => caught(() => model.trainStep({ ...batch, src: 'abc' }), 'BAD_ARGUMENT'));
row('J17', 'trainStep: no batch', /^the batch must be an object \{ src, srcLengths, tgtIn, tgtOut, batchSize, srcLength, tgtLength \}$/, () => caught(() => model.trainStep(null), 'BAD_ARGUMENT'));
row('J18', 'trainStep: sizes that do not match the arrays', /^src has 2 entries; batchSize 1, srcLength 3 and tgtLength 4 need 3$/, () => caught(() => model.trainStep({ ...batch, src: new Int32Array([4, 5]) }), 'BAD_ARGUMENT'));
row('J19', 'trainStep: a token id out of range', /^src\[1\] = 10 is not a token id of the source vocabulary \(0\.\.9\)$/, () => caught(() => model.trainStep({ ...batch, src: new Int32Array([4, 10, 6]) }), 'BAD_ARGUMENT'));
row('J20', 'trainStep: targets that are all PAD (empty)', /^tgtOut holds only PAD \(0\): there is nothing to learn from$/, () => caught(() => model.trainStep({ ...batch, tgtOut: new Int32Array(4) }), 'BAD_ARGUMENT'));
row('J21', 'trainStep: too large', /^batch size 4097 is out of range: it must be between 1 and 4096$/, () => caught(() => model.lossAndGradients({ src: new Int32Array(4097).fill(4), srcLengths: new Int32Array(4097).fill(1), tgtIn: new Int32Array(4097).fill(1), tgtOut: new Int32Array(4097).fill(2), batchSize: 4097, srcLength: 1, tgtLength: 1 }), 'LIMIT'));
row('J22', 'trainStep: options out of range', /^learningRate must be a number > 0 \(and at most 1e30\), got -1$/, () => caught(() => model.trainStep(batch, { learningRate: -1 }), 'BAD_ARGUMENT'));
row('J23', 'trainStep: a learning rate that makes training diverge', /^training diverged at step \d+: (the loss or a gradient is not finite|an updated weight would not be finite).*the weights are those before this step: lower the learning rate$/, async () => {
  const m = await Seq2Seq.create(base);
  try {
    for (let i = 0; i < 50; i++) m.trainStep(batch, { learningRate: 1e30, clipNorm: 0 });
  } catch (e) {
    assert.equal(e.code, 'DIVERGED');
    assert.equal(e.step, m.stepCount + 1);
    return e;
  } finally {
    m.dispose();
  }
  return null;
});
row('J24', 'translateTokens: wrong type', /^srcIds must be an Int32Array \(or an array of integers\), got string$/, () => caught(() => model.translateTokens('hello'), 'BAD_ARGUMENT'));
row('J25', 'translateTokens: empty', /^srcIds is empty: give at least one source token$/, () => caught(() => model.translateTokens(new Int32Array(0)), 'BAD_ARGUMENT'));
row('J26', 'translateTokens: a token id out of range', /^source token 99 at position 1 is not a token id \(0\.\.9\)$/, () => caught(() => model.translateTokens([4, 99]), 'BAD_ARGUMENT'));
row('J27', 'translateTokens: too large', /^source length 1025 is out of range: it must be between 1 and 1024$/, () => caught(() => model.translateTokens(new Int32Array(1025).fill(4)), 'LIMIT'));
row('J28', 'translateTokens: options out of range', /^nBest 3 must be between 1 and the beam width 2$/, () => caught(() => model.translateTokens([4], { beam: 2, nBest: 3 }), 'BAD_ARGUMENT'));
row('J29', 'getParameter / setParameter: unknown name', /^unknown parameter 'enc\.weight': this model has enc\.embed, /, () => caught(() => model.getParameter('enc.weight'), 'BAD_ARGUMENT'));
row('J30', 'setParameter: wrong length', /^setParameter\('out\.bias'\) needs 10 values, got 3$/, () => caught(() => model.setParameter('out.bias', new Float32Array(3)), 'BAD_ARGUMENT'));
row('J31', 'setParameter: a value that is not finite', /^setParameter\('out\.bias'\): value 0 is not a finite number \(NaN\)$/, () => caught(() => model.setParameter('out.bias', new Float32Array(10).fill(NaN)), 'BAD_ARGUMENT'));
row('J32', 'setMetadata: wrong type', /^setMetadata needs a Uint8Array, got string$/, () => caught(() => model.setMetadata('{}'), 'BAD_ARGUMENT'));
row('J33', 'setMetadata: too large', /^metadata of 16777217 bytes is larger than the limit of 16777216$/, () => caught(() => model.setMetadata(new Uint8Array(16 * 2 ** 20 + 1)), 'LIMIT'));
row('J34', 'any method after dispose()', /^this model has been disposed: create or load a new one$/, async () => {
  const m = await Seq2Seq.create(base);
  m.dispose();
  const errors = [];
  for (const call of [() => m.trainStep(batch), () => m.translateTokens([4]), () => m.save(), () => m.getParameter('out.bias'), () => m.config])
    errors.push(await caught(call, 'DISPOSED'));
  assert.ok(errors.every((e) => e && e.message === errors[0].message));
  return errors[0];
});

// ---- Translator (lib/translator.js) ------------------------------------------------------------
const pairs = [['abc', 'cba'], ['ab', 'ba'], ['bca', 'acb'], ['cab', 'bac']];
const tr = await Translator.create({ pairs, embed: 8, hidden: 8, attentionSize: 8, seed: 1 });

row('T1', 'Translator.create: pairs of the wrong type', /^pairs must be an array of \[source, target\] string pairs$/, () => caught(() => Translator.create({ pairs: 'abc\tcba' }), 'BAD_ARGUMENT'));
row('T2', 'Translator.create: no pairs (empty)', /^pairs is empty: give at least one \[source, target\] pair$/, () => caught(() => Translator.create({ pairs: [] }), 'BAD_ARGUMENT'));
row('T3', 'Translator.create: a malformed pair', /^pairs\[1\] must be a \[source, target\] pair of strings, got \["ab",2\]$/, () => caught(() => Translator.create({ pairs: [['a', 'b'], ['ab', 2]] }), 'BAD_ARGUMENT'));
row('T4', 'Translator.create: texts with no symbols', /^the source texts of pairs have no symbols: a model needs at least one$/, () => caught(() => Translator.create({ pairs: [['', 'a']] }), 'BAD_ARGUMENT'));
row('T5', 'train: an option out of range', /^batchSize must be an integer from 1 to 4096, got 0$/, () => caught(() => tr.train(pairs, { batchSize: 0 }), 'BAD_ARGUMENT'));
row('T6', 'train: a misspelt option', /^train: unknown option "epoch"; known options: /, () => caught(() => tr.train(pairs, { epoch: 1 }), 'BAD_ARGUMENT'));
row('T7', 'train: a pair longer than 1024 symbols', /^pairs\[0\]\[0\] has 1025 symbols; the limit is 1024: split it into shorter pieces$/, () => caught(() => tr.train([['a'.repeat(1025), 'a']], { steps: 1 }), 'LIMIT'));
row('T8', 'train: a learning rate that diverges', /^training diverged at step \d+ \(the loss or a gradient became NaN\/Inf\); the weights from before that step are kept but overflow too \(this batch's loss or gradients are not finite with them\), so a lower learning rate cannot continue from them: start again from a fresh model \(Translator\.create\) or a saved one, with a lower learningRate \(it was 1e\+30\) or clipNorm set$/, async () => {
  const t = await Translator.create({ pairs, embed: 8, hidden: 8, attentionSize: 8, seed: 1 });
  try {
    const error = await caught(() => t.train(pairs, { steps: 50, learningRate: 1e30, clipNorm: 0 }), 'DIVERGED');
    assert.equal(error?.weightsUsable, false);
    return error;
  } finally {
    t.dispose();
  }
});
row('T9', 'translate: wrong type', /^text must be a string, got number$/, () => caught(() => tr.translate(42), 'BAD_ARGUMENT'));
row('T10', 'translate: empty text', /^text has no symbols to translate: give a non-empty text$/, () => caught(() => tr.translate(''), 'BAD_ARGUMENT'));
row('T11', 'translate: too large', /^text has 1025 symbols; the limit is 1024: split it into shorter pieces$/, () => caught(() => tr.translate('a'.repeat(1025)), 'LIMIT'));
row('T12', 'translate: symbols the model never saw (not an error)', /^unknown: \[\{"symbol":"z","index":1\}\]$/, () => `unknown: ${JSON.stringify(tr.translate('azb').unknown)}`);
row('T13', 'translate: options out of range', /^beam must be an integer from 1 to 64, got 65$/, () => caught(() => tr.translate('ab', { beam: 65 })));
row('T14', 'Translator.load: wrong type', /^Translator\.load needs the model file as a Uint8Array \(or ArrayBuffer\)$/, () => caught(() => Translator.load('model.s2s'), 'BAD_ARGUMENT'));
row('T15', 'Translator.load: a low-level file without vocabularies', /^this model file has no vocabularies \(it was saved by the low-level Seq2Seq\): load it with Seq2Seq\.load, or save it from a Translator$/, () => caught(() => Translator.load(model.save()), 'BAD_FILE'));
row('T16', 'Translator.load: a malformed model file', /^the model file is truncated: /, () => caught(() => Translator.load(tr.save().slice(0, 100)), 'BAD_FILE'));
row('T18', 'translate: n-best without a beam', /^nBest 3 needs a beam search at least that wide \(beam is 1, greedy, by default\): pass beam: 3 or more with nBest: 3$/, () => caught(() => tr.translate('ab', { nBest: 3 }), 'BAD_ARGUMENT'));
row('T19', 'Translator.create: a bpe vocabulary size out of range', /^vocabSize must be an integer from 261 \(4 specials, 256 bytes, 1 character\) to 65536, got 100$/,
  () => caught(() => Translator.create({ pairs, tokenizer: 'bpe', vocabSize: 100 }), 'BAD_ARGUMENT'));
row('T20', 'Translator.create: vocabSize without bpe', /^vocabSize is for the 'bpe' tokenizer; with 'char' or 'word' use maxVocabularySize$/,
  () => caught(() => Translator.create({ pairs, tokenizer: 'word', vocabSize: 500 }), 'BAD_ARGUMENT'));
row('T21', 'translate (bpe): a text that is not valid Unicode', /^text: the text has a lone surrogate \(U\+D800\) at index 2: it is not valid Unicode; fix the text's encoding$/, async () => {
  const model = await Translator.create({ pairs, tokenizer: 'bpe', vocabSize: 300, embed: 8, hidden: 8, attentionSize: 8 });
  try {
    return await caught(() => model.translate('ab\uD800c'), 'BAD_ARGUMENT');
  } finally {
    model.dispose();
  }
});
row('T22', 'Translator.load: a bpe vocabulary that its tokenizer does not imply', /^the vocabularies in this model file are damaged: the source vocabulary is not the one its bpe tokenizer implies$/, async () => {
  const model = await Translator.create({ pairs, tokenizer: 'bpe', vocabSize: 300, embed: 8, hidden: 8, attentionSize: 8 });
  const core = await Seq2Seq.load(model.save());
  model.dispose();
  const json = JSON.parse(new TextDecoder().decode(core.getMetadata()));
  json.sourceVocabulary.reverse();
  core.setMetadata(new TextEncoder().encode(JSON.stringify(json)));
  const bytes = core.save();
  core.dispose();
  return caught(() => Translator.load(bytes), 'BAD_FILE');
});
row('T23', 'TranslatorWorker: packed pairs whose offsets do not fit their count', /^pairs: 2 pairs need 5 offsets, not 9$/,
  () => caught(() => TranslatorWorker.create({ pairs: { ...packPairs(pairs.slice(0, 4)), count: 2 }, embed: 8, hidden: 8, attentionSize: 8 }), 'BAD_ARGUMENT'));
row('T17', 'any method after dispose()', /^this Translator was disposed: create or load a new one$/, async () => {
  const t = await Translator.create({ pairs, embed: 8, hidden: 8, attentionSize: 8 });
  t.dispose();
  await caught(() => t.train(pairs, { steps: 1 }), 'DISPOSED');
  return caught(() => t.translate('ab'), 'DISPOSED');
});

// ---- Tasks and pairs files (lib/tasks/) --------------------------------------------------------
row('D1', 'a generator: a misspelt option', /^dates: unknown option "trainsize"; known options: seed, trainSize, testSize$/, () => caught(() => tasks.dates({ trainsize: 10 }), 'BAD_ARGUMENT'));
row('D2', 'a generator: a size past the limit', /^trainSize must be an integer from 1 to 1000000, got 2000000$/, () => caught(() => tasks.dates({ trainSize: 2000000 }), 'LIMIT'));
row('D3', 'generateTask: an unknown name', /^unknown task "nope": use one of dates, scrambled, en-fr, reverse, sort, copy, or your own pairs with fromTSV$/, () => caught(() => generateTask('nope'), 'BAD_ARGUMENT'));
row('D4', 'a generator: more distinct examples than exist', /^copy: found only 6 distinct examples, 10 asked for: lower trainSize\/testSize or widen the task \(longer strings, a larger alphabet\)$/,
  () => caught(() => tasks.copy({ alphabet: 'ab', minLength: 1, maxLength: 2, trainSize: 10, testSize: 0 }), 'BAD_ARGUMENT'));
row('D5', 'fromTSV: contents of the wrong type', /^fromTSV needs the file contents as a string, Uint8Array or ArrayBuffer$/, () => caught(() => tasks.fromTSV(42), 'BAD_ARGUMENT'));
row('D6', 'fromTSV: not UTF-8 (a Latin-1 é on line 2)', /^the pairs file is not valid UTF-8 at line 2, column 5 \(byte 0xE9\): save it as UTF-8 \(it may be Latin-1, or mix encodings\) and try again$/,
  () => caught(() => tasks.fromTSV(new Uint8Array([0x61, 0x09, 0x62, 0x0a, 0x63, 0x09, 0xc3, 0xa9, 0xe9, 0x0a])), 'BAD_FILE'));
row('D10', 'fromTSV: UTF-16', /^the pairs file is UTF-16 \(it starts with a UTF-16 byte-order mark\): save it as UTF-8 and try again$/,
  () => caught(() => tasks.fromTSV(new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x09, 0x00, 0x62, 0x00])), 'BAD_FILE'));
row('D7', 'fromTSV: a line without a tab', /^line 2: no tab found; each line must be source<TAB>target$/, () => caught(() => tasks.fromTSV('a\tb\nno tab\n'), 'BAD_FILE'));
row('D8', 'fromTSV: a field past the limit', /^line 1: the target is 1001 characters; the limit is 1000: shorten or split it$/, () => caught(() => tasks.fromTSV(`a\t${'b'.repeat(1001)}`), 'LIMIT'));
row('D9', 'fromTSV: no pairs', /^the pairs file has no pairs: write one source<TAB>target per line$/, () => caught(() => tasks.fromTSV('\n\n'), 'BAD_FILE'));

test('tasks is a frozen object: a name it lacks is JavaScript\'s TypeError; generateTask names the tasks', () => {
  assert.ok(Object.isFrozen(tasks));
  assert.throws(() => tasks.nope(), TypeError);
  assert.deepEqual([...taskNames].filter((name) => typeof tasks[name] !== 'function'), []);
});

// ---- More cases of the same entries (not rows of the table) -----------------------------------
// Every refusal is an Error with the documented code, and the model stays usable afterwards.
async function refuses(fn, code, pattern) {
  const error = await caught(fn);
  assert.ok(error, `accepted; expected ${code} ${pattern}`);
  assert.match(error.message, pattern);
  assert.equal(error.code, code, `code of "${error.message}"`);
}
const argBase = { cell: 'gru', attention: 'additive', embed: 8, hidden: 8, srcVocabSize: 12, tgtVocabSize: 12, seed: 1 };
const argGood = makeBatch([[[4, 5, 6], [6, 5, 4]], [[7], [7]]]);

test('Seq2Seq.create refuses unknown attentions and backends (Seq2Seq.load, Translator.create and load too), missing options and sizes out of range', async () => {
  const cases = [
    [{ ...argBase, attention: 'multihead' }, 'BAD_ARGUMENT', /unknown attention "multihead"/],
    [{ ...argBase, backend: 'gpu' }, 'BAD_ARGUMENT', /unknown backend "gpu"/],
    [{ ...argBase, hidden: 0 }, 'BAD_ARGUMENT', /hidden must be between 1/],
    [{ ...argBase, hidden: 1.5 }, 'BAD_ARGUMENT', /hidden must be an integer/],
    [{ ...argBase, hidden: 5000 }, 'LIMIT', /hidden size 5000 is out of range/],
    [{ ...argBase, embed: 2 ** 40 }, 'LIMIT', /embed must be between/],
    [{ ...argBase, srcVocabSize: 3 }, 'BAD_ARGUMENT', /source vocabulary size 3 is out of range/],
    [{ ...argBase, tgtVocabSize: undefined }, 'BAD_ARGUMENT', /tgtVocabSize must be an integer/],
    [{ ...argBase, scale: 'yes' }, 'BAD_ARGUMENT', /scale must be true or false/],
    [{ ...argBase, seed: -1 }, 'BAD_ARGUMENT', /seed must be between 0 and 4294967295/],
  ];
  for (const [options, code, pattern] of cases) await refuses(() => Seq2Seq.create(options), code, pattern);
  await refuses(() => Seq2Seq.create(), 'BAD_ARGUMENT', /needs an options object/);
  await refuses(() => Seq2Seq.load(new Uint8Array(8), { backend: 'gpu' }), 'BAD_ARGUMENT', /unknown backend "gpu"/);
  await refuses(() => Translator.create({ pairs, backend: 'gpu' }), 'BAD_ARGUMENT', /unknown backend "gpu"/);
  await refuses(() => Translator.load(tr.save(), { backend: 'gpu' }), 'BAD_ARGUMENT', /unknown backend "gpu"/);
});

test('batches with mismatched lengths, bad token ids or bad lengths are refused; the model stays usable', async () => {
  const m = await Seq2Seq.create(argBase);
  const cases = [
    [{ ...argGood, tgtOut: [1, 2] }, /tgtOut has 2 entries/],
    [{ ...argGood, tgtIn: Int32Array.from(argGood.tgtIn, (x, i) => (i === 1 ? -3 : x)) }, /tgtIn\[1\] = -3/],
    [{ ...argGood, srcLengths: new Int32Array([3, 4]) }, /srcLengths\[1\] = 4: it must be between 1 and 3/],
    [{ ...argGood, srcLengths: new Int32Array([3, 0]) }, /srcLengths\[1\] = 0/],
    [{ ...argGood, batchSize: 0 }, /batchSize must be between 1/],
    [{ ...argGood, src: [4, 5, 6.5, 7, 0, 0] }, /src\[2\] must be an integer token id/],
  ];
  for (const [bad, pattern] of cases) {
    await refuses(() => m.lossAndGradients(bad), 'BAD_ARGUMENT', pattern);
    await refuses(() => m.trainStep(bad), 'BAD_ARGUMENT', pattern);
  }
  await refuses(() => m.trainStep(argGood, { learningRate: NaN }), 'BAD_ARGUMENT', /learningRate must be a number > 0/);
  await refuses(() => m.trainStep(argGood, { clipNorm: -1 }), 'BAD_ARGUMENT', /clipNorm must be between 0/);
  await refuses(() => m.trainStep(argGood, { lr: 0.1 }), 'BAD_ARGUMENT', /unknown option 'lr'/);
  assert.ok(Number.isFinite(m.trainStep(argGood).loss), 'the model still trains after refused calls');
  m.dispose();
});

test('translateTokens, parameters and metadata refuse bad options; the model stays usable', async () => {
  const m = await Seq2Seq.create(argBase);
  await refuses(() => m.translateTokens([4], { beam: 0 }), 'BAD_ARGUMENT', /beam must be between 1/);
  await refuses(() => m.translateTokens([4], { beam: 65 }), 'LIMIT', /beam 65 is larger than the limit of 64/);
  await refuses(() => m.translateTokens([4], { maxLength: 0 }), 'BAD_ARGUMENT', /maxLength must be between 1/);
  await refuses(() => m.translateTokens([4], { maxLength: 5000 }), 'LIMIT', /maxLength 5000 is out of range/);
  await refuses(() => m.translateTokens([4], { lengthPenalty: -1 }), 'BAD_ARGUMENT', /lengthPenalty must be between 0 and 10/);
  await refuses(() => m.translateTokens([4], { temperature: 1 }), 'BAD_ARGUMENT', /unknown option 'temperature'/);
  await refuses(() => m.setParameter('out.bias', 'zeros'), 'BAD_ARGUMENT', /needs a Float32Array/);
  await refuses(() => m.setMetadata(new Uint8Array(17 << 20)), 'LIMIT', /metadata of 17825792 bytes is larger than the limit/);
  assert.ok(m.translateTokens([4, 5]).tokens.length > 0, 'still usable');
  m.dispose();
});

test('a disposed Seq2Seq refuses every call; disposing twice is harmless', async () => {
  const m = await Seq2Seq.create(argBase);
  m.dispose();
  m.dispose();
  for (const call of [() => m.parameterNames(), () => m.getParameter('out.bias'), () => m.lossAndGradients(argGood),
    () => m.trainStep(argGood), () => m.translateTokens([4]), () => m.save(), () => m.config, () => m.traceTokens([4])])
    await refuses(call, 'DISPOSED', /disposed/);
});

const SMALL = { embed: 8, hidden: 16, attentionSize: 16 };
const data = tasks.reverse({ seed: 1, trainSize: 400, testSize: 40, minLength: 2, maxLength: 5, alphabet: 'abcd' });
const small = (options = {}) => Translator.create({ pairs: data.train, ...SMALL, ...options });

test('Translator.load refuses files without vocabularies, damaged files and wrong types', async () => {
  const core = await Seq2Seq.create({ srcVocabSize: 6, tgtVocabSize: 6, ...SMALL });
  const raw = core.save();
  core.dispose();
  await assert.rejects(Translator.load(raw), /no vocabularies.*Seq2Seq\.load/);
  await assert.rejects(Translator.load(new Uint8Array([1, 2, 3, 4])), (e) => e instanceof Error && e.message.length > 0);
  const withMetadata = async (text) => {
    const c = await Seq2Seq.create({ srcVocabSize: 6, tgtVocabSize: 6, ...SMALL });
    c.setMetadata(new TextEncoder().encode(text));
    const bytes = c.save();
    c.dispose();
    return bytes;
  };
  await assert.rejects(Translator.load(await withMetadata('{not json')), (e) => e.code === 'BAD_FILE' && /not valid UTF-8 JSON/.test(e.message));
  await assert.rejects(Translator.load(await withMetadata('{"format":"other"}')), /not a Translator's/);
  const good = { format: 'seq2seq-attention/translator', version: 1, tokenizer: { source: 'char', target: 'char' } };
  await assert.rejects(Translator.load(await withMetadata(JSON.stringify({ ...good, version: 9 }))), /version 9.*upgrade/);
  await assert.rejects(Translator.load(await withMetadata(JSON.stringify({ ...good, sourceVocabulary: 'ab', targetVocabulary: [] }))), /vocabularies in this model file are damaged/);
  await assert.rejects(Translator.load(await withMetadata(JSON.stringify({ ...good, sourceVocabulary: ['a'], targetVocabulary: ['b'] }))), /inconsistent: .* 5\/5 .* 6\/6/);
  await assert.rejects(Translator.load('model.s2s'), /Uint8Array/);
  await assert.rejects(Translator.load(new Uint8Array(8), { device: 'gpu' }), /unknown option "device"/);
});

test('Translator dispose: later calls throw DISPOSED with advice; disposing twice is fine', async () => {
  const model = await small();
  model.dispose();
  model.dispose();
  assert.throws(() => model.translate('ab'), (e) => e.code === 'DISPOSED' && /create or load a new one/.test(e.message));
  assert.throws(() => model.save(), /disposed/);
  await assert.rejects(model.train(data.train, { steps: 1 }), /disposed/);
});

test('Translator: bad input at every entry is an Error that says what to do', async () => {
  await assert.rejects(Translator.create(), /options must be an object/);
  await assert.rejects(Translator.create({}), /pairs must be an array/);
  await assert.rejects(Translator.create({ pairs: [] }), /pairs is empty/);
  await assert.rejects(Translator.create({ pairs: [['a']] }), /pairs\[0\] must be a \[source, target\]/);
  await assert.rejects(Translator.create({ pairs: [['a', 2]] }), /pairs\[0\]/);
  await assert.rejects(Translator.create({ pairs: data.train, hiden: 3 }), /unknown option "hiden"/);
  await assert.rejects(Translator.create({ pairs: data.train, tokenizer: 'sentencepiece' }), /'char', 'word' or 'bpe'/);
  await assert.rejects(Translator.create({ pairs: [['', '']] }), /no symbols/);
  await assert.rejects(Translator.create({ pairs: data.train, cell: 'transformer' }), /cell/);
  await assert.rejects(Translator.create({ pairs: data.train, info: 'x' }), /info must be a plain object/);

  const model = await small();
  try {
    assert.throws(() => model.translate(''), /no symbols to translate/);
    assert.throws(() => model.translate(null), /must be a string/);
    assert.throws(() => model.translate('a'.repeat(1025)), (e) => e.code === 'LIMIT' && /limit is 1024/.test(e.message));
    assert.throws(() => model.translate('a'.repeat(200000)), /split it/);
    assert.throws(() => model.translate('ab', { beam: 0 }), /beam must be an integer from 1/);
    assert.throws(() => model.translate('ab', { beam: 2, nBest: 3 }), /nBest/);
    assert.throws(() => model.translate('ab', { maxLength: 0 }), /maxLength/);
    assert.throws(() => model.translate('ab', { lengthPenalty: -1 }), /lengthPenalty/);
    assert.throws(() => model.translate('ab', { bem: 2 }), /unknown option "bem"/);
    assert.throws(() => model.translateBatch('ab'), /array of strings/);
    assert.throws(() => model.translateBatch(['ab', '']), /texts\[1\]: text has no symbols/);
    assert.throws(() => model.explain(''), /no symbols/);
    assert.throws(() => model.evaluate([]), /pairs is empty/);
    assert.throws(() => model.evaluate([['', 'a']]), /pairs\[0\]/);
    const train = (options, pairs = data.train) => model.train(pairs, options);
    await assert.rejects(train({ epochs: 1, steps: 1 }), /epochs or steps, not both/);
    await assert.rejects(train({ batchSize: 0 }), /batchSize must be an integer from 1/);
    await assert.rejects(train({ learningRate: -1 }), /learningRate must be a finite number > 0/);
    await assert.rejects(train({ schedule: 'linear' }), /schedule must be/);
    await assert.rejects(train({ steps: 1, schedule: () => NaN }), /schedule\(0, 1\) returned NaN/);
    await assert.rejects(train({ signal: {} }), /AbortSignal/);
    await assert.rejects(train({ onProgress: 3 }), /onProgress must be a function/);
    await assert.rejects(train({ evaluate: { pairs: [] } }), /evaluate.pairs is empty/);
    await assert.rejects(train({ evaluate: { pairs: data.test, beam: 0 } }), /evaluate.beam must be an integer/);
    await assert.rejects(train({ bucket: 'yes' }), /bucket must be true or false/);
    await assert.rejects(train({}, [['', 'x']]), /pairs\[0\]\[0\] has no symbols/);
    await assert.rejects(train({}, [['ab', 'x'.repeat(1024)]]), /pairs\[0\]\[1\] has 1024 symbols/);
    const first = model.train(data.train, { steps: 200 });
    await assert.rejects(train({ steps: 1 }), /already running/);
    await first;
  } finally {
    model.dispose();
  }
});

test('docs/bad-input.md lists exactly the tested rows, each with a message its test accepts', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  const docRows = new Map();
  for (const line of doc.split('\n')) {
    const m = line.match(/^\| *([A-Z]+\d+) *\|.*`([^`]*)` *\| *$/); // the message: the last code span
    if (m) docRows.set(m[1], m[2]);
  }
  // rows tested in the other two files
  const others = ['hardening-bad-input-cli.test.js', 'hardening-bad-input-page.test.js', 'checkpoint-format.test.js', 'checkpoint-cli.test.js'].flatMap((f) => {
    const src = fs.readFileSync(new URL(f, import.meta.url), 'utf8');
    return [...src.matchAll(/^(?:row|cliRow|pageRow)\('([A-Z]+\d+)'/gm)].map((x) => x[1]);
  });
  const tested = new Set([...ROWS.keys(), ...others]);
  assert.deepEqual([...docRows.keys()].sort(), [...tested].sort(), 'the doc table and the tests must list the same ids');
  for (const [id, message] of ROWS) assert.match(docRows.get(id), message, `${id}: the doc's message is not what the test sees`);
});
