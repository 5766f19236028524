// The bundler test apps' one source (tests/bundlers.test.js copies it into a Vite, a webpack and
// an esbuild project): what a new user writes. It imports the package by name, trains a tiny
// model a few steps in a Web Worker (TranslatorWorker), translates, and puts the numbers on
// the page for the test to read. No top-level await: Vite's default build target has none.
import { TranslatorWorker, tasks } from 'seq2seq-attention';

const SETUP = { seed: 3, trainSize: 200, testSize: 10, minLength: 2, maxLength: 5, alphabet: 'abcd' };
const MODEL = { embed: 8, hidden: 16, attentionSize: 16, seed: 7 };

async function run() {
  const data = tasks.reverse(SETUP);
  // WORKER_OPTIONS is replaced per bundler: {} for Vite and webpack (they find the worker), the
  // worker file's URL for esbuild (it bundles the worker only as its own entry point).
  const remote = await TranslatorWorker.create({ pairs: data.train, ...MODEL }, WORKER_OPTIONS);
  const losses = [];
  const report = await remote.train(data.train, { steps: 6, batchSize: 16, onProgress: (p) => losses.push(p.loss) });
  const r = await remote.translate('abcd', { maxLength: 10 });
  const out = { backend: remote.backend, steps: report.steps, losses, text: r.text, ids: Array.from(r.ids), logProb: r.logProb };
  await remote.dispose();
  return out;
}

run().then(
  (out) => { document.body.dataset.result = JSON.stringify(out); },
  (err) => { document.body.dataset.error = String(err && err.stack || err); },
);
