// Checkpoints in the page (issue 15), in headless Chromium: while training, the page checkpoints
// to IndexedDB (here every 0.3 s through ?checkpointSeconds, 30 s by default); a reload in the
// middle of training offers to resume from the last checkpoint (step, time, accuracy shown),
// and resuming finishes with exactly the model file of a run that was never interrupted (both
// runs end at the same step through ?steps=N). A storage quota too small for a checkpoint
// (Chromium's own quota, shrunk through the DevTools protocol) is reported and training goes on.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPage, browserSkipReason, byTestId, waitReady } from './web-harness.js';

const skip = browserSkipReason();
const STEPS = 1000;
const QUERY = `?steps=${STEPS}&checkpointSeconds=0.3`;
const QUOTA_QUERY = '?steps=200&checkpointSeconds=0.3';

/** Records, from now on, every text the model status line shows (one can replace another within a
 *  frame) and the step of the last checkpoint kept. */
function watchStatus(page) {
  return page.evaluate(() => {
    window.__statuses = [];
    window.__checkpointStep = 0;
    const status = document.getElementById('model-status');
    new MutationObserver(() => {
      window.__statuses.push(status.textContent);
      const m = /Checkpoint kept in this browser at step ([\d,]+)/.exec(status.textContent);
      if (m) window.__checkpointStep = Number(m[1].replace(/,/g, ''));
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
}

async function setSmallModel(page) {
  await page.fill(byTestId('embed'), '8');
  await page.fill(byTestId('hidden'), '16');
  await page.fill(byTestId('attention-size'), '16');
  await page.fill(byTestId('batch-size'), '32');
}

async function download(page) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(byTestId('save-button'))]);
  return fs.readFileSync(await file.path());
}

// Training ends at STEPS exactly (the page's session runs at most up to it). The stats redraw at
// most four times a second: wait for the last redraw too.
// Returns the final step count.
async function waitDone(page, timeout = 300000) {
  const handle = await page.waitForFunction(() => {
    const m = /^Done: ([\d,]+) steps/.exec(document.getElementById('train-state').textContent);
    const steps = m && m[1].replace(/,/g, '');
    return steps && !document.getElementById('save-btn').disabled && document.getElementById('stat-steps').textContent.replace(/,/g, '') === steps && Number(steps);
  }, null, { timeout });
  return handle.jsonValue();
}

test('reload mid-training, resume: the same model bytes as the uninterrupted run', { skip, timeout: 900000 }, async () => {
  const p = await openPage();
  try {
    // the run that is never interrupted
    let page = p.page;
    await page.goto(p.url + QUERY);
    await waitReady(page);
    await setSmallModel(page);
    await page.click(byTestId('train-button'));
    const finalStep = await waitDone(page);
    assert.ok(finalStep >= STEPS && finalStep < STEPS + 16, `ended at step ${finalStep}`);
    const uninterrupted = await download(page);

    // the same run in a fresh browser profile, reloaded in the middle
    const context = await p.browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(p.url + QUERY);
    await waitReady(page);
    await setSmallModel(page);
    await watchStatus(page);
    await page.click(byTestId('train-button'));
    await page.waitForFunction(() => window.__checkpointStep >= 48, null, { timeout: 300000 });
    assert.ok(await page.isEnabled(byTestId('pause-button')), 'still training when reloaded');
    await page.reload();
    await waitReady(page);
    const offer = page.locator(byTestId('resume-offer'));
    assert.ok(await offer.isVisible(), 'the page offers to resume');
    const text = await offer.textContent();
    const step = Number(/step (\d+)/.exec(text)?.[1]);
    assert.ok(step >= 48 && step < STEPS, `resumes mid-run: ${text}`);
    assert.match(text, /Training was interrupted\. The last checkpoint is from .*: step \d+, [\d.]+ s of training, ([\d.]+ % held-out exact match|no accuracy measured yet)\. Resume from there\?/);
    assert.equal(await page.textContent(byTestId('steps-display')), String(step));
    await page.click(byTestId('resume-button'));
    assert.equal(await waitDone(page), finalStep);
    const resumed = await download(page);
    assert.equal(resumed.length, uninterrupted.length);
    assert.ok(resumed.equals(uninterrupted), 'the resumed run ends with the uninterrupted run\'s model file, byte for byte');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await p.close();
  }
});

test('a storage quota too small for a checkpoint: reported, and training goes on to the end', { skip, timeout: 200000 }, async () => {
  const p = await openPage();
  try {
    const { page, context } = p;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(p.url).origin, quotaSize: 4096 });
    await page.goto(p.url + QUOTA_QUERY);
    await waitReady(page);
    await setSmallModel(page);
    await watchStatus(page);
    await page.click(byTestId('train-button'));
    assert.ok(await waitDone(page) >= 200, 'training went on to the end');
    const statuses = await page.evaluate(() => window.__statuses);
    assert.ok(statuses.some((text) => /^Could not keep a checkpoint in this browser: the browser's storage quota for this page is used up\. Training goes on; download the model to keep it\.$/.test(text)), statuses.join(' | '));
    assert.match(await page.textContent(byTestId('model-status')), /^Could not keep the model in this browser: the browser's storage quota for this page is used up\. Download the model to keep it\.$/);
    assert.ok((await download(page)).length > 1000, 'the trained model can still be downloaded');
    assert.deepEqual(p.pageErrors, []);
  } finally {
    await p.close();
  }
});
