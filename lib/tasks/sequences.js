// sequences.js: reverse, sort and copy: strings over a small alphabet mapped to themselves
// reversed, sorted (in alphabet order) or unchanged. Their attention maps are easy to read: an
// anti-diagonal for reverse, the diagonal for copy, and for sort each output symbol looking at
// the source positions that hold it.

import { checkOptions, drawSplits, integerOption, sizeOptions } from './common.js';
import { MAX_SEQUENCE_LENGTH } from '../text.js';
import { fail } from '../errors.js';

const DEFAULT_ALPHABET = 'abcdefghij';

function alphabetOption(value = DEFAULT_ALPHABET) {
  const symbols = typeof value === 'string' ? Array.from(value) : value;
  if (!Array.isArray(symbols) || symbols.some((s) => typeof s !== 'string' || Array.from(s).length !== 1)) {
    throw fail('alphabet must be a string or an array of single characters, like "abcdef"');
  }
  if (new Set(symbols).size !== symbols.length) throw fail('alphabet has a repeated character: list each once');
  if (symbols.length < 2) throw fail('alphabet needs at least 2 characters');
  if (symbols.some((s) => /\s/u.test(s))) throw fail('alphabet must not contain whitespace');
  return symbols;
}

function sequenceTask(name, describe, transform) {
  return function generate(options = {}) {
    checkOptions(options, ['seed', 'trainSize', 'testSize', 'minLength', 'maxLength', 'alphabet'], name);
    const sizes = sizeOptions(options, { trainSize: 5000, testSize: 500 });
    const minLength = integerOption(options, 'minLength', 3, 1, MAX_SEQUENCE_LENGTH - 1);
    const maxLength = integerOption(options, 'maxLength', 10, minLength, MAX_SEQUENCE_LENGTH - 1);
    const alphabet = alphabetOption(options.alphabet);
    const rank = new Map(alphabet.map((s, i) => [s, i]));
    const { train, test } = drawSplits(sizes, (rng) => {
      const n = rng.range(minLength, maxLength);
      const symbols = [];
      for (let i = 0; i < n; i++) symbols.push(rng.pick(alphabet));
      return [symbols.join(''), transform(symbols, rank).join('')];
    }, name);
    return {
      name,
      description: describe(minLength, maxLength, alphabet.join('')),
      tokenizer: 'char',
      options: { ...sizes, minLength, maxLength, alphabet: alphabet.join('') },
      train,
      test,
    };
  };
}

/** "abcd" -> "dcba". Options: seed, trainSize, testSize, minLength, maxLength, alphabet. */
export const reverse = sequenceTask('reverse',
  (lo, hi, a) => `Strings of ${lo}-${hi} symbols from "${a}" -> the same string reversed.`,
  (s) => s.slice().reverse());

/** "cadb" -> "abcd" (alphabet order). Options as reverse. */
export const sort = sequenceTask('sort',
  (lo, hi, a) => `Strings of ${lo}-${hi} symbols from "${a}" -> the symbols sorted in alphabet order.`,
  (s, rank) => s.slice().sort((x, y) => rank.get(x) - rank.get(y)));

/** "cadb" -> "cadb". Options as reverse. */
export const copy = sequenceTask('copy',
  (lo, hi, a) => `Strings of ${lo}-${hi} symbols from "${a}" -> the same string.`,
  (s) => s.slice());
