// A Translator with bpe sides: the model file carries the tokenizers (translation needs nothing
// else), shared and separate vocabularies, scoring on words, and bad options and damaged files.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Translator, Seq2Seq } from '../lib/index.js';
import { BpeTokenizer } from '../lib/bpe.js';
import { makeCorpus } from '../scripts/make-corpus.js';

const corpus = makeCorpus({ pairs: 600, words: 500, seed: 4 });
const small = { embed: 16, hidden: 24, attentionSize: 16, seed: 3 };

function metadataOf(bytes) {
  return Seq2Seq.load(bytes).then((core) => {
    const json = JSON.parse(new TextDecoder().decode(core.getMetadata()));
    return { core, json };
  });
}

test('the model file carries the bpe tokenizers: a loaded model tokenizes and translates the same', async () => {
  const model = await Translator.create({ pairs: corpus, tokenizer: 'bpe', vocabSize: { source: 420, target: 380 }, ...small });
  assert.equal(model.config.srcVocabSize, 420);
  assert.equal(model.config.tgtVocabSize, 380);
  await model.train(corpus, { steps: 20, batchSize: 32 });
  const bytes = model.save();
  model.dispose();
  const { core, json } = await metadataOf(bytes);
  core.dispose();
  assert.equal(json.version, 2);
  assert.deepEqual(json.tokenizer, { source: 'bpe', target: 'bpe' });
  assert.equal(json.bpe.shared, false);
  // the stored tokenizer is the one learned from the texts (independently relearned here)
  assert.deepEqual(json.bpe.source, BpeTokenizer.learn(corpus.map((p) => p[0]), { vocabSize: 420 }).toJSON());
  assert.deepEqual(json.bpe.target, BpeTokenizer.learn(corpus.map((p) => p[1]), { vocabSize: 380 }).toJSON());
  const loaded = await Translator.load(bytes);
  const again = await Translator.load(bytes);
  const text = 'Zobu neha ☃ never-seen wörds 日本';
  const r = loaded.translate(text);
  assert.deepEqual(r.attention.source, loaded.tokenizers.source.tokenize(text));
  assert.equal(loaded.tokenizers.source.detokenize(r.attention.source), text); // lossless, unseen characters as bytes
  assert.deepEqual(r.unknown, []); // bpe never gives UNK
  assert.equal(again.translate(text).text, r.text);
  loaded.dispose();
  again.dispose();
});

test('shared vocabulary: one tokenizer learned from both sides, Vs = Vt', async () => {
  const model = await Translator.create({ pairs: corpus, tokenizer: 'bpe', vocabSize: 500, sharedVocabulary: true, ...small });
  assert.equal(model.config.srcVocabSize, model.config.tgtVocabSize);
  const expected = BpeTokenizer.learn([...corpus.map((p) => p[0]), ...corpus.map((p) => p[1])], { vocabSize: 500 });
  assert.deepEqual(model.tokenizers.source.toJSON(), expected.toJSON());
  assert.equal(model.tokenizers.target, model.tokenizers.source);
  const loaded = await Translator.load(model.save());
  assert.equal(loaded.tokenizers.shared, true);
  assert.deepEqual(loaded.sourceVocabulary.symbols, loaded.targetVocabulary.symbols);
  model.dispose();
  loaded.dispose();
});

test('mixed sides: bpe source, char target; char/word models still write version 1', async () => {
  const mixed = await Translator.create({ pairs: corpus, tokenizer: { source: 'bpe', target: 'char' }, vocabSize: 400, ...small });
  const { core, json } = await metadataOf(mixed.save());
  core.dispose();
  assert.equal(json.bpe.target, null);
  assert.ok(json.bpe.source.merges.length > 0);
  const loaded = await Translator.load(mixed.save());
  assert.equal(loaded.translate('Zobu').tokens.every((t) => Array.from(t).length === 1), true);
  const plain = await Translator.create({ pairs: corpus.slice(0, 20), ...small });
  const m = await metadataOf(plain.save());
  m.core.dispose();
  assert.equal(m.json.version, 1);
  assert.equal(m.json.bpe, undefined);
  for (const x of [mixed, loaded, plain]) x.dispose();
});

