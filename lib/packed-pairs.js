// packed-pairs.js: string pairs in one compact form that crosses a worker boundary as two
// transferable buffers instead of one cloned object per string (cloning 900,000 pairs blocked
// the page's thread for seconds; moving two buffers takes no time, and copying them is one
// memcpy). The page's data worker packs a parsed file (web/data-worker.js), the page holds it
// as a read-only view (pairsView) and the training worker (lib/worker.js) unpacks it; this file
// is the one definition all three use.
//
// The form: { format: 'packed-pairs', count, bytes, offsets }
//   bytes    Uint8Array: the UTF-8 of every string, source then target, pair after pair
//   offsets  Uint32Array of 2 * count + 1 byte offsets: pair i's source is
//            bytes[offsets[2i] .. offsets[2i+1]), its target bytes[offsets[2i+1] .. offsets[2i+2])
// A received form is outside input: checkPacked says which field is wrong (BAD_ARGUMENT).

import { fail } from './errors.js';

/** The `format` tag a packed form carries, so a receiver can tell it from a plain array of pairs. */
export const PACKED_FORMAT = 'packed-pairs';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** The UTF-8 length of `text`; -1 when it holds a lone surrogate (UTF-8 cannot carry it). */
function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}

/**
 * [[source, target], ...] -> the packed form (a plain object of two typed arrays).
 * @param {[string, string][]} pairs
 * @param {string} [what] the name error messages give the pairs
 */
export function packPairs(pairs, what = 'pairs') {
  if (!Array.isArray(pairs)) throw fail(`${what} must be an array of [source, target] string pairs`);
  const offsets = new Uint32Array(2 * pairs.length + 1);
  const strings = new Array(2 * pairs.length);
  let end = 0;
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    if (!Array.isArray(p) || p.length !== 2) throw fail(`${what}[${i}] must be a [source, target] pair of strings`);
    for (let side = 0; side < 2; side++) {
      const text = p[side];
      if (typeof text !== 'string') throw fail(`${what}[${i}][${side}] must be a string`);
      const length = utf8Length(text);
      if (length < 0) throw fail(`${what}[${i}][${side}] holds a lone UTF-16 surrogate, which UTF-8 cannot carry: fix the text`);
      end += length;
      if (end > 0xffffffff) throw fail(`${what} hold more than 4 GB of text: use fewer pairs`, 'LIMIT');
      strings[2 * i + side] = text;
      offsets[2 * i + side + 1] = end;
    }
  }
  const bytes = encoder.encode(strings.join(''));
  return { format: PACKED_FORMAT, count: pairs.length, bytes, offsets };
}

/** The buffers to list in a transfer: moving them leaves the sender's form empty. */
export function packedBuffers(packed) {
  return [packed.bytes.buffer, packed.offsets.buffer];
}

/** True for a value that claims to be the packed form (checkPacked tells whether it is one). */
export function isPacked(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && value.format === PACKED_FORMAT;
}

/**
 * `value` when it is a well-formed packed form: typed arrays of the right kinds and sizes,
 * offsets from 0 to the end of the bytes, never decreasing and never inside a character.
 * (Whether the bytes are valid UTF-8 shows when they are decoded: unpackPairs, or a view's read.)
 * @param {unknown} value
 * @param {string} [what]
 */
export function checkPacked(value, what = 'pairs') {
  if (!isPacked(value)) throw fail(`${what} must be packed pairs ({ format: '${PACKED_FORMAT}', count, bytes, offsets })`);
  const { count, bytes, offsets } = value;
  if (!Number.isInteger(count) || count < 0) throw fail(`${what}: count must be a whole number, got ${JSON.stringify(count)}`);
  if (!(bytes instanceof Uint8Array)) throw fail(`${what}: bytes must be a Uint8Array`);
  if (!(offsets instanceof Uint32Array)) throw fail(`${what}: offsets must be a Uint32Array`);
  if (offsets.length !== 2 * count + 1) throw fail(`${what}: ${count} pairs need ${2 * count + 1} offsets, not ${offsets.length}`);
  if (offsets[0] !== 0) throw fail(`${what}: offsets[0] must be 0, not ${offsets[0]}`);
  if (offsets[2 * count] !== bytes.length) throw fail(`${what}: the last offset is ${offsets[2 * count]}, but there are ${bytes.length} bytes`);
  for (let k = 1; k <= 2 * count; k++) {
    const at = offsets[k];
    if (at < offsets[k - 1]) throw fail(`${what}: offsets[${k}] (${at}) is smaller than offsets[${k - 1}] (${offsets[k - 1]})`);
    if (at < bytes.length && (bytes[at] & 0xc0) === 0x80) throw fail(`${what}: offsets[${k}] (${at}) points inside a UTF-8 character`);
  }
  return value;
}

