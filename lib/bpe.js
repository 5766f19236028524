// bpe.js: the subword tokenizer (byte-pair encoding with a byte fallback), learned from the
// training texts and stored in the model file. docs/tokenizers.md is its exact specification
// (the Python package implements the same one); every step below names the section it follows.
//
// Everything works on Unicode code points and UTF-8 bytes, never on UTF-16 code units or
// locale-dependent comparisons, so the same texts give the same pieces in every runtime.

import { MAX_TEXT_LENGTH, MAX_VOCABULARY_SIZE } from './text.js';
import { fail as bpeError } from './errors.js';

/** Longest chunk of pre-tokenization, in code points (section "Definitions"). */
export const MAX_CHUNK = 64;
/** Smallest bpe vocabulary: 4 specials, 256 byte symbols and one character. */
export const MIN_BPE_VOCABULARY_SIZE = 261;
/** The vocabulary size used when none is given. */
export const DEFAULT_BPE_VOCABULARY_SIZE = 2000;
const BYTE_COUNT = 256;
const SPECIALS = 4;
const UNK_SYMBOL = '<unk>';
const REPLACEMENT = '\uFFFD';

/** The byte symbols '<0x00>' .. '<0xFF>' (symbol indexes 0..255, ids 4..259). */
export const BYTE_SYMBOLS = Object.freeze(Array.from({ length: BYTE_COUNT },
  (_, v) => `<0x${v.toString(16).toUpperCase().padStart(2, '0')}>`));
const BYTE_VALUE = new Map(BYTE_SYMBOLS.map((s, v) => [s, v]));

/** Whether a code point is in the punctuation set P of docs/tokenizers.md. */
export function isPunctuation(cp) {
  if (cp < 0x80) {
    return (cp >= 0x21 && cp <= 0x2f) || (cp >= 0x3a && cp <= 0x40) || (cp >= 0x5b && cp <= 0x60) || (cp >= 0x7b && cp <= 0x7e);
  }
  return cp === 0xa1 || cp === 0xab || cp === 0xbb || cp === 0xbf
    || (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205e)
    || (cp >= 0x3000 && cp <= 0x303f)
    || (cp >= 0xff01 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20)
    || (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65);
}

/**
 * Compares two strings by code points (Python's str order), not by UTF-16 units: at the first
 * differing unit, a surrogate (part of a code point >= U+10000) sorts after U+E000..U+FFFF.
 */
export function compareCodePoints(a, b) {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
      if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
      return x - y;
    }
  }
  return a.length - b.length;
}

/**
 * Section 1: splits a text into chunks. Throws BAD_ARGUMENT on a lone surrogate.
 * @param {string} text
 * @param {(chunk: string) => void} emit called with each chunk in order
 */
export function forEachChunk(text, emit) {
  const n = text.length;
  let start = 0;
  let length = 0; // code points in the current chunk
  let previousPunctuation = false;
  for (let i = 0; i < n;) {
    let cp = text.charCodeAt(i);
    let units = 1;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const low = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (cp > 0xdbff || low < 0xdc00 || low > 0xdfff) {
        throw bpeError(`the text has a lone surrogate (U+${cp.toString(16).toUpperCase()}) at index ${i}: it is not valid Unicode; fix the text's encoding`);
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      units = 2;
    }
    const punctuation = isPunctuation(cp);
    if (i > 0 && (cp === 0x20 || punctuation || previousPunctuation || length === MAX_CHUNK)) {
      emit(text.slice(start, i));
      start = i;
      length = 0;
    }
    length++;
    previousPunctuation = punctuation;
    i += units;
  }
  if (n > 0) emit(text.slice(start));
}

/** Section 1 as an array. */
export function splitChunks(text) {
  const chunks = [];
  forEachChunk(text, (c) => chunks.push(c));
  return chunks;
}

const encoder = new TextEncoder();

/** A binary heap of [count, key] with the best pair (highest count, then smallest x, y) on top. */
class PairHeap {
  constructor(better) {
    this.items = [];
    this.better = better;
  }

