// web-train.test.js: the page's main path in headless Chromium. Train the dates task for a
// bounded time (WEB_TRAIN_SECONDS, default 90; the page stops by itself at 99 % held-out exact
// match), and check that: the loss falls; held-out dates (generated here in Node with the same
// seed, so the page never trained on them) translate correctly; the heat map is drawn for them;
// the main thread stays free while training (long tasks measured); step-through, beam search and the
// unknown-symbol warning work; the model survives a reload (IndexedDB) and a download ->
// reload -> load round trip with the same translations; a damaged model file is refused.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { tasks } from '../lib/index.js';
import { openPage, browserSkipReason, byTestId, translateInPage, waitReady, traceMainThread } from './web-harness.js';

const skip = browserSkipReason();
const TRAIN_SECONDS = Number(process.env.WEB_TRAIN_SECONDS || 90);
// The page's dates task: the same generator and seed, so these are the page's held-out pairs.
const heldOut = tasks.dates({ seed: 1, trainSize: 10000, testSize: 1000 }).test;
const CHECKED = heldOut.slice(900, 910); // not among the 200 the page measures during training

// The main thread while training. PerformanceObserver reports tasks over 50 ms of wall time, and
// on a machine with more runnable jobs than cores a 15 ms frame can be descheduled past that,
// which measures the machine, not the page. Chromium's trace also gives each main-thread task's
// CPU time (web-harness.js traceMainThread): the page's own work, whatever the load. So:
//   always: no task with 100 ms of CPU time or more, and tasks with more than 50 ms of CPU time
//     add up to under 1 % of the training time;
//   with cores to spare (1-min load average <= CPUs + 1) the same for wall time: no long task
//     of 100 ms or more, long tasks under 1 % of the training time;
//   WEB_STRICT_LONGTASKS=1: no long task at all (wall time).
// Training on the main thread, even in 100 ms slices, fails each of them.
function longTaskLimits() {
  if (process.env.WEB_STRICT_LONGTASKS === '1') return { longestMs: 50, share: 0, wall: true, why: 'strict' };
  const load = os.loadavg()[0];
  const cpus = os.cpus().length;
  return load <= cpus + 1
    ? { longestMs: 100, share: 0.01, wall: true, why: `load ${load.toFixed(1)} on ${cpus} CPUs` }
    : { longestMs: 100, share: 0.01, wall: false, why: `overloaded: load ${load.toFixed(1)} on ${cpus} CPUs, so CPU time only` };
}

const num = (s) => Number(String(s).replace(/[^\d.]/g, ''));

