// The library in the three browser engines (tests/engines.js: Chromium, Firefox ESR, WebKitGTK):
// the package entry imported as plain ES modules from the built site (lib/ as a browser gets it,
// '#platform' resolved to lib/browser/platform.js), Translator on the page's thread,
// TranslatorWorker in a real module Web Worker, and the same seed giving the same training and
// translation as in Node. Whether the engine has WebAssembly SIMD is detected, not assumed: 'auto'
// must pick what WebAssembly.validate says. SKIP_BROWSER_TESTS=1 skips it like the other
// browser tests.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../web/serve.js';
import { buildSite } from '../scripts/build-site.js';
import { browserSkipReason } from './web-harness.js';
import { ENGINES, launch } from './engines.js';
import { Translator, tasks } from '../lib/index.js';

const SETUP = { seed: 3, trainSize: 200, testSize: 10, minLength: 2, maxLength: 5, alphabet: 'abcd' };
const MODEL = { embed: 8, hidden: 16, attentionSize: 16, seed: 7 };

// Runs in the page: trains the same tiny model as in Node and reports what it saw.
async function inPage({ setup, model }) {
  const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 11]);
  const lib = await import(new URL('./lib/index.js', location.href).href);
  const data = lib.tasks.reverse(setup);
  const out = {};
  const m = await lib.Translator.create({ pairs: data.train, ...model });
  out.backend = m.backend;
  out.simd = WebAssembly.validate(SIMD_PROBE);
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


// The same seeds in Node: the numbers every engine must reproduce (docs/design.md: same seed, same
// weights and translations in Node and in the browser).
async function inNode(backend) {
  const data = tasks.reverse(SETUP);
  const node = await Translator.create({ pairs: data.train, ...MODEL, backend });
  const losses = [];
  await node.train(data.train, { steps: 6, batchSize: 16, onProgress: (p) => losses.push(p.loss) });
  const r = node.translate('abcd', { maxLength: 10 });
  const out = { backend: node.backend, losses, ids: Array.from(r.ids), logProb: r.logProb };
  node.dispose();
  return out;
}

let site = null;
test.before(() => {
  if (browserSkipReason()) return;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 's2s-lib-site-'));
  buildSite({ out, entries: ['lib/index.js'] });
  // An empty page of the same origin to run the flow in.
  fs.writeFileSync(path.join(out, 'blank.html'), '<!doctype html><meta charset="utf-8"><title>lib</title>');
  site = out;
});
test.after(() => site && fs.rmSync(site, { recursive: true, force: true }));

for (const engine of ENGINES) {
  test(`the library runs in ${engine}: on the page, in a Web Worker, and matches Node`, { skip: browserSkipReason(), timeout: 180000 }, async (t) => {
    const server = await startServer({ port: 0, root: site, prefix: '/pkg/' });
    const browser = await launch(engine);
    try {
      await browser.goto(new URL('./blank.html', server.url).href);
      const out = await browser.run(inPage, { setup: SETUP, model: MODEL });
      t.diagnostic(`${browser.version}: WebAssembly SIMD ${out.simd ? 'yes' : 'no'}, auto picked ${out.backend}`);
      assert.deepEqual(await browser.run(() => window.__errors), []);
      assert.equal(out.backend, out.simd ? 'simd' : 'scalar', 'auto picks SIMD exactly where it validates');
      assert.equal(out.scalarBackend, 'scalar');
      assert.equal(out.reloaded, out.text);
      assert.equal(out.disposedCode, 'DISPOSED');
      assert.equal(out.workerSteps, 6);
      assert.ok(out.workerProgress >= 1);
      assert.equal(out.workerText, out.text, 'the worker trains the same model');
      assert.equal(out.workerStopped, true, 'stop() reaches a training worker');
      assert.equal(out.pageStopped, true, 'training on the page yields to timers');
      assert.equal(out.isWorkerClass, true);
      const node = await inNode(out.backend);
      assert.equal(node.backend, out.backend);
      assert.deepEqual(out.losses, node.losses);
      assert.deepEqual(out.ids, node.ids);
      assert.equal(out.logProb, node.logProb);
    } finally {
      await browser.close();
      await server.close();
    }
  });
}
