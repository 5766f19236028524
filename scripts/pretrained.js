#!/usr/bin/env node
// pretrained.js: makes the small pretrained models the page opens with (pretrained/*.s2s), from
// fixed seeds, so the same wasm build gives the same bytes on every run and every machine
// (the core's arithmetic is deterministic: no fused multiply-add, fixed summation order).
// Each is trained on the page's own task data (same generator, seed and sizes as the page's
// task picker), so the page's held-out pairs are held out for these models too.
//
//   node scripts/pretrained.js            rewrite pretrained/*.s2s and print each one's scores
//   node scripts/pretrained.js --check    rebuild into memory, compare with the committed files
//   import { RECIPES, buildPretrained } from './scripts/pretrained.js'
//
// Time: about 25 s for the three on one free core (Node 20, SIMD), longer on a busy machine.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Translator, tasks } from '../lib/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the committed models live (shipped with the page and the package). */
export const PRETRAINED_DIR = path.join(ROOT, 'pretrained');

// The page's task data (web/app.js TASK_SIZES): the same pairs, the same held-out split.
const TASK = { seed: 1, trainSize: 10000, testSize: 1000 };

/** One recipe per model: the task, the network, the training run. Nothing else goes in. */
export const RECIPES = Object.freeze([
  {
    file: 'dates.s2s', task: 'dates', taskOptions: TASK,
    model: { cell: 'gru', attention: 'additive', embed: 16, hidden: 32, attentionSize: 32, seed: 1 },
    train: { steps: 1200, batchSize: 32, learningRate: 0.01, schedule: 'cosine', shuffleSeed: 1 },
  },
  {
    file: 'scrambled.s2s', task: 'scrambled', taskOptions: TASK,
    model: { cell: 'gru', attention: 'additive', embed: 16, hidden: 64, attentionSize: 64, seed: 1 },
    train: { steps: 800, batchSize: 32, learningRate: 0.01, schedule: 'cosine', shuffleSeed: 1 },
  },
  {
    file: 'en-fr.s2s', task: 'en-fr', taskOptions: TASK,
    model: { cell: 'gru', attention: 'additive', embed: 32, hidden: 64, attentionSize: 64, seed: 1 },
    train: { steps: 600, batchSize: 32, learningRate: 0.01, schedule: 'cosine', shuffleSeed: 1 },
  },
]);

/** The backend the models are made with: the bytes depend on it (SIMD sums in another order). */
export const PRETRAINED_BACKEND = 'simd';

/**
 * Trains one recipe and returns { recipe, bytes, scores } (scores on 300 held-out pairs).
 * @param {typeof RECIPES[number]} recipe
 */
export async function buildPretrained(recipe) {
  const data = tasks[recipe.task](recipe.taskOptions);
  const model = await Translator.create({
    pairs: data.train, tokenizer: data.tokenizer, ...recipe.model, backend: PRETRAINED_BACKEND,
    info: {
      task: recipe.task, taskOptions: recipe.taskOptions, pretrained: true,
      madeBy: 'scripts/pretrained.js', train: recipe.train,
    },
  });
  try {
    await model.train(data.train, recipe.train);
    const bytes = model.save();
    const { exactMatch, bleu } = model.evaluate(data.test.slice(0, 300));
    return { recipe, bytes, scores: { exactMatch, bleu } };
  } finally {
    model.dispose();
  }
}

const sha = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const check = process.argv.includes('--check');
  let differ = 0;
  fs.mkdirSync(PRETRAINED_DIR, { recursive: true });
  for (const recipe of RECIPES) {
    const t0 = Date.now();
    const { bytes, scores } = await buildPretrained(recipe);
    const file = path.join(PRETRAINED_DIR, recipe.file);
    const line = `${recipe.file}: ${bytes.length} bytes, sha256 ${sha(bytes).slice(0, 16)}, held-out exact match ${(scores.exactMatch * 100).toFixed(1)} %, BLEU ${scores.bleu.toFixed(1)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
    if (check) {
      const same = fs.existsSync(file) && Buffer.compare(fs.readFileSync(file), Buffer.from(bytes)) === 0;
      if (!same) differ++;
      console.log(`${same ? 'same' : 'DIFFERENT'} ${line}`);
    } else {
      fs.writeFileSync(file, bytes);
      console.log(`wrote ${line}`);
    }
  }
  if (differ) {
    console.error(`${differ} model(s) differ from the committed files: run node scripts/pretrained.js and commit pretrained/`);
    process.exit(1);
  }
}
