// tsv.js: the user's own pairs from tab-separated text (UTF-8, one pair per line, source TAB
// target; extra columns ignored, as in Tatoeba/Anki exports; `columns` picks others, e.g. [1, 3]
// for Tatoeba's "id, sentence, id, translation" files), split into train and test.

import { createRandom } from '../random.js';
import { checkOptions, integerOption } from './common.js';
import { resolveTokenizerNames } from '../text.js';
import { fail } from '../errors.js';

/** Default limits; each can be lowered or raised through the options of the same name. */
export const TSV_LIMITS = Object.freeze({ maxBytes: 64 * 1024 * 1024, maxPairs: 1000000, maxFieldLength: 1000 });

function decode(input) {
  if (typeof input === 'string') return input;
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
      throw fail('the pairs file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8 and try again', 'BAD_FILE');
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw fail(`the pairs file is not valid UTF-8 at ${whereNotUtf8(bytes)}: save it as UTF-8 (it may be Latin-1, or mix encodings) and try again`, 'BAD_FILE');
    }
  }
  throw fail('fromTSV needs the file contents as a string, Uint8Array or ArrayBuffer');
}

/** Where the first ill-formed UTF-8 is: "line L, column C (byte 0xFF)" (1-based, columns in bytes). */
function whereNotUtf8(bytes) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    const slice = bytes.subarray(start, i);
    try {
      decoder.decode(slice);
    } catch {
      // the first byte from which the rest of the line no longer decodes
      let bad = 0;
      while (bad < slice.length) {
        const n = slice[bad] < 0x80 ? 1 : slice[bad] >= 0xf0 ? 4 : slice[bad] >= 0xe0 ? 3 : 2;
        try {
          decoder.decode(slice.subarray(bad, bad + n));
        } catch {
          break;
        }
        bad += n;
      }
      const value = slice[Math.min(bad, slice.length - 1)];
      return `line ${line}, column ${bad + 1} (byte 0x${value.toString(16).toUpperCase().padStart(2, '0')})`;
    }
    line++;
    start = i + 1;
  }
  return 'a truncated character at the end';
}

/**
 * Parses tab-separated pairs. Blank lines are skipped, a UTF-8 byte-order mark and '\r' line
 * ends are accepted, and each field is trimmed of surrounding whitespace.
 * @param {string|Uint8Array|ArrayBuffer} input
 * @param {{maxBytes?: number, maxPairs?: number, maxFieldLength?: number, columns?: [number, number]}} [limits]
 *   columns: 0-based indexes of the source and target columns (default [0, 1])
 * @returns {[string, string][]}
 */
export function parseTSV(input, limits = {}) {
  const columnsOption = limits.columns ?? [0, 1];
  if (!Array.isArray(columnsOption) || columnsOption.length !== 2 || columnsOption[0] === columnsOption[1]
      || !columnsOption.every((c) => Number.isInteger(c) && c >= 0 && c < 100)) {
    throw fail('columns must be two different 0-based column indexes, like [0, 1] or [1, 3]');
  }
  const [sourceColumn, targetColumn] = columnsOption;
  const needed = Math.max(sourceColumn, targetColumn) + 1;
  const maxBytes = integerOption(limits, 'maxBytes', TSV_LIMITS.maxBytes, 1, 2 ** 31 - 1);
  const maxPairs = integerOption(limits, 'maxPairs', TSV_LIMITS.maxPairs, 1, 10000000);
  const maxFieldLength = integerOption(limits, 'maxFieldLength', TSV_LIMITS.maxFieldLength, 1, 1000);
  const size = typeof input === 'string' ? input.length : input?.byteLength;
  if (size > maxBytes) {
    throw fail(`the pairs file is ${size} bytes; the limit is ${maxBytes}: use a smaller file or raise maxBytes`, 'LIMIT');
  }
  const text = decode(input).replace(/^\uFEFF/, '');
  const pairs = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') continue;
    const where = `line ${i + 1}`;
    const columns = line.split('\t');
    if (columns.length < 2) {
      throw fail(`${where}: no tab found; each line must be source<TAB>target`, 'BAD_FILE');
    }
    if (columns.length < needed) {
      throw fail(`${where}: ${columns.length} columns, but column ${needed} is needed (columns option ${JSON.stringify(columnsOption)})`, 'BAD_FILE');
    }
    const source = columns[sourceColumn].trim();
    const target = columns[targetColumn].trim();
    if (source === '') throw fail(`${where}: the source (first column) is empty`, 'BAD_FILE');
    if (target === '') throw fail(`${where}: the target (second column) is empty`, 'BAD_FILE');
    for (const [name, field] of [['source', source], ['target', target]]) {
      const length = Array.from(field).length;
      if (length > maxFieldLength) {
        throw fail(`${where}: the ${name} is ${length} characters; the limit is ${maxFieldLength}: shorten or split it`, 'LIMIT');
      }
    }
    if (pairs.length >= maxPairs) {
      throw fail(`${where}: more than ${maxPairs} pairs; use a smaller file or raise maxPairs`, 'LIMIT');
    }
    pairs.push([source, target]);
  }
  if (pairs.length === 0) throw fail('the pairs file has no pairs: write one source<TAB>target per line', 'BAD_FILE');
  return pairs;
}