test('dates in Chromium: trains in a worker, translates held-out dates, keeps the model', { skip, timeout: (TRAIN_SECONDS + 150) * 1000 }, async (t) => {
  const p = await openPage();
  const { page } = p;
  try {
    let trainStart, trainEnd, firstLoss, lastLoss;

    await t.test('training makes the loss fall while the main thread stays free', async () => {
      const trace = await traceMainThread(page);
      trainStart = await page.evaluate(() => performance.now());
      await page.click(byTestId('train-button'));
      await page.waitForFunction(() => document.getElementById('stat-loss').textContent !== '–', null, { timeout: 30000 });
      firstLoss = num(await page.textContent(byTestId('loss-display')));
      // Type while it trains: the page must take input at once (the worker does the work).
      const typed = await page.evaluate(async () => {
        const input = document.getElementById('input');
        const t0 = performance.now();
        input.focus();
        input.value = '';
        input.dispatchEvent(new Event('input'));
        await new Promise((r) => requestAnimationFrame(() => r()));
        return performance.now() - t0;
      });
      assert.ok(typed < 200, `an input event and a frame took ${typed.toFixed(0)} ms during training`);
      const done = await page.waitForFunction(() => document.getElementById('train-state').classList.contains('done'), null,
        { timeout: TRAIN_SECONDS * 1000 }).then(() => true, () => false);
      if (!done) {
        await page.click(byTestId('pause-button'));
      }
      await page.waitForFunction(() => document.getElementById('pause-btn').disabled && /Paused|Done/.test(document.getElementById('train-state').textContent), null, { timeout: 30000 });
      trainEnd = await page.evaluate(() => performance.now());
      const tasks = await trace.stop();
      lastLoss = num(await page.textContent(byTestId('loss-display')));
      const state = await page.textContent(byTestId('train-state'));
      const acc = await page.textContent(byTestId('accuracy-display'));
      t.diagnostic(`trained ${await page.textContent(byTestId('steps-display'))} steps in ${await page.textContent(byTestId('time-display'))}; loss ${firstLoss} -> ${lastLoss}; held-out exact match ${acc}; ${state}`);
      assert.ok(Number.isFinite(firstLoss) && Number.isFinite(lastLoss), `loss readable: ${firstLoss}, ${lastLoss}`);
      assert.ok(lastLoss < firstLoss / 5, `loss fell from ${firstLoss} to ${lastLoss}`);
      assert.ok(num(acc) >= 90, `held-out exact match ${acc} after ${TRAIN_SECONDS} s`);
      assert.match(await page.textContent(byTestId('backend')), /WebAssembly (SIMD|scalar)/);
      assert.ok(num(await page.textContent(byTestId('speed-display'))) > 0);

      const longTasks = await page.evaluate(([a, b]) => (window.__longTasks || []).filter((e) => e.start >= a && e.start <= b), [trainStart, trainEnd]);
      assert.notEqual(await page.evaluate(() => window.__longTasks), null, 'PerformanceObserver longtask is supported');
      const span = trainEnd - trainStart;
      const total = longTasks.reduce((a, e) => a + e.duration, 0);
      const limits = longTaskLimits();
      // the page's own work: main-thread tasks by CPU time (the trace spans the training and a little more)
      assert.ok(tasks.length > 0, 'the trace has the main thread\'s tasks');
      const heavy = tasks.filter((e) => e.cpu > 50);
      const heavyCpu = heavy.reduce((a, e) => a + e.cpu, 0);
      const busiest = tasks.reduce((a, e) => (e.cpu > a.cpu ? e : a), tasks[0]);
      t.diagnostic(`main thread during ${(span / 1000).toFixed(1)} s of training: ${tasks.length} tasks, ${tasks.reduce((a, e) => a + e.cpu, 0).toFixed(0)} ms of CPU in all; the busiest ${busiest.cpu.toFixed(1)} ms of CPU (${busiest.wall.toFixed(1)} ms of wall time); over 50 ms of CPU: ${heavy.length} (${heavyCpu.toFixed(0)} ms)`);
      t.diagnostic(`long tasks (> 50 ms of wall time): ${longTasks.length}, ${total.toFixed(0)} ms in all ${JSON.stringify(longTasks)}; limits (${limits.why}): each < ${limits.longestMs} ms, total <= ${limits.share * 100} %`);
      for (const e of heavy) assert.ok(e.cpu < limits.longestMs, `a main-thread task of ${e.cpu.toFixed(0)} ms of CPU time (${e.wall.toFixed(0)} ms of wall time)`);
      assert.ok(heavyCpu <= limits.share * span, `main-thread tasks over 50 ms of CPU took ${heavyCpu.toFixed(0)} ms of ${span.toFixed(0)} ms`);
      if (limits.wall) {
        for (const e of longTasks) assert.ok(e.duration < limits.longestMs, `a ${e.duration} ms main-thread task at ${e.start.toFixed(0)} ms (${limits.why})`);
        assert.ok(total <= limits.share * span, `long tasks took ${total.toFixed(0)} ms of ${span.toFixed(0)} ms (${limits.why})`);
      }
      // issue 9: every core but the page's own by default, and the page says how many threads train
      // and how gradients move
      const threads = await page.evaluate(() => ({ cores: navigator.hardwareConcurrency, ...document.getElementById('threads-state').dataset, text: document.getElementById('threads-state').textContent }));
      assert.equal(await page.inputValue(byTestId('threads')), 'auto');
      assert.equal(Number(threads.workers), Math.max(1, threads.cores - 1), threads.text);
      assert.equal(threads.transport, threads.workers === '1' ? 'none' : 'transfer', threads.text); // the harness serves without COOP/COEP
      assert.match(threads.text, /^Training on \d+ threads?: /);
    });

    await t.test('held-out dates translate correctly, with a heat map drawn', async () => {
      let right = 0;
      const wrong = [];
      for (const [src, tgt] of CHECKED) {
        const out = await translateInPage(page, src);
        if (out === tgt) right++;
        else wrong.push(`${src} -> ${out} (want ${tgt})`);
      }
      t.diagnostic(`${right}/${CHECKED.length} held-out dates right${wrong.length ? `; wrong: ${wrong.join('; ')}` : ''}`);
      assert.ok(right >= CHECKED.length - 1, `${right}/${CHECKED.length} right: ${wrong.join('; ')}`);

      const [src, tgt] = CHECKED[0];
      await translateInPage(page, src);
      const map = await page.$eval(byTestId('heatmap'), (c) => {
        const ctx = c.getContext('2d');
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) {
          colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
          if (data[i + 3] > 0 && data[i] < 80 && data[i + 2] > 90) dark++;
        }
        return { rows: Number(c.dataset.rows), cols: Number(c.dataset.cols), colours: colours.size, dark, width: c.width, label: c.getAttribute('aria-label') };
      });
      assert.equal(map.cols, [...src].length, 'one column per input symbol');
      assert.equal(map.rows, [...tgt].length + 1, 'one row per output symbol and the end symbol');
      assert.ok(map.colours > 10, `the heat map has ${map.colours} colours`);
      assert.ok(map.dark > 50, `strong weights are drawn dark (${map.dark} dark pixels)`);
      assert.match(map.label, /looks most at/);
      // The probe map (updated while training) is drawn too.
      assert.ok(Number(await page.getAttribute(byTestId('probe-heatmap'), 'data-rows')) > 0);
      // The cost line counts the scores: m * t.
      const cost = await page.textContent(byTestId('cost-display'));
      assert.match(cost, new RegExp(`m = ${[...src].length} .* t = ${[...tgt].length + 1} .* = ${[...src].length * ([...tgt].length + 1)} attention scores`));
    });

    await t.test('step through the decoding, beam search with an n-best list, unknown symbols', async () => {
      const [src, tgt] = CHECKED[1];
      await translateInPage(page, src);
      await page.waitForFunction(() => /^Step 1 of \d+/.test(document.getElementById('step-title').textContent));
      const steps = Number((await page.textContent(byTestId('step-title'))).match(/of (\d+)/)[1]);
      assert.equal(steps, [...tgt].length + 1);
      assert.equal(await page.textContent(byTestId('step-chosen')), [...tgt][0]);
      await page.click(byTestId('step-next'));
      assert.match(await page.textContent(byTestId('step-title')), /^Step 2 of/);
      assert.equal(await page.textContent(byTestId('step-chosen')), [...tgt][1]);
      await page.focus(byTestId('stepper'));
      await page.keyboard.press('End');
      assert.equal(await page.textContent(byTestId('step-chosen')), '</s>');
      await page.keyboard.press('ArrowLeft');
      assert.equal(await page.textContent(byTestId('step-chosen')), [...tgt].at(-1));
      const weights = await page.$$eval(`${byTestId('step-body')} table.scores tbody tr td:nth-child(4)`, (tds) => tds.map((td) => Number(td.textContent)));
      const sum = weights.slice(0, [...src].length).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 0.01, `the step's attention weights sum to 1 (${sum})`);

      await page.selectOption(byTestId('decode-mode'), '3');
      await page.waitForSelector(`${byTestId('nbest-list')}:not([hidden])`);
      const items = await page.$$eval(`${byTestId('nbest-list')} li`, (lis) => lis.map((li) => li.firstChild.textContent));
      assert.ok(items.length >= 2 && items.length <= 3, `n-best list of ${items.length}`);
      assert.equal(items[0], await page.textContent(byTestId('translation-output')));
      await page.selectOption(byTestId('decode-mode'), '1');

      await translateInPage(page, `${src}€`);
      await page.waitForSelector(`${byTestId('unknown-warning')}:not([hidden])`);
      assert.match(await page.textContent(byTestId('unknown-warning')), new RegExp(`“€” \\(position ${[...src].length + 1}\\)`));
    });

    await t.test('the model survives a reload, and download -> reload -> load gives the same translations', async () => {
      const inputs = CHECKED.slice(2, 6).map(([s]) => s);
      const before = [];
      for (const s of inputs) before.push(await translateInPage(page, s));
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(byTestId('save-button'))]);
      assert.match(download.suggestedFilename(), /^seq2seq-dates-gru-additive\.s2s$/);
      const file = await download.path();
      const bytes = fs.readFileSync(file);
      assert.ok(bytes.length > 10000, `model file of ${bytes.length} bytes`);

      await page.reload();
      await waitReady(page);
      assert.match(await page.textContent(byTestId('model-status')), /Restored/);
      const restored = [];
      for (const s of inputs) restored.push(await translateInPage(page, s));
      assert.deepEqual(restored, before, 'the model remembered in IndexedDB translates the same');

      // Forget it, reload: no model; then load the downloaded file.
      await page.click(byTestId('reset-button'));
      await page.waitForFunction(() => document.getElementById('save-btn').disabled);
      await page.reload();
      await waitReady(page);
      assert.equal(await page.isDisabled(byTestId('save-button')), true, 'Reset forgot the model');
      await page.setInputFiles(byTestId('model-input'), file);
      await page.waitForFunction(() => /^Loaded/.test(document.querySelector('[data-testid="model-status"]').textContent), null, { timeout: 20000 });
      assert.match(await page.textContent(byTestId('model-status')), /GRU, additive attention, hidden 64/);
      const loaded = [];
      for (const s of inputs) loaded.push(await translateInPage(page, s));
      assert.deepEqual(loaded, before, 'the loaded file translates the same');

      // A damaged copy (one byte changed in the middle, or cut short) is refused with a message,
      // and the model loaded before stays.
      const flipped = Buffer.from(bytes);
      flipped[flipped.length >> 1] ^= 0x40;
      await page.setInputFiles(byTestId('model-input'), { name: 'flipped.s2s', mimeType: 'application/octet-stream', buffer: flipped });
      await page.waitForSelector(`${byTestId('model-error')}:not([hidden])`, { timeout: 20000 });
      const err1 = await page.textContent(byTestId('model-error'));
      assert.match(err1, /Could not load “flipped\.s2s”/);
      t.diagnostic(`damaged file: ${err1}`);
      await page.setInputFiles(byTestId('model-input'), { name: 'cut.s2s', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, bytes.length >> 1) });
      await page.waitForFunction(() => /cut\.s2s/.test(document.querySelector('[data-testid="model-error"]').textContent), null, { timeout: 20000 });
      assert.equal(await translateInPage(page, inputs[0]), before[0], 'the good model is still loaded');
      assert.deepEqual(p.pageErrors, []);
      assert.deepEqual(p.consoleErrors, []);
      assert.deepEqual(p.offsiteRequests, []);
    });
  } finally {
    await p.close();
  }
});
