// tsv.js: reads a user's TSV file of pairs ("source<TAB>target" per line) into training and
// held-out pairs, or throws an Error whose message names the line that is wrong and what to fix.

export const TSV_LIMITS = { maxBytes: 20 * 1024 * 1024, maxPairs: 200000, maxLineChars: 1000, minPairs: 20 };

/**
 * @param {string} text   the file's contents
 * @param {object} o      seed: shuffle seed for the held-out split; testFraction
 * @returns {{ train: [string,string][], test: [string,string][], count: number, skipped: number }}
 */
export function parsePairs(text, { seed = 1, testFraction = 0.1, maxTest = 1000 } = {}) {
  if (typeof text !== 'string') throw new Error('The file could not be read as text.');
  if (text.length > TSV_LIMITS.maxBytes) {
    throw new Error(`The file is too large (${(text.length / 1e6).toFixed(1)} MB); the page takes up to ${TSV_LIMITS.maxBytes / 1e6 | 0} MB.`);
  }
  if (text.includes('\u0000')) throw new Error('This looks like a binary file, not a TSV text file of pairs.');
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const pairs = [];
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      skipped++;
      continue;
    }
    const n = i + 1;
    const parts = line.split('\t');
    if (parts.length < 2) {
      throw new Error(`Line ${n} has no tab: each line must be "source<TAB>target". It reads: "${clip(line)}"`);
    }
    if (parts.length > 2) {
      throw new Error(`Line ${n} has ${parts.length - 1} tabs; each line must hold exactly one tab between source and target.`);
    }
    const [src, tgt] = parts;
    if (src.trim() === '' || tgt.trim() === '') {
      throw new Error(`Line ${n} has an empty ${src.trim() === '' ? 'source' : 'target'}; both sides need text.`);
    }
    if (src.length > TSV_LIMITS.maxLineChars || tgt.length > TSV_LIMITS.maxLineChars) {
      throw new Error(`Line ${n} is longer than ${TSV_LIMITS.maxLineChars} characters on one side; use shorter pairs.`);
    }
    pairs.push([src, tgt]);
    if (pairs.length > TSV_LIMITS.maxPairs) throw new Error(`The file has more than ${TSV_LIMITS.maxPairs} pairs; use a smaller one.`);
  }
  if (pairs.length < TSV_LIMITS.minPairs) {
    throw new Error(`Found ${pairs.length} pair${pairs.length === 1 ? '' : 's'}; the page needs at least ${TSV_LIMITS.minPairs} lines of "source<TAB>target" to train and hold some out.`);
  }
  // Deterministic shuffle, then hold out a slice for measuring accuracy.
  const order = pairs.map((_, i) => i);
  let s = (seed >>> 0) || 1;
  for (let i = order.length - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.max(1, Math.min(maxTest, Math.round(pairs.length * testFraction)));
  const test = order.slice(0, nTest).map((i) => pairs[i]);
  const train = order.slice(nTest).map((i) => pairs[i]);
  return { train, test, count: pairs.length, skipped };
}

function clip(s) {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
