// metrics.js: scores for a list of outputs against a list of references.
//
// exactMatch and tokenAccuracy are fractions in [0, 1]; corpusBleu and chrF are on sacreBLEU's
// 0-100 scale and follow its defaults exactly (BLEU: 4-gram, brevity penalty, 'exp' smoothing,
// one reference; chrF: character 6-grams, beta 2, whitespace removed, statistics summed over the
// corpus). Token lists are whatever tokenizer the caller used: corpusBleu(h, r) equals sacreBLEU
// with tokenize='none' on the same tokens joined by single spaces.

import { fail } from './errors.js';

function checkPairs(hypotheses, references, what) {
  if (!Array.isArray(hypotheses) || !Array.isArray(references)) {
    throw fail(`${what}: hypotheses and references must be arrays`);
  }
  if (hypotheses.length !== references.length) {
    throw fail(
      `${what}: ${hypotheses.length} hypotheses but ${references.length} references: give one reference per hypothesis`);
  }
}

function checkTokenLists(lists, what) {
  for (let i = 0; i < lists.length; i++) {
    const t = lists[i];
    if (!Array.isArray(t) || !t.every((s) => typeof s === 'string')) {
      throw fail(`${what}: entry ${i} must be an array of token strings`);
    }
  }
}

function checkStrings(list, what) {
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') throw fail(`${what}: entry ${i} must be a string`);
  }
}

/**
 * Fraction of hypotheses equal to their reference (strings compared exactly, or token arrays
 * compared element by element). 0 for an empty list.
 * @param {(string|string[])[]} hypotheses
 * @param {(string|string[])[]} references
 */
export function exactMatch(hypotheses, references) {
  checkPairs(hypotheses, references, 'exactMatch');
  if (hypotheses.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < hypotheses.length; i++) {
    const h = hypotheses[i];
    const r = references[i];
    if (Array.isArray(h) && Array.isArray(r)) {
      if (h.length === r.length && h.every((s, k) => s === r[k])) same++;
    } else if (h === r) {
      same++;
    }
  }
  return same / hypotheses.length;
}

/**
 * Position-wise token accuracy: the number of positions k where hyp[k] === ref[k], summed over
 * the corpus, divided by the sum of max(|hyp|, |ref|), so missing and extra tokens both count as
 * wrong. 1 when every sequence is empty on both sides; 0 for an empty list.
 * @param {string[][]} hypotheses
 * @param {string[][]} references
 */
export function tokenAccuracy(hypotheses, references) {
  checkPairs(hypotheses, references, 'tokenAccuracy');
  checkTokenLists(hypotheses, 'tokenAccuracy');
  checkTokenLists(references, 'tokenAccuracy');
  if (hypotheses.length === 0) return 0;
  let correct = 0;
  let total = 0;
  for (let i = 0; i < hypotheses.length; i++) {
    const h = hypotheses[i];
    const r = references[i];
    total += Math.max(h.length, r.length);
    const n = Math.min(h.length, r.length);
    for (let k = 0; k < n; k++) if (h[k] === r[k]) correct++;
  }
  return total === 0 ? 1 : correct / total;
}

