// The library in a real browser (Debian's Chromium through playwright-core): the package entry
// imported as plain ES modules from a static server, Translator on the page's thread,
// TranslatorWorker in a real module Web Worker, and the same seed giving the same training and
// translation as in Node. SKIP_BROWSER_TESTS=1 skips it like the other browser tests.
import test from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../web/serve.js';
import { buildSite } from '../scripts/build-site.js';
import { CHROMIUM, CHROMIUM_ARGS, browserSkipReason } from './web-harness.js';
import { Translator, tasks } from '../lib/index.js';

const SETUP = { seed: 3, trainSize: 200, testSize: 10, minLength: 2, maxLength: 5, alphabet: 'abcd' };
const MODEL = { embed: 8, hidden: 16, attentionSize: 16, seed: 7 };

// Runs in the page: trains the same tiny model as in Node and reports what it saw.
async function inPage({ setup, model }) {
  const lib = await import(new URL('./lib/index.js', location.href).href);
  const data = lib.tasks.reverse(setup);
  const out = {};
  const m = await lib.Translator.create({ pairs: data.train, ...model });
  out.backend = m.backend;
  const losses = [];
  await m.train(data.train, { steps: 6, batchSize: 16, onProgress: (p) => losses.push(p.loss) });
  out.losses = losses;
  const r = m.translate('abcd', { maxLength: 10 });
  out.text = r.text;
  out.ids = Array.from(r.ids);
  out.logProb = r.logProb;
  const loaded = await lib.Translator.load(m.save());
  out.reloaded = loaded.translate('abcd', { maxLength: 10 }).text;
  loaded.dispose();
  const scalar = await lib.Translator.create({ pairs: data.train, ...model, backend: 'scalar' });
  out.scalarBackend = scalar.backend;
  scalar.dispose();
  m.dispose();
  try {
    m.translate('ab');
  } catch (e) {
    out.disposedCode = e.code;
  }
  const remote = await lib.TranslatorWorker.create({ pairs: data.train, ...model });
  out.workerBackend = remote.backend;
  let progress = 0;
  const report = await remote.train(data.train, { steps: 6, batchSize: 16, onProgress: () => progress++ });
  out.workerSteps = report.steps;
  out.workerProgress = progress;
  out.workerText = (await remote.translate('abcd', { maxLength: 10 })).text;
  // A long run stopped from the page: the worker must yield between steps to see the message.
  let asked = false;
  const long = await remote.train(data.train, {
    epochs: 100000, batchSize: 4, onProgress: () => { if (!asked) { asked = true; remote.stop(); } },
  });
  out.workerStopped = long.stopped;
  // The page's own thread too: an AbortSignal aborted from a timer.
  const local = await lib.Translator.create({ pairs: data.train, ...model });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  out.pageStopped = (await local.train(data.train, { epochs: 100000, batchSize: 4, signal: controller.signal })).stopped;
  local.dispose();
  await remote.dispose();
  out.isWorkerClass = typeof Worker === 'function';
  return out;
}

test('the library runs in a browser page and in a Web Worker, and matches Node', { skip: browserSkipReason(), timeout: 120000 }, async () => {
  // The site build with the package entry added: lib/ as a browser gets it (no Node files,
  // '#platform' resolved to lib/browser/platform.js), served under a sub-path.
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 's2s-lib-site-'));
  buildSite({ out, entries: ['lib/index.js'] });
  const server = await startServer({ port: 0, root: out, prefix: '/pkg/' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL('./manifest.webmanifest', server.url).href);
    const out = await page.evaluate(inPage, { setup: SETUP, model: MODEL });
    assert.deepEqual(errors, []);
    assert.equal(out.backend, 'simd', 'Chromium has WebAssembly SIMD, so auto picks it');
    assert.equal(out.scalarBackend, 'scalar');
    assert.equal(out.reloaded, out.text);
    assert.equal(out.disposedCode, 'DISPOSED');
    assert.equal(out.workerSteps, 6);
    assert.ok(out.workerProgress >= 1);
    assert.equal(out.workerText, out.text, 'the worker trains the same model');
    assert.equal(out.workerStopped, true, 'stop() reaches a training worker');
    assert.equal(out.pageStopped, true, 'training on the page yields to timers');

    // The same seeds in Node give the same losses and translation (docs/design.md: same seed, same
    // weights and translations in Node and in the browser).
    const data = tasks.reverse(SETUP);
    const node = await Translator.create({ pairs: data.train, ...MODEL });
    const losses = [];
    await node.train(data.train, { steps: 6, batchSize: 16, onProgress: (p) => losses.push(p.loss) });
    const r = node.translate('abcd', { maxLength: 10 });
    assert.equal(node.backend, out.backend);
    assert.deepEqual(out.losses, losses);
    assert.deepEqual(out.ids, Array.from(r.ids));
    assert.equal(out.logProb, r.logProb);
    node.dispose();
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});
