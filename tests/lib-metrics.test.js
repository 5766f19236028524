// Metrics against worked examples computed by hand (the arithmetic is in the comments), using
// sacreBLEU's definitions: corpus BLEU with 'exp' smoothing and brevity penalty, chrF with
// character 6-grams, beta 2, whitespace removed, statistics summed over the corpus.
import test from 'node:test';
import assert from 'node:assert/strict';
import { exactMatch, tokenAccuracy, corpusBleu, chrF } from '../lib/metrics.js';

const close = (actual, expected, what) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
const words = (s) => s.split(' ').filter(Boolean);

test('exactMatch counts identical strings or token arrays', () => {
  assert.equal(exactMatch(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'y']), 0.5);
  assert.equal(exactMatch([['a', 'b'], ['c']], [['a', 'b'], ['c', 'd']]), 0.5);
  assert.equal(exactMatch([], []), 0);
  assert.throws(() => exactMatch(['a'], []), /one reference per hypothesis/);
});

test('tokenAccuracy: matches by position over the longer side', () => {
  // [a b c] vs [a x c d]: a and c match, 4 positions; [] vs [y]: 0 of 1. Corpus: 2 / 5.
  close(tokenAccuracy([['a', 'b', 'c'], []], [['a', 'x', 'c', 'd'], ['y']]), 0.4, 'two pairs');
  close(tokenAccuracy([['a', 'b']], [['a', 'b']]), 1, 'identical');
  assert.equal(tokenAccuracy([[]], [[]]), 1);
  assert.throws(() => tokenAccuracy(['abc'], [['a']]), /array of token strings/);
});

test('corpusBleu: one sentence with a smoothed 4-gram precision', () => {
  // hyp "the cat sat on the mat", ref "the cat is on the mat" (6 tokens each, BP = 1).
  // 1-grams: the x2, cat, on, mat match -> 5/6. 2-grams: "the cat", "on the", "the mat" -> 3/5.
  // 3-grams: "on the mat" -> 1/4. 4-grams: none of 3 -> exp smoothing 1/(2*3) = 1/6.
  // BLEU = 100 * (5/6 * 3/5 * 1/4 * 1/6)^(1/4) = 100 * (1/48)^(1/4) = 37.9918...
  const r = corpusBleu([words('the cat sat on the mat')], [words('the cat is on the mat')]);
  close(r.score, 100 * Math.pow(1 / 48, 0.25), 'score');
  assert.deepEqual(r.matches, [5, 3, 1, 0]);
  assert.deepEqual(r.totals, [6, 5, 4, 3]);
  assert.equal(r.brevityPenalty, 1);
  assert.ok(Math.abs(r.score - 37.9918) < 1e-3);
});

test('corpusBleu: statistics are summed over the corpus before the brevity penalty', () => {
  // Pair 1: "a b c" vs "a b c d e"; pair 2: "x y z w" vs itself.
  // Matches/totals: 1-grams 3+4 = 7/7, 2-grams 2+3 = 5/5, 3-grams 1+2 = 3/3, 4-grams 0+1 = 1/1.
  // sys 7, ref 9: BP = exp(1 - 9/7) = exp(-2/7); BLEU = 100 * exp(-2/7) = 75.148...
  const r = corpusBleu([words('a b c'), words('x y z w')], [words('a b c d e'), words('x y z w')]);
  close(r.score, 100 * Math.exp(-2 / 7), 'score');
  close(r.brevityPenalty, Math.exp(-2 / 7), 'BP');
  assert.equal(r.systemLength, 7);
  assert.equal(r.referenceLength, 9);
});

test('corpusBleu: two unmatched orders are smoothed by 1/2 then 1/4', () => {
  // hyp "a b c d e", ref "a b x c y": 1-grams a b c -> 3/5; 2-grams "a b" -> 1/4;
  // 3-grams 0/3 -> 1/(2*3); 4-grams 0/2 -> 1/(4*2). BLEU = 100 * (3/5 * 1/4 * 1/6 * 1/8)^(1/4)
  // = 100 * (1/320)^(1/4) = 23.644...
  const r = corpusBleu([words('a b c d e')], [words('a b x c y')]);
  close(r.score, 100 * Math.pow(1 / 320, 0.25), 'score');
});

test('corpusBleu: edge cases give sacreBLEU\'s answers', () => {
  // Hypotheses shorter than 4 tokens have no 4-grams: sacreBLEU stops there and scores 0.
  assert.equal(corpusBleu([words('a b c')], [words('a b c d e')]).score, 0);
  // No match at all: 0.
  assert.equal(corpusBleu([words('p q r s')], [words('a b c d')]).score, 0);
  // Identical: 100.
  close(corpusBleu([words('one two three four five')], [words('one two three four five')]).score, 100, 'identical');
  // Whitespace tokens (char tokenizer on "ab cd") are dropped, as sacreBLEU splitting on spaces would.
  close(corpusBleu([Array.from('ab cd')], [Array.from('abcd')]).score, 100, 'spaces ignored');
  assert.throws(() => corpusBleu([['a']], [['a'], ['b']]), /one reference per hypothesis/);
});

test('chrF: a worked example with orders of different counts', () => {
  // hyp "ab", ref "abc". n=1: P = 2/2, R = 2/3. n=2: P = 1/1, R = 1/2. n>=3: hyp has no n-grams, so
  // those orders are skipped. avgP = 1, avgR = (2/3 + 1/2)/2 = 7/12.
  // chrF2 = 100 * 5 * P * R / (4P + R) = 100 * (35/12) / (55/12) = 100 * 7/11 = 63.63...
  close(chrF(['ab'], ['abc']).score, (100 * 7) / 11, 'score');
  // Whitespace is removed before counting, so "a b" scores the same.
  close(chrF(['a b'], ['abc']).score, (100 * 7) / 11, 'whitespace');
  close(chrF(['abc'], ['abc']).score, 100, 'identical');
  assert.equal(chrF(['xyz'], ['abc']).score, 0);
  assert.equal(chrF([''], ['abc']).score, 0);
});

test('chrF: corpus statistics are summed before averaging', () => {
  // Pair 1 "ab" vs "abc" and pair 2 "d" vs "d". n=1: hyp 3, ref 4, common 3 -> P 1, R 3/4.
  // n=2: hyp 1, ref 2, common 1 -> P 1, R 1/2. Orders 3+: no hyp n-grams. avgP 1, avgR 5/8.
  // chrF2 = 100 * 5 * (5/8) / (4 + 5/8) = 100 * (25/8) / (37/8) = 100 * 25/37.
  close(chrF(['ab', 'd'], ['abc', 'd']).score, (100 * 25) / 37, 'score');
});

test('chrF counts astral characters as one character each', () => {
  // "😀a" vs "😀b": n=1 P = R = 1/2; n=2: 0/1 each. avgP = avgR = 1/4, F = 1/4.
  close(chrF(['😀a'], ['😀b']).score, 25, 'score');
  assert.throws(() => chrF([1], ['a']), /must be a string/);
});
