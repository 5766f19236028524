// common.js: what every task generator shares: option checks and drawing distinct examples into
// disjoint train/test splits.

import { createRandom } from '../random.js';
import { fail } from '../errors.js';

/** Largest trainSize or testSize a generator accepts. */
export const MAX_TASK_EXAMPLES = 1000000;

/** Checks an integer option and returns it (or the default when undefined). */
export function integerOption(options, name, fallback, min, max) {
  const value = options[name] ?? fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw fail(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, value > max ? 'LIMIT' : 'BAD_ARGUMENT');
  }
  return value;
}

/** Rejects options this generator does not know, so a typo is not silently ignored. */
export function checkOptions(options, known, task) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw fail(`${task}: options must be an object like { seed: 1, trainSize: 1000 }`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw fail(`${task}: unknown option ${JSON.stringify(key)}; known options: ${known.join(', ')}`);
    }
  }
}

/**
 * Draws examples from `draw(rng)` until trainSize + testSize distinct sources are found; the
 * first trainSize go to train, the rest to test, so no source is in both splits.
 * @param {{seed: number, trainSize: number, testSize: number}} sizes
 * @param {(rng: ReturnType<typeof createRandom>) => [string, string]} draw
 * @param {string} task used in the error when the generator cannot produce enough distinct examples
 */
export function drawSplits({ seed, trainSize, testSize }, draw, task) {
  const rng = createRandom(seed);
  const wanted = trainSize + testSize;
  const seen = new Set();
  const pairs = [];
  let misses = 0;
  while (pairs.length < wanted) {
    const pair = draw(rng);
    if (seen.has(pair[0])) {
      misses++;
      if (misses > 50 * wanted + 10000) {
        throw fail(
          `${task}: found only ${pairs.length} distinct examples, ${wanted} asked for: lower trainSize/testSize or widen the task (longer strings, a larger alphabet)`);
      }
      continue;
    }
    seen.add(pair[0]);
    pairs.push(pair);
  }
  return { train: pairs.slice(0, trainSize), test: pairs.slice(trainSize) };
}

/** The common options: seed, trainSize, testSize, checked, with per-task defaults. */
export function sizeOptions(options, defaults) {
  return {
    seed: integerOption(options, 'seed', 1, 0, 0xffffffff),
    trainSize: integerOption(options, 'trainSize', defaults.trainSize, 1, MAX_TASK_EXAMPLES),
    testSize: integerOption(options, 'testSize', defaults.testSize, 0, MAX_TASK_EXAMPLES),
  };
}
