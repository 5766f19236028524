// Data-parallel training in Chromium (issue 9): the built site served with the
// cross-origin-isolation headers (gradients through SharedArrayBuffer) and without them
// (transferred ArrayBuffers); in each, the same run with 1 and 2 workers must give the same
// model file, byte for byte, and the same bytes as Node (the reference: a run in this process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chromium } from 'playwright-core';
import { startServer } from '../web/serve.js';
import { builtSite, SITE_PREFIX, CHROMIUM, CHROMIUM_ARGS, browserSkipReason } from './web-harness.js';
import { Translator, tasks } from '../lib/index.js';

const RUN = { epochs: 2, batchSize: 40, shardSize: 8, learningRate: 0.01 };
const SMALL = { embed: 8, hidden: 16, attentionSize: 8, seed: 4 };

// runs in the page: the site's lib/ by URL, no other import
async function trainInPage({ libUrl, tasksUrl, run, small }) {
  const { Translator: T } = await import(libUrl);
  const { tasks: t } = await import(tasksUrl);
  const data = t.reverse({ seed: 2, trainSize: 150, testSize: 10 });
  const out = { isolated: globalThis.crossOriginIsolated === true, runs: [] };
  for (const workers of [1, 2]) {
    const model = await T.create({ pairs: data.train, ...small });
    const report = await model.train(data.train, { ...run, workers });
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', model.save()));
    out.runs.push({ workers: report.workers, transport: report.transport, loss: report.loss, sha: Array.from(digest, (x) => x.toString(16).padStart(2, '0')).join('') });
    model.dispose();
  }
  return out;
}

test('Chromium, isolated (SharedArrayBuffer) and not (transferred buffers): 1 and 2 workers give the model file Node gives', { skip: browserSkipReason(), timeout: 180000 }, async () => {
  const data = tasks.reverse({ seed: 2, trainSize: 150, testSize: 10 });
  const model = await Translator.create({ pairs: data.train, ...SMALL });
  await model.train(data.train, { ...RUN, workers: 1 });
  const inNode = createHash('sha256').update(model.save()).digest('hex');
  model.dispose();

  const site = builtSite();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    for (const isolated of [true, false]) {
      const server = await startServer({ port: 0, root: site.out, prefix: SITE_PREFIX, isolated });
      try {
        const page = await browser.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(server.url);
        const result = await page.evaluate(trainInPage, {
          libUrl: new URL('lib/translator.js', server.url).href, tasksUrl: new URL('lib/tasks/index.js', server.url).href, run: RUN, small: SMALL,
        });
        assert.equal(result.isolated, isolated);
        const transport = isolated ? 'shared' : 'transfer';
        console.log(`# Chromium ${isolated ? 'isolated' : 'not isolated'}: ${result.runs.map((r) => `${r.workers} worker(s) ${r.transport} ${r.sha.slice(0, 16)}`).join(', ')}; Node ${inNode.slice(0, 16)}`);
        assert.deepEqual(result.runs.map((r) => [r.workers, r.transport]), [[1, 'none'], [2, transport]]);
        for (const r of result.runs) assert.equal(r.sha, inNode, `${r.workers} worker(s) in Chromium (${r.transport}): another model file than Node's`);
        await page.close();
      } finally {
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }
});
