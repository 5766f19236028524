// Tokenizers and vocabularies at the edges: empty strings, emoji and other astral characters,
// unknown symbols, too-long input, and what the model file stores.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  charTokenizer, wordTokenizer, getTokenizer, Vocabulary, UNK, EOS, PAD, BOS, MAX_VOCABULARY_SIZE,
} from '../lib/text.js';

test('char tokenizer: code points, so astral characters stay whole and round-trip', () => {
  assert.deepEqual(charTokenizer.tokenize(''), []);
  assert.deepEqual(charTokenizer.tokenize('a😀b'), ['a', '😀', 'b']);
  assert.deepEqual(charTokenizer.tokenize('𝔸 é'), ['𝔸', ' ', 'é']);
  for (const s of ['👍🏽 ok', '👩‍👩‍👧', 'naïve café', '日本語']) {
    assert.equal(charTokenizer.detokenize(charTokenizer.tokenize(s)), s);
  }
});

test('word tokenizer: words, numbers and each punctuation mark are symbols', () => {
  assert.deepEqual(wordTokenizer.tokenize(''), []);
  assert.deepEqual(wordTokenizer.tokenize('   '), []);
  assert.deepEqual(wordTokenizer.tokenize("l'arbre est grand."), ['l', "'", 'arbre', 'est', 'grand', '.']);
  assert.deepEqual(wordTokenizer.tokenize('Hi, 2019 😀!'), ['Hi', ',', '2019', '😀', '!']);
  assert.deepEqual(wordTokenizer.tokenize('où est-il ?'), ['où', 'est', '-', 'il', '?']);
});

test('word detokenizer glues punctuation as documented', () => {
  for (const s of ["l'arbre est grand.", 'où est la zone?', 'Hi, (you) 50%!', 'est-il ici?']) {
    assert.equal(wordTokenizer.detokenize(wordTokenizer.tokenize(s)), s);
  }
  assert.equal(wordTokenizer.detokenize(['a', 'b', ',', 'c']), 'a b, c');
});

test('too long text is refused with a message that says what to do', () => {
  assert.throws(() => charTokenizer.tokenize('a'.repeat(100001)), /split it/);
  assert.throws(() => wordTokenizer.tokenize(42), /must be a string/);
  assert.throws(() => getTokenizer('sentencepiece'), /use 'char', 'word' or 'bpe'/);
  assert.throws(() => getTokenizer('bpe'), /learned from texts/);
});

test('Vocabulary: specials first, then symbols by frequency, ties by first appearance', () => {
  const v = Vocabulary.fromTexts(['abca', 'cb', 'd'], charTokenizer);
  assert.deepEqual(v.symbols, ['a', 'b', 'c', 'd']); // a:2 b:2 c:2 d:1, ties in first-seen order
  assert.equal(v.size, 8);
  assert.equal(v.id('a'), 4);
  assert.equal(v.id('zz'), UNK);
  assert.equal(v.symbol(PAD), '<pad>');
  assert.equal(v.symbol(BOS), '<s>');
  assert.equal(v.symbol(EOS), '</s>');
  assert.equal(v.symbol(UNK), '<unk>');
  assert.throws(() => v.symbol(8), /outside this vocabulary/);
  const w = Vocabulary.fromTexts(['b b a'], wordTokenizer);
  assert.deepEqual(w.symbols, ['b', 'a']);
});

test('Vocabulary: unknown symbols become UNK and are reported with their position', () => {
  const v = Vocabulary.fromTexts(['abc'], charTokenizer);
  const { ids, unknown } = v.encode(charTokenizer.tokenize('a😀c!'));
  assert.deepEqual(Array.from(ids), [v.id('a'), UNK, v.id('c'), UNK]);
  assert.deepEqual(unknown, [{ symbol: '😀', index: 1 }, { symbol: '!', index: 3 }]);
});

test('Vocabulary: decode stops at EOS, skips PAD/BOS; JSON round trip', () => {
  const v = Vocabulary.fromTexts(['xyz'], charTokenizer);
  const ids = [BOS, v.id('x'), PAD, v.id('z'), EOS, v.id('y')];
  assert.deepEqual(v.decode(ids), ['x', 'z']);
  const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.symbols, v.symbols);
  assert.throws(() => Vocabulary.fromJSON({}), /not a list/);
  assert.throws(() => new Vocabulary(['a', 'a']), /appears twice/);
  assert.throws(() => new Vocabulary(['']), /non-empty string/);
});

test('Vocabulary: maxSize keeps the most frequent symbols; limits are checked', () => {
  const v = Vocabulary.fromTexts(['aaabbc'], charTokenizer, { maxSize: 6 });
  assert.deepEqual(v.symbols, ['a', 'b']);
  const m = Vocabulary.fromTexts(['aaabbc'], charTokenizer, { minCount: 2 });
  assert.deepEqual(m.symbols, ['a', 'b']);
  assert.throws(() => Vocabulary.fromTexts(['a'], charTokenizer, { maxSize: 4 }), /maxSize/);
  assert.throws(() => new Vocabulary(new Array(MAX_VOCABULARY_SIZE).fill(0).map((_, i) => `s${i}`)), /maxSize/);
});
