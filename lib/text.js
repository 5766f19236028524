// text.js: turning strings into symbols and symbols into token ids, and back.
//
// Holds the two tokenizers (character-level and word-level), the Vocabulary that maps symbols to
// the ids the model sees (0 PAD, 1 BOS, 2 EOS, 3 UNK first), and the limits on input sizes.
// It does not know about models or training; lib/translator.js puts these together.

import { MAX_LENGTH, MAX_VOCAB, MIN_VOCAB } from './limits.js';
import { fail } from './errors.js';

/** Id of padding (the first of the four special tokens every vocabulary starts with). */
export const PAD = 0;
/** Id of begin-of-sequence, the decoder's first input. */
export const BOS = 1;
/** Id of end-of-sequence, the last target token. */
export const EOS = 2;
/** Id of an unknown symbol. */
export const UNK = 3;
/** How the special tokens are shown when a symbol is needed for them (attention labels, output). */
export const SPECIAL_SYMBOLS = Object.freeze(['<pad>', '<s>', '</s>', '<unk>']);

/** Longest source or target, in symbols, that the core accepts (S2S_MAX_LENGTH in c_src/s2s.h). */
export const MAX_SEQUENCE_LENGTH = MAX_LENGTH;
/** Largest vocabulary the core accepts, specials included (S2S_MAX_VOCAB). */
export const MAX_VOCABULARY_SIZE = MAX_VOCAB;
/** Longest text accepted by a tokenizer, in UTF-16 code units; longer text is refused, not cut. */
export const MAX_TEXT_LENGTH = 100000;

const WORD_RUN = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu;
// Punctuation that sticks to the token before it, after it, or to both when detokenizing.
const ATTACH_LEFT = new Set(['.', ',', '!', '?', ';', ':', ')', ']', '}', '%', '…', '»']);
const ATTACH_RIGHT = new Set(['(', '[', '{', '¿', '¡', '«', '$']);
const ATTACH_BOTH = new Set(["'", '’', '-', '/']);

function checkText(text, what) {
  if (typeof text !== 'string') {
    throw fail(`${what} must be a string, got ${text === null ? 'null' : typeof text}`);
  }
  if (text.length > MAX_TEXT_LENGTH) {
    throw fail(
      `${what} is ${text.length} characters long; the limit is ${MAX_TEXT_LENGTH}: split it into shorter pieces`, 'LIMIT');
  }
}

/**
 * Character-level tokenizer: one symbol per Unicode code point, so emoji and other astral
 * characters stay whole (a flag or a ZWJ sequence is several code points, hence several symbols;
 * joining them back restores the text exactly). Whitespace is a symbol like any other.
 */
export const charTokenizer = Object.freeze({
  name: 'char',
  /** @param {string} text @returns {string[]} */
  tokenize(text) {
    checkText(text, 'text');
    return Array.from(text);
  },
  /** @param {string[]} symbols @returns {string} */
  detokenize(symbols) {
    return symbols.join('');
  },
});

/**
 * Word-level tokenizer: runs of letters, marks and digits are words; every other non-space
 * character (punctuation, symbols, emoji) is a symbol of its own; whitespace only separates.
 * "l'arbre est grand." -> ["l", "'", "arbre", "est", "grand", "."].
 * Detokenizing joins with single spaces, except no space before closing punctuation (. , ! ? ; :
 * ) ] } % …), after opening punctuation (( [ { ¿ ¡), or on either side of ' ’ - /.
 * So detokenize(tokenize(s)) is s with its spacing normalised this way.
 */
export const wordTokenizer = Object.freeze({
  name: 'word',
  /** @param {string} text @returns {string[]} */
  tokenize(text) {
    checkText(text, 'text');
    return text.match(WORD_RUN) ?? [];
  },
  /** @param {string[]} symbols @returns {string} */
  detokenize(symbols) {
    let out = '';
    for (let i = 0; i < symbols.length; i++) {
      const s = symbols[i];
      if (i > 0) {
        const prev = symbols[i - 1];
        const glue = ATTACH_LEFT.has(s) || ATTACH_BOTH.has(s) || ATTACH_RIGHT.has(prev) || ATTACH_BOTH.has(prev);
        if (!glue) out += ' ';
      }
      out += s;
    }
    return out;
  },
});

const TOKENIZERS = { char: charTokenizer, word: wordTokenizer };
/** Every tokenizer name: 'char' and 'word' are fixed, 'bpe' is learned (lib/bpe.js, docs/tokenizers.md). */
export const TOKENIZER_NAMES = Object.freeze(['char', 'word', 'bpe']);

function checkTokenizerName(name) {
  if (!TOKENIZER_NAMES.includes(name)) {
    throw fail(`unknown tokenizer ${JSON.stringify(name)}: use 'char', 'word' or 'bpe'`);
  }
}

/**
 * The fixed tokenizer with this name ('bpe' is learned from texts: see BpeTokenizer.learn).
 * @param {'char'|'word'} name
 */
export function getTokenizer(name) {
  checkTokenizerName(name);
  if (!Object.hasOwn(TOKENIZERS, name)) {
    throw fail(`the ${name} tokenizer is learned from texts: make one with BpeTokenizer.learn(texts, { vocabSize })`);
  }
  return TOKENIZERS[name];
}

