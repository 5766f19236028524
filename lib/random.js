// random.js: the project's one seeded pseudo-random generator. The task generators, the training
// shuffle, the page's per-epoch order (web/app.js), the test data (tests/) and the benchmarks'
// synthetic batches (bench/) all draw from it, so the same seed gives the same numbers in Node and
// in every browser. Do not add another: take createRandom(seed), or createRandom(seed).next where a
// plain () => float is wanted. Changing the stream changes every task's data, and with it the
// documented accuracies (docs/library.md). (Model weights are drawn by the C core from its own seed.)

import { fail } from './errors.js';

/**
 * A generator of uniform floats in [0, 1) from a 32-bit seed (SplitMix32-style: a Weyl sequence
 * through an integer hash). Not for cryptography.
 * @param {number} seed an integer; only its low 32 bits are used
 */
export function createRandom(seed) {
  if (!Number.isInteger(seed)) throw fail(`seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
  return {
    /** A float in [0, 1). */
    next,
    /** The generator's state (a uint32): createRandom(state) goes on with the same numbers. */
    state() {
      return state;
    },
    /** An integer in [0, n). */
    int(n) {
      return Math.floor(next() * n);
    },
    /** An integer in [lo, hi] (both included). */
    range(lo, hi) {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    /** One element of a non-empty array. */
    pick(array) {
      return array[Math.floor(next() * array.length)];
    },
    /** true with probability p. */
    chance(p) {
      return next() < p;
    },
    /** Shuffles an array in place (Fisher-Yates) and returns it. */
    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = array[i];
        array[i] = array[j];
        array[j] = t;
      }
      return array;
    },
  };
}