  push(count, key) {
    const items = this.items;
    items.push([count, key]);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop() {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.better(items[l], items[best])) best = l;
        if (r < items.length && this.better(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }

  get size() {
    return this.items.length;
  }
}

const KEY = 65536; // pair key = x * KEY + y; symbol indexes are < MAX_VOCABULARY_SIZE = 65536

/** A learned byte-pair-encoding tokenizer (docs/tokenizers.md). Immutable once made. */
export class BpeTokenizer {
  /**
   * @param {{alphabet: string[], merges: [string, string][]}} model what toJSON returned
   */
  constructor(model) {
    if (!model || typeof model !== 'object' || !Array.isArray(model.alphabet) || !Array.isArray(model.merges)) {
      throw bpeError('a bpe tokenizer needs { alphabet: [characters], merges: [[x, y], ...] }');
    }
    const symbols = BYTE_SYMBOLS.slice();
    const index = new Map(symbols.map((s, i) => [s, i]));
    const alphabet = new Map(); // code point -> symbol index
    for (let i = 0; i < model.alphabet.length; i++) {
      const c = model.alphabet[i];
      if (typeof c !== 'string' || c.length === 0 || c.length > 2 || c.codePointAt(0) > 0xffff !== (c.length === 2)
          || (c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff)) {
        throw bpeError(`bpe alphabet[${i}] must be one Unicode character, got ${JSON.stringify(c)}`);
      }
      if (index.has(c)) throw bpeError(`bpe alphabet[${i}] ${JSON.stringify(c)} appears twice`);
      alphabet.set(c.codePointAt(0), symbols.length);
      index.set(c, symbols.length);
      symbols.push(c);
    }
    const ranks = new Map(); // pair key -> [rank, merged symbol index]
    for (let r = 0; r < model.merges.length; r++) {
      const m = model.merges[r];
      if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string') {
        throw bpeError(`bpe merges[${r}] must be a pair of strings [x, y]`);
      }
      const x = index.get(m[0]);
      const y = index.get(m[1]);
      if (x === undefined || y === undefined || x < BYTE_COUNT || y < BYTE_COUNT) {
        throw bpeError(`bpe merges[${r}] ${JSON.stringify(m)} joins a string that is not a symbol made before it (or a byte symbol)`);
      }
      const merged = m[0] + m[1];
      let z = index.get(merged);
      if (z === undefined) {
        z = symbols.length;
        if (z + SPECIALS >= MAX_VOCABULARY_SIZE + 1) throw bpeError(`bpe merges make more than ${MAX_VOCABULARY_SIZE} symbols`, 'LIMIT');
        index.set(merged, z);
        symbols.push(merged);
      }
      const key = x * KEY + y;
      if (!ranks.has(key)) ranks.set(key, [r, z]);
    }
    this.name = 'bpe';
    this._alphabetList = model.alphabet.slice();
    this._merges = model.merges.map((m) => [m[0], m[1]]);
    this._symbols = symbols;
    this._index = index;
    this._alphabet = alphabet;
    this._ranks = ranks;
    this._cache = new Map();
    Object.freeze(this);
  }

  /**
   * Section 2: learns a tokenizer from texts.
   * @param {Iterable<string>} texts
   * @param {{vocabSize?: number}} [options] vocabSize counts the 4 specials and 256 byte symbols
   * @returns {BpeTokenizer}
   */
  static learn(texts, { vocabSize = DEFAULT_BPE_VOCABULARY_SIZE } = {}) {
    if (!Number.isInteger(vocabSize) || vocabSize < MIN_BPE_VOCABULARY_SIZE || vocabSize > MAX_VOCABULARY_SIZE) {
      throw bpeError(`vocabSize must be an integer from ${MIN_BPE_VOCABULARY_SIZE} (4 specials, 256 bytes, 1 character) to ${MAX_VOCABULARY_SIZE}, got ${JSON.stringify(vocabSize)}`,
        Number.isInteger(vocabSize) && vocabSize > MAX_VOCABULARY_SIZE ? 'LIMIT' : 'BAD_ARGUMENT');
    }
    // 2.1 chunk counts
    const chunkCounts = new Map();
    const add = (c) => chunkCounts.set(c, (chunkCounts.get(c) ?? 0) + 1);
    for (const text of texts) {
      if (typeof text !== 'string') throw bpeError('bpe: every text must be a string');
      forEachChunk(text, add);
    }
    // 2.2 character counts, 2.3 alphabet
    const charCounts = new Map();
    for (const [chunk, n] of chunkCounts) {
      for (const ch of chunk) {
        const cp = ch.codePointAt(0);
        charCounts.set(cp, (charCounts.get(cp) ?? 0) + n);
      }
    }
    const alphabetCodes = [...charCounts].sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, Math.max(0, vocabSize - SPECIALS - BYTE_COUNT)).map(([cp]) => cp);
    const symbols = BYTE_SYMBOLS.slice();
    const index = new Map(symbols.map((s, i) => [s, i]));
    const alphabet = new Map();
    for (const cp of alphabetCodes) {
      const s = String.fromCodePoint(cp);
      alphabet.set(cp, symbols.length);
      index.set(s, symbols.length);
      symbols.push(s);
    }
    // 2.5 initial segmentation of each distinct chunk
    const words = [];
    const counts = [];
    for (const [chunk, n] of chunkCounts) {
      words.push(initialSegmentation(chunk, alphabet));
      counts.push(n);
    }
    chunkCounts.clear();
    // 2.6.1 pair counts, with where each pair occurs (word indexes, possibly repeated)
    const pairCount = new Map();
    const pairWords = new Map();
    for (let w = 0; w < words.length; w++) {
      const word = words[w];
      const n = counts[w];
      for (let i = 0; i + 1 < word.length; i++) {
        const x = word[i];
        const y = word[i + 1];
        if (x < BYTE_COUNT || y < BYTE_COUNT) continue;
        const key = x * KEY + y;
        pairCount.set(key, (pairCount.get(key) ?? 0) + n);
        let list = pairWords.get(key);
        if (list === undefined) pairWords.set(key, list = []);
        if (list[list.length - 1] !== w) list.push(w);
      }
    }
    // 2.6.3 the best pair: highest count, then smaller x, then smaller y (code point order)
    const better = (a, b) => {
      if (a[0] !== b[0]) return a[0] > b[0];
      const ax = Math.floor(a[1] / KEY);
      const bx = Math.floor(b[1] / KEY);
      if (ax !== bx) return compareCodePoints(symbols[ax], symbols[bx]) < 0;
      return compareCodePoints(symbols[a[1] % KEY], symbols[b[1] % KEY]) < 0;
    };
    const heap = new PairHeap(better);
    for (const [key, c] of pairCount) if (c >= 2) heap.push(c, key);
    const merges = [];
    const seen = new Int32Array(words.length).fill(-1);
    const delta = new Map();
    const change = (key, d) => delta.set(key, (delta.get(key) ?? 0) + d);
    while (SPECIALS + symbols.length < vocabSize && heap.size > 0) {
      const [count, key] = heap.pop();
      if (pairCount.get(key) !== count) continue; // stale entry
      const x = Math.floor(key / KEY);
      const y = key % KEY;
      // 2.6.4 record the merge, add the symbol if new
      merges.push([symbols[x], symbols[y]]);
      const merged = symbols[x] + symbols[y];
      let z = index.get(merged);
      if (z === undefined) {
        z = symbols.length;
        index.set(merged, z);
        symbols.push(merged);
      }
      // 2.6.5 replace in every chunk that has the pair; count the change of every pair
      const stamp = merges.length;
      delta.clear();
      for (const w of pairWords.get(key)) {
        if (seen[w] === stamp) continue;
        seen[w] = stamp;
        const word = words[w];
        const n = counts[w];
        let found = false;
        for (let i = 0; i + 1 < word.length; i++) {
          if (word[i] === x && word[i + 1] === y) {
            found = true;
            break;
          }
        }
        if (!found) continue;
        for (let i = 0; i + 1 < word.length; i++) {
          if (word[i] >= BYTE_COUNT && word[i + 1] >= BYTE_COUNT) change(word[i] * KEY + word[i + 1], -n);
        }
        const out = [];
        for (let i = 0; i < word.length; i++) {
          if (i + 1 < word.length && word[i] === x && word[i + 1] === y) {
            out.push(z);
            i++;
          } else {
            out.push(word[i]);
          }
        }
        const next = Int32Array.from(out);
        words[w] = next;
        for (let i = 0; i + 1 < next.length; i++) {
          const a = next[i];
          const b = next[i + 1];
          if (a < BYTE_COUNT || b < BYTE_COUNT) continue;
          const k = a * KEY + b;
          change(k, n);
          if (a === z || b === z) {
            let list = pairWords.get(k);
            if (list === undefined) pairWords.set(k, list = []);
            if (list[list.length - 1] !== w) list.push(w);
          }
        }
      }
      for (const [k, d] of delta) {
        if (d === 0) continue;
        const c = (pairCount.get(k) ?? 0) + d;
        if (c <= 0) {
          pairCount.delete(k);
          pairWords.delete(k);
        } else {
          pairCount.set(k, c);
          if (c >= 2) heap.push(c, k);
        }
      }
    }
    return new BpeTokenizer({ alphabet: symbols.slice(BYTE_COUNT, BYTE_COUNT + alphabetCodes.length), merges });
  }