/**
 * Normalises the `tokenizer` option: 'char' | 'word' | 'bpe' | { source, target } -> { source, target }.
 * @param {string|{source?: string, target?: string}|undefined} option
 * @returns {{source: 'char'|'word'|'bpe', target: 'char'|'word'|'bpe'}}
 */
export function resolveTokenizerNames(option = 'char') {
  if (typeof option === 'string') {
    checkTokenizerName(option);
    return { source: option, target: option };
  }
  if (option && typeof option === 'object') {
    const source = option.source ?? 'char';
    const target = option.target ?? 'char';
    checkTokenizerName(source);
    checkTokenizerName(target);
    return { source, target };
  }
  throw fail("tokenizer must be 'char', 'word', 'bpe' or { source: 'char'|'word'|'bpe', target: 'char'|'word'|'bpe' }");
}

/**
 * A vocabulary: symbol <-> id. Ids 0..3 are PAD, BOS, EOS, UNK; the symbols follow, most frequent
 * first (ties in order of first appearance), so building from the same texts gives the same ids.
 */
export class Vocabulary {
  /** @param {string[]} symbols the symbols after the four specials, in id order (id = index + 4) */
  constructor(symbols) {
    if (!Array.isArray(symbols)) throw fail('Vocabulary needs an array of symbols');
    if (symbols.length + 4 > MAX_VOCABULARY_SIZE) {
      throw fail(
        `vocabulary has ${symbols.length + 4} entries; the limit is ${MAX_VOCABULARY_SIZE}: pass maxSize to keep the most frequent symbols`, 'LIMIT');
    }
    this._symbols = symbols.slice();
    this._ids = new Map();
    for (let i = 0; i < symbols.length; i++) {
      const s = symbols[i];
      if (typeof s !== 'string' || s.length === 0) {
        throw fail(`vocabulary symbol ${i} must be a non-empty string`);
      }
      if (this._ids.has(s)) throw fail(`vocabulary symbol ${JSON.stringify(s)} appears twice`);
      this._ids.set(s, i + 4);
    }
  }

  /**
   * Builds a vocabulary from texts.
   * @param {Iterable<string>} texts
   * @param {{tokenize(text: string): string[]}} tokenizer
   * @param {{maxSize?: number, minCount?: number}} [options] maxSize counts the 4 specials
   */
  static fromTexts(texts, tokenizer, { maxSize = MAX_VOCABULARY_SIZE, minCount = 1 } = {}) {
    if (!Number.isInteger(maxSize) || maxSize < MIN_VOCAB || maxSize > MAX_VOCABULARY_SIZE) {
      throw fail(`maxSize must be an integer from ${MIN_VOCAB} to ${MAX_VOCABULARY_SIZE}`);
    }
    if (!Number.isInteger(minCount) || minCount < 1) throw fail('minCount must be an integer >= 1');
    const counts = new Map();
    for (const text of texts) {
      for (const s of tokenizer.tokenize(text)) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    // Map iteration keeps first-appearance order; a stable sort by count keeps it among ties.
    const symbols = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1]).map(([s]) => s);
    return new Vocabulary(symbols.slice(0, maxSize - 4));
  }

  /** Entries including the four specials (what the model's vocabulary size must be). */
  get size() {
    return this._symbols.length + 4;
  }

  /** The symbols after the specials, in id order (id = index + 4). */
  get symbols() {
    return this._symbols.slice();
  }

  /** The id of a symbol, or UNK (3) if it is not in the vocabulary. */
  id(symbol) {
    return this._ids.get(symbol) ?? UNK;
  }

  /** Whether a symbol has its own id. */
  has(symbol) {
    return this._ids.has(symbol);
  }

  /** The symbol of an id; specials as '<pad>', '<s>', '</s>', '<unk>'. */
  symbol(id) {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      throw fail(`token id ${id} is outside this vocabulary (0..${this.size - 1})`);
    }
    return id < 4 ? SPECIAL_SYMBOLS[id] : this._symbols[id - 4];
  }

  /**
   * Symbols -> ids. Unknown symbols become UNK and are listed with their position.
   * @param {string[]} symbols
   * @returns {{ids: Int32Array, unknown: {symbol: string, index: number}[]}}
   */
  encode(symbols) {
    const ids = new Int32Array(symbols.length);
    const unknown = [];
    for (let i = 0; i < symbols.length; i++) {
      const id = this._ids.get(symbols[i]);
      if (id === undefined) {
        ids[i] = UNK;
        unknown.push({ symbol: symbols[i], index: i });
      } else {
        ids[i] = id;
      }
    }
    return { ids, unknown };
  }

  /**
   * Ids -> symbols, stopping at the first EOS and skipping PAD and BOS. UNK stays as '<unk>'.
   * @param {ArrayLike<number>} ids
   * @returns {string[]}
   */
  decode(ids) {
    const out = [];
    for (const id of ids) {
      if (id === EOS) break;
      if (id === PAD || id === BOS) continue;
      out.push(this.symbol(id));
    }
    return out;
  }

  /** The JSON form stored in model files: the symbols after the specials. */
  toJSON() {
    return this._symbols.slice();
  }

  /** @param {unknown} json what toJSON returned */
  static fromJSON(json) {
    if (!Array.isArray(json)) throw fail('vocabulary in the model file is not a list of symbols', 'BAD_FILE');
    return new Vocabulary(json);
  }
}
