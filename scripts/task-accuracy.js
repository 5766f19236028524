#!/usr/bin/env node
// task-accuracy.js: trains one model per built-in task with the library's default settings
// (the CLI's: gru + additive attention, embed 32, hidden 64, attention 64, 10 epochs, batch 64,
// learning rate 0.003, seed 1, each task's default sizes) and scores it on the task's whole
// test split. Prints one JSON object per task, then a Markdown table for the README.
//   node scripts/task-accuracy.js [--epochs N] [task ...]
// CPU-heavy (minutes): not part of the test suite.

import { Translator, generateTask, taskNames } from '../lib/index.js';

const args = process.argv.slice(2);
let epochs = 10;
const epochsAt = args.indexOf('--epochs');
if (epochsAt >= 0) {
  epochs = Number(args[epochsAt + 1]);
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error('--epochs must be a positive integer');
  args.splice(epochsAt, 2);
}
const names = args.length > 0 ? args : taskNames;

const rows = [];
for (const name of names) {
  const task = generateTask(name, { seed: 1 });
  const model = await Translator.create({ pairs: task.train, tokenizer: task.tokenizer, seed: 1 });
  const report = await model.train(task.train, { epochs });
  const started = performance.now();
  const scores = model.evaluate(task.test);
  const row = {
    task: name, backend: model.backend, train: task.train.length, test: task.test.length, epochs,
    steps: report.steps, trainSeconds: +(report.elapsedMs / 1000).toFixed(1),
    evalSeconds: +((performance.now() - started) / 1000).toFixed(1), finalLoss: +report.loss.toFixed(4),
    exactMatch: +scores.exactMatch.toFixed(4), tokenAccuracy: +scores.tokenAccuracy.toFixed(4),
    bleu: +scores.bleu.toFixed(2), chrf: +scores.chrf.toFixed(2),
  };
  console.log(JSON.stringify(row));
  rows.push(row);
  model.dispose();
}

console.log('\n| task | train/test pairs | steps | training time | exact match | token accuracy | BLEU | chrF |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(`| ${r.task} | ${r.train}/${r.test} | ${r.steps} | ${r.trainSeconds} s | ${(100 * r.exactMatch).toFixed(1)}% | ` +
    `${(100 * r.tokenAccuracy).toFixed(1)}% | ${r.bleu.toFixed(1)} | ${r.chrf.toFixed(1)} |`);
}