test('evaluate with a bpe target scores words (comparable with word models) and exact texts', async () => {
  const model = await Translator.create({ pairs: corpus, tokenizer: 'bpe', vocabSize: 400, ...small });
  const pairs = corpus.slice(0, 5);
  const m = model.evaluate(pairs);
  // recompute from the translations with the word tokenizer
  const { corpusBleu } = await import('../lib/metrics.js');
  const { wordTokenizer } = await import('../lib/text.js');
  const hyps = pairs.map(([s]) => wordTokenizer.tokenize(model.translate(s).text));
  const refs = pairs.map(([, t]) => wordTokenizer.tokenize(t));
  assert.equal(m.bleu, corpusBleu(hyps, refs).score);
  assert.equal(m.exactMatch, pairs.filter(([s, t]) => model.translate(s).text === t).length / pairs.length);
  model.dispose();
});

test('bad options are refused with what to do', async () => {
  const cases = [
    [{ tokenizer: 'bpe', vocabSize: 100 }, /vocabSize must be an integer from 261/],
    [{ tokenizer: 'bpe', vocabSize: 70000 }, /to 65536/],
    [{ tokenizer: 'char', vocabSize: 500 }, /vocabSize is for the 'bpe' tokenizer; with 'char' or 'word' use maxVocabularySize/],
    [{ tokenizer: { source: 'bpe', target: 'word' }, sharedVocabulary: true }, /sharedVocabulary needs the 'bpe' tokenizer on both sides/],
    [{ tokenizer: 'bpe', sharedVocabulary: true, vocabSize: { source: 400, target: 500 } }, /a shared vocabulary has one size/],
    [{ tokenizer: { source: 'bpe', target: 'char' }, vocabSize: { target: 500 } }, /vocabSize.target is for a 'bpe' target tokenizer/],
    [{ tokenizer: 'bpe', vocabSize: { sauce: 400 } }, /unknown option "sauce"/],
    [{ tokenizer: 'bpe', sharedVocabulary: 'yes' }, /sharedVocabulary must be true or false/],
    [{ tokenizer: 'sentencepiece' }, /use 'char', 'word' or 'bpe'/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(Translator.create({ pairs: corpus.slice(0, 50), ...small, ...options }),
      (e) => e.code === 'BAD_ARGUMENT' || e.code === 'LIMIT' ? message.test(e.message) : false, JSON.stringify(options));
  }
  const model = await Translator.create({ pairs: corpus.slice(0, 50), tokenizer: 'bpe', vocabSize: 300, ...small });
  assert.throws(() => model.translate('bad \uD800 text'), (e) => e.code === 'BAD_ARGUMENT' && /lone surrogate/.test(e.message));
  model.dispose();
});

test('a model file whose vocabulary does not match its bpe tokenizer is refused (BAD_FILE)', async () => {
  const model = await Translator.create({ pairs: corpus.slice(0, 100), tokenizer: 'bpe', vocabSize: 320, ...small });
  const bytes = model.save();
  model.dispose();
  const damage = async (edit) => {
    const { core, json } = await metadataOf(bytes);
    edit(json);
    core.setMetadata(new TextEncoder().encode(JSON.stringify(json)));
    const out = core.save();
    core.dispose();
    return out;
  };
  const swapped = await damage((j) => {
    const v = j.targetVocabulary;
    [v[300], v[301]] = [v[301], v[300]];
  });
  await assert.rejects(Translator.load(swapped), (e) => e.code === 'BAD_FILE' && /target vocabulary is not the one its bpe tokenizer implies/.test(e.message));
  const noBpe = await damage((j) => { delete j.bpe; });
  await assert.rejects(Translator.load(noBpe), (e) => e.code === 'BAD_FILE' && /bpe tokenizers are missing/.test(e.message));
  const badMerge = await damage((j) => { j.bpe.source.merges[0] = ['<0x41>', 'a']; });
  await assert.rejects(Translator.load(badMerge), (e) => e.code === 'BAD_FILE' && /merges\[0\]/.test(e.message));
  const v3 = await damage((j) => { j.version = 3; });
  await assert.rejects(Translator.load(v3), (e) => e.code === 'BAD_FILE' && /version 3.*upgrade/.test(e.message));
});