function decode(bytes, start, end, what) {
  try {
    return decoder.decode(bytes.subarray(start, end));
  } catch {
    throw fail(`${what}: the bytes from ${start} to ${end} are not valid UTF-8`);
  }
}

/**
 * The packed form, checked, -> [[source, target], ...]. One decode of all the bytes, then each
 * string is a slice of that text (the UTF-8 offsets mapped to UTF-16 ones in one pass).
 * @param {unknown} packed
 * @param {string} [what]
 * @returns {[string, string][]}
 */
export function unpackPairs(packed, what = 'pairs') {
  const { count, bytes, offsets } = checkPacked(packed, what);
  const text = decode(bytes, 0, bytes.length, what);
  let units = offsets;
  if (text.length !== bytes.length) {
    // not all ASCII: count UTF-16 units up to each offset (a 4-byte character is two units)
    units = new Float64Array(offsets.length);
    let byte = 0;
    let unit = 0;
    for (let k = 0; k < offsets.length; k++) {
      for (const to = offsets[k]; byte < to; byte++) {
        const b = bytes[byte];
        if ((b & 0xc0) !== 0x80) unit += b >= 0xf0 ? 2 : 1;
      }
      units[k] = unit;
    }
  }
  const pairs = new Array(count);
  for (let i = 0; i < count; i++) {
    pairs[i] = [text.slice(units[2 * i], units[2 * i + 1]), text.slice(units[2 * i + 1], units[2 * i + 2])];
  }
  return pairs;
}

// ---- the page's view ----

const packedOfView = new WeakMap();

class PairsView {
  #packed;
  constructor(packed) {
    this.#packed = packed;
  }

  get length() {
    return this.#packed.count;
  }

  /** Pair i as [source, target] (a negative i counts from the end), or undefined. */
  at(i) {
    const index = Math.trunc(i) + (i < 0 ? this.length : 0);
    if (!(index >= 0 && index < this.length)) return undefined;
    const { bytes, offsets } = this.#packed;
    const [a, b, c] = [offsets[2 * index], offsets[2 * index + 1], offsets[2 * index + 2]];
    return [decode(bytes, a, b, `pairs[${index}][0]`), decode(bytes, b, c, `pairs[${index}][1]`)];
  }

  /** Pairs start..end-1 as a new array (Array#slice's arguments). */
  slice(start = 0, end = this.length) {
    const n = this.length;
    const clamp = (v) => Math.min(n, Math.max(0, v < 0 ? n + Math.trunc(v) : Math.trunc(v) || 0));
    const out = [];
    for (let i = clamp(start); i < clamp(end); i++) out.push(this.at(i));
    return out;
  }

  * [Symbol.iterator]() {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

const INDEX = /^(0|[1-9]\d*)$/;

/**
 * A read-only array-like over a checked packed form, for a thread that shows a few pairs but
 * must not hold them all as strings: length, at(i), slice(a, b), iteration and view[i] decode
 * only the pairs asked for. TranslatorWorker (lib/worker-client.js) sends the packed form behind
 * a view in its place.
 * @param {unknown} packed
 * @param {string} [what]
 */
export function pairsView(packed, what = 'pairs') {
  const view = new Proxy(new PairsView(checkPacked(packed, what)), {
    get(target, key) {
      if (typeof key === 'string' && INDEX.test(key)) return target.at(Number(key));
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set() {
      return false; // read-only
    },
  });
  packedOfView.set(view, packed);
  return view;
}

/** The packed form behind a pairsView, or null for anything else. */
export function packedOf(value) {
  return (value !== null && typeof value === 'object' && packedOfView.get(value)) || null;
}

/** Pairs as they cross to a worker: a view goes as its packed form, anything else as it is. */
export function pairsForWorker(pairs) {
  return packedOf(pairs) ?? pairs;
}

/** Pairs as a worker receives them: a packed form is checked and unpacked, anything else kept
 *  (the Translator checks arrays of pairs itself). */
export function pairsFromMessage(pairs, what = 'pairs') {
  return isPacked(pairs) ? unpackPairs(pairs, what) : pairs;
}

/** `options` with its `pairs`, where it has them, passed through `convert` (pairsForWorker or
 *  pairsFromMessage): Translator.create's options carry the pairs inside them. */
export function withOptionPairs(options, convert) {
  const hasPairs = options !== null && typeof options === 'object' && 'pairs' in options;
  return hasPairs ? { ...options, pairs: convert(options.pairs) } : options;
}