function countNgrams(tokens, n) {
  const counts = new Map();
  for (let i = 0; i + n <= tokens.length; i++) {
    // JSON keeps n-grams apart even when tokens contain any would-be separator character.
    const key = n === 1 ? tokens[i] : JSON.stringify(tokens.slice(i, i + n));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function clippedMatches(hyp, ref) {
  let matches = 0;
  for (const [key, count] of hyp) matches += Math.min(count, ref.get(key) ?? 0);
  return matches;
}

/**
 * Corpus BLEU as sacreBLEU computes it (corpus_bleu defaults): n-gram matches clipped by the
 * reference counts and summed over the corpus for n = 1..4; a precision with no match is
 * replaced by 100 / (2^k * total) for the k-th such order ('exp' smoothing); a missing order
 * (hypotheses too short) gives 0; brevity penalty exp(1 - refLen/sysLen) when sysLen < refLen.
 * Whitespace-only tokens are dropped first, as splitting the space-joined text would.
 * @param {string[][]} hypotheses tokens of each output
 * @param {string[][]} references tokens of each reference
 * @returns {{score: number, precisions: number[], brevityPenalty: number, systemLength: number, referenceLength: number, matches: number[], totals: number[]}}
 *   score and precisions on the 0-100 scale
 */
export function corpusBleu(hypotheses, references, { maxOrder = 4 } = {}) {
  checkPairs(hypotheses, references, 'corpusBleu');
  checkTokenLists(hypotheses, 'corpusBleu');
  checkTokenLists(references, 'corpusBleu');
  if (!Number.isInteger(maxOrder) || maxOrder < 1 || maxOrder > 10) {
    throw fail('corpusBleu: maxOrder must be an integer from 1 to 10');
  }
  const matches = new Array(maxOrder).fill(0);
  const totals = new Array(maxOrder).fill(0);
  let systemLength = 0;
  let referenceLength = 0;
  const visible = (t) => t.filter((s) => s.trim() !== '');
  for (let i = 0; i < hypotheses.length; i++) {
    const h = visible(hypotheses[i]);
    const r = visible(references[i]);
    systemLength += h.length;
    referenceLength += r.length;
    for (let n = 1; n <= maxOrder; n++) {
      const hc = countNgrams(h, n);
      matches[n - 1] += clippedMatches(hc, countNgrams(r, n));
      totals[n - 1] += Math.max(0, h.length - n + 1);
    }
  }
  const brevityPenalty = systemLength >= referenceLength ? 1 : systemLength > 0 ? Math.exp(1 - referenceLength / systemLength) : 0;
  const precisions = new Array(maxOrder).fill(0);
  const result = { score: 0, precisions, brevityPenalty, systemLength, referenceLength, matches, totals };
  if (matches.every((m) => m === 0)) return result;
  let smooth = 1;
  for (let n = 0; n < maxOrder; n++) {
    if (totals[n] === 0) break;
    if (matches[n] === 0) {
      smooth *= 2;
      precisions[n] = 100 / (smooth * totals[n]);
    } else {
      precisions[n] = (100 * matches[n]) / totals[n];
    }
  }
  if (precisions.some((p) => p === 0)) return result;
  const meanLog = precisions.reduce((sum, p) => sum + Math.log(p), 0) / maxOrder;
  result.score = brevityPenalty * Math.exp(meanLog);
  return result;
}

/**
 * Corpus chrF as sacreBLEU computes it (CHRF defaults: char_order 6, word_order 0, beta 2,
 * whitespace removed): for n = 1..6 the character n-gram counts of hypotheses, references and
 * their overlap are summed over the corpus; precision and recall are averaged over the orders
 * where both sides have n-grams; F_beta of those averages, times 100. Characters are code points.
 * @param {string[]} hypotheses output texts
 * @param {string[]} references reference texts
 * @returns {{score: number, precision: number, recall: number}} on the 0-100 scale
 */
export function chrF(hypotheses, references, { order = 6, beta = 2 } = {}) {
  checkPairs(hypotheses, references, 'chrF');
  checkStrings(hypotheses, 'chrF');
  checkStrings(references, 'chrF');
  if (!Number.isInteger(order) || order < 1 || order > 10) throw fail('chrF: order must be an integer from 1 to 10');
  if (!(beta > 0)) throw fail('chrF: beta must be a positive number');
  const hypCount = new Array(order).fill(0);
  const refCount = new Array(order).fill(0);
  const common = new Array(order).fill(0);
  for (let i = 0; i < hypotheses.length; i++) {
    const h = Array.from(hypotheses[i].replace(/\s+/gu, ''));
    const r = Array.from(references[i].replace(/\s+/gu, ''));
    for (let n = 1; n <= order; n++) {
      const hc = countNgrams(h, n);
      hypCount[n - 1] += Math.max(0, h.length - n + 1);
      refCount[n - 1] += Math.max(0, r.length - n + 1);
      common[n - 1] += clippedMatches(hc, countNgrams(r, n));
    }
  }
  let precision = 0;
  let recall = 0;
  let effective = 0;
  for (let n = 0; n < order; n++) {
    if (hypCount[n] > 0 && refCount[n] > 0) {
      precision += common[n] / hypCount[n];
      recall += common[n] / refCount[n];
      effective++;
    }
  }
  if (effective > 0) {
    precision /= effective;
    recall /= effective;
  }
  const b2 = beta * beta;
  const score = precision + recall === 0 ? 0 : (100 * (1 + b2) * precision * recall) / (b2 * precision + recall);
  return { score, precision: 100 * precision, recall: 100 * recall };
}
