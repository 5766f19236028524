#!/usr/bin/env node
// scrambled-ceiling.js: how well any model can do on the `scrambled` task. Its corruption is
// ambiguous ("our" with vowels dropped is "or", itself a word), and words are drawn
// independently, so the best guess for a corrupted word is the clean word that most often
// produces it. This counts that on 300,000 generated phrases (another seed than the task's) and
// scores the guess on the default test split: an estimate of the highest exact match possible.
//   node scripts/scrambled-ceiling.js

import { tasks } from '../lib/index.js';

const sample = tasks.scrambled({ seed: 5, trainSize: 300000, testSize: 0 }).train;
const counts = new Map(); // corrupted word -> Map(clean word -> count)
for (const [src, tgt] of sample) {
  const clean = tgt.split(' ');
  src.split(' ').forEach((word, i) => {
    if (!counts.has(word)) counts.set(word, new Map());
    const m = counts.get(word);
    m.set(clean[i], (m.get(clean[i]) ?? 0) + 1);
  });
}
const bestGuess = (word) => {
  let best = null;
  let bestCount = 0;
  for (const [clean, n] of counts.get(word) ?? []) {
    if (n > bestCount) {
      best = clean;
      bestCount = n;
    }
  }
  return best;
};
const test = tasks.scrambled({ seed: 1 }).test;
const right = test.filter(([src, tgt]) => src.split(' ').map(bestGuess).join(' ') === tgt).length;
console.log(JSON.stringify({ task: 'scrambled', test: test.length, bestGuessExactMatch: right / test.length }));
