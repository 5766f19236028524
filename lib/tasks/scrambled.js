// scrambled.js: the seed tutorial's "translate scrambled text into English": corrupted English
// words and short phrases -> the clean English. The corruption is documented so that what the
// model has to learn is known:
//   every word of 3+ letters gets exactly one of four corruptions, chosen at random:
//   - shuffle: the letters between the first and the last are shuffled ("garden" -> "gdraen");
//   - vowels:  vowels after the first letter are dropped ("garden" -> "grdn");
//   - typo:    one letter after the first is replaced by a QWERTY keyboard neighbour ("garden" -> "gsrden");
//   - swap:    two adjacent letters after the first are swapped ("garden" -> "gadren");
//   words of 1-2 letters are left as they are; spaces between words are kept.
// A corruption that would leave the word unchanged falls through to the next one in that order.
// The first letter never changes, so the model can recover a word from its first letter, its
// length and its letters; the vocabulary is WORDS below (200 common words).

import { checkOptions, drawSplits, integerOption, sizeOptions } from './common.js';

/** The clean words phrases are made of. */
export const WORDS = Object.freeze(`
the of and to in is you that it he was for on are as with his they at be this have from or one
had by word but not what all were we when your can said there use an each which she do how their
if will up other about out many then them these so some her would make like him into time has
look two more write go see number no way could people my than first water been call who oil its
now find long down day did get come made may part over new sound take only little work know place
year live me back give most very after thing our just name good sentence man think say great where
help through much before line right too mean old any same tell boy follow came want show also
around form three small set put end does another well large must big even such because turn here
why ask went men read need land different home us move try kind hand picture again change off play
spell air away animal house point page letter mother answer found study still learn should world
`.trim().split(/\s+/));

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);
const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const NEIGHBOURS = (() => {
  const map = new Map();
  KEYBOARD_ROWS.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      const near = [row[c - 1], row[c + 1], KEYBOARD_ROWS[r - 1]?.[c], KEYBOARD_ROWS[r + 1]?.[c]];
      map.set(row[c], near.filter(Boolean));
    }
  });
  return map;
})();

function shuffleInside(word, rng) {
  if (word.length < 4) return word;
  const inner = rng.shuffle(word.slice(1, -1).split(''));
  return word[0] + inner.join('') + word[word.length - 1];
}

function dropVowels(word) {
  return word[0] + word.slice(1).split('').filter((ch) => !VOWELS.has(ch)).join('');
}

function typo(word, rng) {
  const i = rng.range(1, word.length - 1);
  return word.slice(0, i) + rng.pick(NEIGHBOURS.get(word[i])) + word.slice(i + 1);
}

function swapAdjacent(word, rng) {
  const i = rng.range(1, word.length - 2);
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

const CORRUPTIONS = [shuffleInside, dropVowels, typo, swapAdjacent];

/** Corrupts one lowercase word as the header describes. */
export function corruptWord(word, rng) {
  if (word.length < 3) return word;
  const first = rng.int(CORRUPTIONS.length);
  for (let k = 0; k < CORRUPTIONS.length; k++) {
    const out = CORRUPTIONS[(first + k) % CORRUPTIONS.length](word, rng);
    if (out !== word) return out;
  }
  return word;
}

/**
 * Scrambled English -> clean English, character-level.
 * @param {{seed?: number, trainSize?: number, testSize?: number, maxWords?: number}} [options]
 *   maxWords: phrases have 1..maxWords words (default 3)
 */
export function scrambled(options = {}) {
  checkOptions(options, ['seed', 'trainSize', 'testSize', 'maxWords'], 'scrambled');
  const sizes = sizeOptions(options, { trainSize: 10000, testSize: 1000 });
  const maxWords = integerOption(options, 'maxWords', 3, 1, 10);
  const { train, test } = drawSplits(sizes, (rng) => {
    const words = [];
    const n = rng.range(1, maxWords);
    for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
    return [words.map((w) => corruptWord(w, rng)).join(' '), words.join(' ')];
  }, 'scrambled');
  return {
    name: 'scrambled',
    description: 'Corrupted English (letters shuffled inside words, vowels dropped, keyboard typos, swapped letters) -> the clean English words.',
    tokenizer: 'char',
    options: { ...sizes, maxWords },
    train,
    test,
  };
}
