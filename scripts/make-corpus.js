#!/usr/bin/env node
// make-corpus.js: a reproducible stand-in for a real parallel corpus (no real corpus can be
// downloaded here), for the tests and bench/vocab.js.
//
//   node scripts/make-corpus.js [--pairs 100000] [--words 20000] [--seed 1] [--zipf 1.0]
//                               [--format tsv|tatoeba] [--out FILE]      (stdout without --out)
//
// The source "language" has --words pseudo-words made of consonant-vowel syllables, drawn with
// Zipf-distributed frequencies (the word of rank r has probability proportional to 1/r^s), so
// the word vocabulary is large and long-tailed like a real one. The target is a rule, so
// accuracy is measurable:
//   1. every source syllable maps to a fixed target syllable (some with é, ö, ñ, ch, sh, th),
//      so a target word is its source word syllable by syllable (unseen words are predictable
//      from their pieces, which is what subword vocabularies are for);
//   2. an "adjective" (a word whose last vowel is 'a') followed by a non-adjective swaps places
//      with it, as English adjective-noun becomes French noun-adjective;
//   3. the first word of both sides is capitalised, and the final . ? or ! is kept.
// --format tatoeba writes Tatoeba's id<TAB>sentence<TAB>id<TAB>translation lines (read them
// with --columns 2,4). Same options, same bytes, on every machine (lib/random.js).

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRandom } from '../lib/random.js';

const SOURCE_CONSONANTS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z'];
const SOURCE_VOWELS = ['a', 'e', 'i', 'o', 'u'];
const TARGET_CONSONANTS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'ch', 'sh', 'th', 'ñ'];
const TARGET_VOWELS = ['a', 'é', 'i', 'ö', 'u'];
const ENDINGS = ['.', '.', '.', '?', '!'];
const LENGTH_WEIGHTS = [0.08, 0.37, 0.37, 0.18]; // words of 1, 2, 3, 4 syllables

function capitalise(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * The corpus generator. Returns the lexicon and a function making pair number i.
 * @param {{words?: number, seed?: number, zipf?: number}} [options]
 */
export function corpusLanguage({ words = 20000, seed = 1, zipf = 1.0 } = {}) {
  if (!Number.isInteger(words) || words < 10 || words > 200000) throw new RangeError('words must be an integer from 10 to 200000');
  if (typeof zipf !== 'number' || !(zipf > 0 && zipf <= 3)) throw new RangeError('zipf must be a number in (0, 3]');
  const rng = createRandom(seed);
  const sourceSyllables = SOURCE_CONSONANTS.flatMap((c) => SOURCE_VOWELS.map((v) => c + v));
  const targetSyllables = rng.shuffle(TARGET_CONSONANTS.flatMap((c) => TARGET_VOWELS.map((v) => c + v)));
  const syllableMap = new Map(sourceSyllables.map((s, i) => [s, targetSyllables[i]]));
  const lexicon = [];
  const seen = new Set();
  while (lexicon.length < words) {
    let u = rng.next();
    let n = 1;
    while (n < LENGTH_WEIGHTS.length && u >= LENGTH_WEIGHTS[n - 1]) u -= LENGTH_WEIGHTS[n++ - 1];
    const syllables = Array.from({ length: n }, () => rng.pick(sourceSyllables));
    const source = syllables.join('');
    if (seen.has(source)) continue;
    seen.add(source);
    lexicon.push({
      source,
      target: syllables.map((s) => syllableMap.get(s)).join(''),
      adjective: syllables[n - 1].endsWith('a'),
    });
  }
  // Zipf: cumulative weights 1/r^s, sampled by binary search.
  const cumulative = new Float64Array(words);
  let total = 0;
  for (let r = 0; r < words; r++) cumulative[r] = total += 1 / (r + 1) ** zipf;
  const drawWord = (random) => {
    const u = random.next() * total;
    let lo = 0;
    let hi = words - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lexicon[lo];
  };
  /** The translation rule applied to a list of lexicon entries. */
  const translate = (entries, ending) => {
    const order = entries.slice();
    for (let i = 0; i + 1 < order.length; i++) {
      if (order[i].adjective && !order[i + 1].adjective) {
        [order[i], order[i + 1]] = [order[i + 1], order[i]];
        i++;
      }
    }
    const target = order.map((e) => e.target);
    target[0] = capitalise(target[0]);
    return target.join(' ') + ending;
  };
  /** Pair i (0-based): [source, target]; each pair has its own seeded stream. */
  const pair = (i) => {
    const random = createRandom((seed * 1000003 + i) >>> 0);
    const length = random.range(3, 10);
    const entries = Array.from({ length }, () => drawWord(random));
    const ending = random.pick(ENDINGS);
    const source = entries.map((e) => e.source);
    source[0] = capitalise(source[0]);
    return [source.join(' ') + ending, translate(entries, ending)];
  };
  return { lexicon, pair, translate };
}

/**
 * Pairs 0..count-1 of the corpus.
 * @param {{pairs?: number, words?: number, seed?: number, zipf?: number}} [options]
 * @returns {[string, string][]}
 */
export function makeCorpus({ pairs = 100000, ...options } = {}) {
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > 10000000) throw new RangeError('pairs must be an integer from 1 to 10000000');
  const language = corpusLanguage(options);
  return Array.from({ length: pairs }, (_, i) => language.pair(i));
}

/** The corpus as file text: 'tsv' (source<TAB>target) or 'tatoeba' (id, sentence, id, translation). */
export function corpusText(corpus, format = 'tsv') {
  if (format === 'tsv') return corpus.map(([s, t]) => `${s}\t${t}\n`).join('');
  if (format === 'tatoeba') return corpus.map(([s, t], i) => `${2 * i + 1}\t${s}\t${2 * i + 2}\t${t}\n`).join('');
  throw new RangeError("format must be 'tsv' or 'tatoeba'");
}

function main() {
  const { values } = parseArgs({
    options: {
      pairs: { type: 'string' }, words: { type: 'string' }, seed: { type: 'string' }, zipf: { type: 'string' },
      format: { type: 'string' }, out: { type: 'string' },
    },
  });
  const number = (name, fallback) => (values[name] === undefined ? fallback : Number(values[name]));
  const corpus = makeCorpus({
    pairs: number('pairs', 100000), words: number('words', 20000), seed: number('seed', 1), zipf: number('zipf', 1.0),
  });
  const text = corpusText(corpus, values.format ?? 'tsv');
  if (values.out) {
    writeFileSync(values.out, text);
    process.stderr.write(`wrote ${corpus.length} pairs, ${Buffer.byteLength(text)} bytes to ${values.out}\n`);
  } else {
    process.stdout.write(text);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
