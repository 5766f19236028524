// reverse.js: seeded toy data for the core tests: batches of the reverse task as the low-level
// contract wants them (Int32Array, row-major, PAD = 0, BOS = 1, EOS = 2, symbols from 4 up).
// `random` is a function returning floats in [0, 1): createRandom(seed).next from lib/random.js.

/** A random sequence of symbol ids 4..4+symbols-1 with length in [minLen, maxLen]. */
export function randomSequence(random, minLen, maxLen, symbols) {
  const n = minLen + Math.floor(random() * (maxLen - minLen + 1));
  return Array.from({ length: n }, () => 4 + Math.floor(random() * symbols));
}

/** Packs (source, target) id sequences into a padded batch; the target gets EOS appended. */
export function makeBatch(pairs) {
  const B = pairs.length;
  const M = Math.max(...pairs.map(([s]) => s.length));
  const N = Math.max(...pairs.map(([, t]) => t.length)) + 1;
  const src = new Int32Array(B * M), srcLengths = new Int32Array(B), tgtIn = new Int32Array(B * N), tgtOut = new Int32Array(B * N);
  pairs.forEach(([s, t], b) => {
    src.set(s, b * M);
    srcLengths[b] = s.length;
    tgtIn[b * N] = 1;
    tgtIn.set(t, b * N + 1);
    tgtOut.set(t, b * N);
    tgtOut[b * N + t.length] = 2;
  });
  return { src, srcLengths, tgtIn, tgtOut, batchSize: B, srcLength: M, tgtLength: N };
}

/** A batch of the reverse task. */
export function reverseBatch(random, B, minLen, maxLen, symbols) {
  const pairs = [];
  for (let b = 0; b < B; b++) {
    const s = randomSequence(random, minLen, maxLen, symbols);
    pairs.push([s, s.slice().reverse()]);
  }
  return makeBatch(pairs);
}

/** Fraction of sources whose greedy translation is exactly the reversed source (then EOS). */
export function reverseAccuracy(model, sources) {
  let ok = 0;
  for (const s of sources) {
    const out = Array.from(model.translateTokens(new Int32Array(s), { maxLength: s.length + 5 }).tokens);
    const want = s.slice().reverse().concat([2]);
    if (out.length === want.length && out.every((x, i) => x === want[i])) ok++;
  }
  return ok / sources.length;
}