  /** The symbols after the 4 specials, in id order (id = 4 + index): what the Vocabulary holds. */
  get symbols() {
    return this._symbols.slice();
  }

  /** Entries of the vocabulary this tokenizer implies, specials included. */
  get vocabularySize() {
    return this._symbols.length + SPECIALS;
  }

  /** Number of merges learned. */
  get mergeCount() {
    return this._merges.length;
  }

  /** Section 3: the pieces of a text (each one a symbol of this tokenizer). */
  tokenize(text) {
    if (typeof text !== 'string') throw bpeError(`text must be a string, got ${text === null ? 'null' : typeof text}`);
    if (text.length > MAX_TEXT_LENGTH) {
      throw bpeError(`text is ${text.length} characters long; the limit is ${MAX_TEXT_LENGTH}: split it into shorter pieces`, 'LIMIT');
    }
    const out = [];
    forEachChunk(text, (chunk) => {
      for (const s of this._encodeChunk(chunk)) out.push(this._symbols[s]);
    });
    return out;
  }

  /** Section 3 for one chunk: symbol indexes (cached; the cache is bounded). */
  _encodeChunk(chunk) {
    const cached = this._cache.get(chunk);
    if (cached !== undefined) return cached;
    const word = Array.from(initialSegmentation(chunk, this._alphabet));
    const ranks = this._ranks;
    const rankAt = (i) => {
      if (word[i] < BYTE_COUNT || word[i + 1] < BYTE_COUNT) return Infinity;
      const r = ranks.get(word[i] * KEY + word[i + 1]);
      return r === undefined ? Infinity : r[0];
    };
    const pairRanks = [];
    for (let i = 0; i + 1 < word.length; i++) pairRanks.push(rankAt(i));
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < pairRanks.length; i++) {
        if (pairRanks[i] < bestRank) { // strict: the leftmost of the lowest rank
          bestRank = pairRanks[i];
          best = i;
        }
      }
      if (best < 0) break;
      word[best] = ranks.get(word[best] * KEY + word[best + 1])[1];
      word.splice(best + 1, 1);
      pairRanks.splice(best, 1);
      if (best > 0) pairRanks[best - 1] = rankAt(best - 1);
      if (best < pairRanks.length) pairRanks[best] = rankAt(best);
    }
    if (this._cache.size >= 100000) this._cache.clear();
    this._cache.set(chunk, word);
    return word;
  }

  /**
   * Section 4: pieces back to text. Runs of byte symbols are decoded as UTF-8 (ill-formed bytes
   * become U+FFFD); '<unk>' becomes U+FFFD; every other piece is itself.
   * @param {string[]} pieces
   */
  detokenize(pieces) {
    let out = '';
    let bytes = [];
    const flush = () => {
      if (bytes.length > 0) {
        out += new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
        bytes = [];
      }
    };
    for (const p of pieces) {
      const v = BYTE_VALUE.get(p);
      if (v !== undefined) {
        bytes.push(v);
        continue;
      }
      flush();
      out += p === UNK_SYMBOL ? REPLACEMENT : p;
    }
    flush();
    return out;
  }

  /** The form stored in the model file (docs/tokenizers.md, section 5). */
  toJSON() {
    return { alphabet: this._alphabetList.slice(), merges: this._merges.map((m) => m.slice()) };
  }

  /** @param {unknown} json what toJSON returned */
  static fromJSON(json) {
    return new BpeTokenizer(json);
  }
}

/** Section 2.5: symbol indexes of a chunk; characters outside the alphabet as UTF-8 bytes. */
function initialSegmentation(chunk, alphabet) {
  const out = [];
  for (const ch of chunk) {
    const s = alphabet.get(ch.codePointAt(0));
    if (s !== undefined) {
      out.push(s);
    } else {
      for (const b of encoder.encode(ch)) out.push(b);
    }
  }
  return Int32Array.from(out);
}

/**
 * How a piece is shown to people (heat maps, step-through): spaces as '▁' (U+2581); a piece
 * that is a single space stays visible the same way.
 * @param {string} piece
 */
export function displayPiece(piece) {
  return piece.replaceAll(' ', '\u2581');
}
