// tasks/index.js: the built-in tasks by name, and user data from tab-separated text.
// Every task generator takes { seed, trainSize, testSize, ... } and returns
// { name, description, tokenizer, options, train: [[src, tgt], ...], test: [[src, tgt], ...] }.

import { dates } from './dates.js';
import { scrambled } from './scrambled.js';
import { enFr } from './en-fr.js';
import { reverse, sort, copy } from './sequences.js';
import { describePairs, fromTSV, parseTSV, TSV_LIMITS } from './tsv.js';
import { fail } from '../errors.js';

/** Names of the built-in generators, in the order the CLI and the page list them. */
export const taskNames = Object.freeze(['dates', 'scrambled', 'en-fr', 'reverse', 'sort', 'copy']);

/**
 * The task generators by name ('en-fr' is also reachable as enFr), plus fromTSV/parseTSV and
 * their default limits TSV_LIMITS.
 * tasks.dates({ seed: 1, trainSize: 10000, testSize: 1000 }) -> a task.
 */
export const tasks = Object.freeze({ dates, scrambled, 'en-fr': enFr, enFr, reverse, sort, copy, fromTSV, parseTSV, describePairs, TSV_LIMITS });

/**
 * Generates a built-in task by name.
 * @param {string} name one of taskNames
 * @param {object} [options] the generator's options
 */
export function generateTask(name, options = {}) {
  if (!taskNames.includes(name)) {
    throw fail(`unknown task ${JSON.stringify(name)}: use one of ${taskNames.join(', ')}, or your own pairs with fromTSV`);
  }
  return tasks[name](options);
}
