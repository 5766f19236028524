// web-experiment.test.js: the page's attention experiment in headless Chromium, shortened to its
// smallest setting (15 s of training for three models at once): it trains additive, dot and
// no attention on the same data, then fills the accuracy-by-length and cost plots and the table;
// a model without attention computes no scores, one with attention computes m*t per translation.

import test from 'node:test';
import assert from 'node:assert/strict';
import { openPage, browserSkipReason, byTestId } from './web-harness.js';

const skip = browserSkipReason();

test('the experiment trains three models and plots accuracy and cost by input length', { skip, timeout: 180000 }, async () => {
  const p = await openPage();
  try {
    const { page } = p;
    await page.selectOption(byTestId('experiment-task'), 'copy');
    await page.selectOption(byTestId('experiment-seconds'), '15');
    await page.click(byTestId('experiment-button'));
    await page.waitForFunction(() => /^Training three models/.test(document.getElementById('exp-state').textContent), null, { timeout: 30000 });
    await page.waitForFunction(() => /^Done/.test(document.getElementById('exp-state').textContent) || !document.getElementById('exp-error').hidden,
      null, { timeout: 150000 });
    assert.equal(await page.isHidden(byTestId('experiment-error')), true, await page.textContent(byTestId('experiment-error')));
    const rows = await page.$$eval(`${byTestId('experiment-table')} tbody tr`, (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.deepEqual(rows.map((r) => r[0]), ['additive', 'dot', 'none']);
    for (const [name, steps, , exact, scores, ms] of rows) {
      assert.ok(Number(steps.replace(/,/g, '')) > 0, `${name} trained (${steps} steps)`);
      assert.match(exact, /^\d+\.\d %$/);
      assert.ok(Number(ms) > 0, `${name} took ${ms} ms per translation`);
      const s = Number(scores.replace(/,/g, ''));
      if (name === 'none') assert.equal(s, 0, 'no attention, no scores');
      else assert.ok(s >= 4 * 5, `${name}: at least m*t = 4*5 scores per translation, got ${s}`);
    }
    // Inputs of 4 to 20 symbols: one point per length, for each of the three models.
    for (const id of ['experiment-chart', 'experiment-bleu-chart', 'experiment-scores-chart', 'experiment-time-chart']) {
      const counts = (await page.getAttribute(byTestId(id), 'data-points')).split(',').map(Number);
      assert.equal(counts.length, 3, id);
      for (const c of counts) assert.ok(c >= 10, `${id}: ${counts}`);
    }
    assert.equal(await page.isEnabled(byTestId('experiment-button')), true);
    assert.deepEqual(p.pageErrors, []);
    assert.deepEqual(p.consoleErrors, []);
  } finally {
    await p.close();
  }
});