/**
 * A task from tab-separated pairs. Exact duplicate pairs are kept once; all pairs with the same
 * source go to the same split, so the splits share no source.
 * @param {string|Uint8Array|ArrayBuffer} input the file contents
 * @param {{name?: string, seed?: number, testFraction?: number, tokenizer?: 'char'|'word'|{source: string, target: string},
 *          maxBytes?: number, maxPairs?: number, maxFieldLength?: number, columns?: [number, number]}} [options]
 */
export function fromTSV(input, options = {}) {
  checkOptions(options, ['name', 'seed', 'testFraction', 'tokenizer', 'maxBytes', 'maxPairs', 'maxFieldLength', 'columns'], 'fromTSV');
  const { name = 'tsv', testFraction = 0.1, tokenizer = 'char' } = options;
  if (typeof name !== 'string' || name === '') throw fail('fromTSV: name must be a non-empty string');
  if (typeof testFraction !== 'number' || !(testFraction >= 0 && testFraction < 1)) {
    throw fail('fromTSV: testFraction must be a number from 0 (no test split) up to but not including 1');
  }
  const tokenizerNames = resolveTokenizerNames(tokenizer);
  const seed = integerOption(options, 'seed', 1, 0, 0xffffffff);
  const pairs = parseTSV(input, options);
  const bySource = new Map();
  const seenPairs = new Set();
  for (const pair of pairs) {
    const key = `${pair[0]}\t${pair[1]}`;
    if (seenPairs.has(key)) continue;
    seenPairs.add(key);
    if (!bySource.has(pair[0])) bySource.set(pair[0], []);
    bySource.get(pair[0]).push(pair);
  }
  const sources = createRandom(seed).shuffle([...bySource.keys()]);
  const testCount = Math.floor(sources.length * testFraction);
  const test = sources.slice(0, testCount).flatMap((s) => bySource.get(s));
  const train = sources.slice(testCount).flatMap((s) => bySource.get(s));
  return {
    name,
    description: `${seenPairs.size} distinct pairs from tab-separated text.`,
    tokenizer: tokenizerNames.source === tokenizerNames.target ? tokenizerNames.source : tokenizerNames,
    options: { seed, testFraction },
    train,
    test,
  };
}

/**
 * Sizes of a list of pairs, for showing a corpus before training on it: the number of pairs,
 * mean and largest lengths in words (runs between spaces) and in characters (code points) per
 * side, and a histogram of lengths in words with at most `bins` bins of equal width.
 * @param {[string, string][]} pairs
 * @param {{bins?: number}} [options]
 */
export function describePairs(pairs, { bins = 10 } = {}) {
  if (!Array.isArray(pairs)) throw fail('describePairs needs an array of [source, target] pairs');
  if (!Number.isInteger(bins) || bins < 1 || bins > 100) throw fail('bins must be an integer from 1 to 100');
  const words = (text) => {
    let n = 0;
    let inWord = false;
    for (let i = 0; i < text.length; i++) {
      const space = text.charCodeAt(i) === 32;
      if (!space && !inWord) n++;
      inWord = !space;
    }
    return n;
  };
  const codePoints = (text) => {
    let n = text.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xdc00 && c <= 0xdfff) n--;
    }
    return n;
  };
  const sides = ['source', 'target'].map((_, k) => {
    const lengths = new Int32Array(pairs.length);
    let chars = 0;
    let maxChars = 0;
    for (let i = 0; i < pairs.length; i++) {
      lengths[i] = words(pairs[i][k]);
      const c = codePoints(pairs[i][k]);
      chars += c;
      if (c > maxChars) maxChars = c;
    }
    let total = 0;
    let max = 0;
    for (const n of lengths) {
      total += n;
      if (n > max) max = n;
    }
    return { lengths, meanWords: pairs.length ? total / pairs.length : 0, maxWords: max, meanChars: pairs.length ? chars / pairs.length : 0, maxChars };
  });
  const longest = Math.max(1, sides[0].maxWords, sides[1].maxWords);
  const width = Math.ceil(longest / bins);
  const count = Math.ceil(longest / width);
  const histogram = Array.from({ length: count }, (_, b) => ({ from: b * width + 1, to: (b + 1) * width, source: 0, target: 0 }));
  sides.forEach((side, k) => {
    for (const n of side.lengths) histogram[Math.min(count - 1, Math.max(0, Math.ceil(n / width) - 1))][k === 0 ? 'source' : 'target']++;
  });
  const summary = ({ meanWords, maxWords, meanChars, maxChars }) => ({ meanWords, maxWords, meanChars, maxChars });
  return { pairs: pairs.length, source: summary(sides[0]), target: summary(sides[1]), histogram };
}
