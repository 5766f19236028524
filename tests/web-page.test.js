// web-page.test.js: the page in headless Chromium without training: it loads with no console
// errors and no request leaving localhost, its controls are labelled and carry the stable
// data-testid hooks, it fits a phone's width, and bad input (a TSV without tabs, a file that is
// not a model, a damaged model file) is answered with a message where the user looks.

import test from 'node:test';
import assert from 'node:assert/strict';
import { openPage, browserSkipReason, byTestId, waitReady, translateInPage } from './web-harness.js';

const skip = browserSkipReason();

test('the page loads with no errors, no offsite requests, and every main control in place', { skip, timeout: 90000 }, async () => {
  const p = await openPage();
  try {
    const { page } = p;
    for (const id of ['task-picker', 'train-button', 'pause-button', 'reset-button', 'translate-input', 'translation-output',
      'heatmap', 'probe-heatmap', 'loss-display', 'loss-chart', 'accuracy-display', 'accuracy-chart', 'speed-display', 'backend',
      'decode-mode', 'step-next', 'step-prev', 'experiment-button', 'save-button', 'model-input', 'tsv-input']) {
      assert.equal(await page.locator(byTestId(id)).count(), 1, `data-testid=${id} exists once`);
    }
    // The built-in tasks come from the library; dates is the default.
    const tasks = await page.$$eval(`${byTestId('task-picker')} option`, (os) => os.map((o) => o.value));
    assert.ok(tasks.includes('dates'), `task picker lists dates: ${tasks}`);
    assert.equal(await page.inputValue(byTestId('task-picker')), 'dates');
    await page.waitForFunction(() => document.querySelectorAll('#examples div').length > 0);
    assert.equal(await page.isEnabled(byTestId('train-button')), true);
    // Chromium runs WebAssembly SIMD: the header says which build a model will use.
    await page.waitForFunction(() => /WebAssembly/.test(document.querySelector('[data-testid="backend"]').textContent));
    assert.match(await page.textContent(byTestId('backend')), /engine: WebAssembly SIMD/);
    await page.selectOption(byTestId('backend-picker'), 'scalar');
    await page.waitForFunction(() => /scalar/.test(document.querySelector('[data-testid="backend"]').textContent));
    await page.selectOption(byTestId('backend-picker'), 'auto');
    // Every form control has an accessible name (a <label>, aria-label or its own text).
    const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, button'))
      .filter((el) => {
        if (el.labels && el.labels.length) return false;
        if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
        return el.tagName !== 'BUTTON' || !el.textContent.trim();
      }).map((el) => el.id || el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
    // Let the page settle (workers started, charts drawn), then check what it logged and fetched.
    await page.waitForTimeout(500);
    assert.deepEqual(p.pageErrors, []);
    assert.deepEqual(p.consoleErrors, []);
    assert.deepEqual(p.offsiteRequests, []);
  } finally {
    await p.close();
  }
});

test('at a phone’s width the page does not scroll sideways', { skip, timeout: 60000 }, async () => {
  const p = await openPage({ viewport: { width: 375, height: 800 } });
  try {
    const { scrollWidth, clientWidth } = await p.page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
    }));
    assert.ok(scrollWidth <= clientWidth + 1, `page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
    assert.deepEqual(p.pageErrors, []);
  } finally {
    await p.close();
  }
});

test('a TSV file of pairs is read; a bad one is answered with the line that is wrong', { skip, timeout: 60000 }, async () => {
  const p = await openPage();
  try {
    const { page } = p;
    await page.selectOption(byTestId('task-picker'), '__custom__');
    // A file without tabs.
    await page.setInputFiles(byTestId('tsv-input'), {
      name: 'broken.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from('hello world\nno tabs here\n'),
    });
    await page.waitForSelector(`${byTestId('data-error')}:not([hidden])`);
    const msg = await page.textContent(byTestId('data-error'));
    assert.match(msg, /broken\.tsv/);
    assert.match(msg, /line 1/i);
    assert.match(msg, /tab/i);
    // Training without usable data says so instead of failing silently.
    await page.click(byTestId('train-button'));
    await page.waitForSelector(`${byTestId('train-error')}:not([hidden])`);
    assert.match(await page.textContent(byTestId('train-error')), /TSV/);
    // A good file: 60 pairs, word level.
    const lines = Array.from({ length: 60 }, (_, i) => `number ${i}\t${String(i).split('').reverse().join('')}`);
    await page.setInputFiles(byTestId('tsv-input'), {
      name: 'numbers.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(lines.join('\n')),
    });
    await page.waitForFunction(() => document.getElementById('data-error').hidden);
    await page.waitForFunction(() => /numbers\.tsv: \d+ pairs to train on, \d+ held out/.test(document.getElementById('task-description').textContent));
    const desc = await page.textContent('#task-description');
    const [, train, held] = desc.match(/(\d+) pairs to train on, (\d+) held out/).map(Number);
    assert.equal(train + held, 60);
    assert.ok(held >= 1);
    assert.deepEqual(p.pageErrors, []);
  } finally {
    await p.close();
  }
});

test('a file that is not a model, and a damaged model file, are answered with a message', { skip, timeout: 60000 }, async () => {
  const p = await openPage();
  try {
    const { page } = p;
    await page.setInputFiles(byTestId('model-input'), {
      name: 'holiday.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('\xff\xd8\xff\xe0 this is not a model at all', 'latin1'),
    });
    await page.waitForSelector(`${byTestId('model-error')}:not([hidden])`, { timeout: 20000 });
    const msg = await page.textContent(byTestId('model-error'));
    assert.match(msg, /Could not load “holiday\.jpg”/);
    assert.ok(msg.length > 'Could not load “holiday.jpg”: '.length + 10, `the message says why: ${msg}`);
    // An empty file.
    await page.setInputFiles(byTestId('model-input'), { name: 'empty.s2s', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) });
    await page.waitForFunction(() => /empty\.s2s/.test(document.querySelector('[data-testid="model-error"]').textContent));
    assert.match(await page.textContent(byTestId('model-error')), /empty/);
    assert.equal(await page.isDisabled(byTestId('save-button')), true, 'no model was adopted');
    assert.deepEqual(p.pageErrors, []);
  } finally {
    await p.close();
  }
});

test('dropping files on the page: a TSV becomes the data, anything else is tried as a model', { skip, timeout: 60000 }, async () => {
  const p = await openPage();
  try {
    const { page } = p;
    const drop = (name, text) => page.evaluate(([n, t]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, [name, text]);
    const lines = Array.from({ length: 40 }, (_, i) => `w${i}\tW${i}`).join('\n');
    await drop('pairs.tsv', lines);
    await page.waitForFunction(() => /pairs\.tsv: \d+ pairs to train on/.test(document.getElementById('task-description').textContent));
    assert.equal(await page.inputValue(byTestId('task-picker')), '__custom__');
    assert.equal(await page.isHidden('#drop-overlay'), true, 'the drop overlay goes away');
    await drop('weights.bin', 'garbage that is not a model');
    await page.waitForSelector(`${byTestId('model-error')}:not([hidden])`, { timeout: 20000 });
    assert.match(await page.textContent(byTestId('model-error')), /Could not load “weights\.bin”/);
    assert.deepEqual(p.pageErrors, []);
  } finally {
    await p.close();
  }
});

test('opens with a pretrained model; after the first visit it works offline and is installable', { skip, timeout: 90000 }, async () => {
  const p = await openPage();
  try {
    const { page, context } = p;
    // The pretrained dates model translates the suggested held-out input without training.
    await page.waitForFunction(() => !document.getElementById('output').classList.contains('placeholder') && document.getElementById('output').dataset.source);
    assert.match(await page.textContent(byTestId('pretrained-note')), /^Pretrained: .*dates/i);
    assert.match(await page.textContent(byTestId('translation-output')), /^\d{4}-\d{2}-\d{2}$/);
    // Installable: Chromium's own check of the manifest, icons and service worker.
    await page.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null, { timeout: 30000 });
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    // (playwright's contexts are incognito, which Chromium reports as its own, browser-side reason)
    assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== 'in-incognito'), []);
    // Offline: the page, its modules, the wasm and the pretrained model all come from the cache.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
    await context.setOffline(true);
    await page.reload();
    await waitReady(page);
    await page.waitForFunction(() => !document.getElementById('output').classList.contains('placeholder') && document.getElementById('output').dataset.source, null, { timeout: 30000 });
    assert.equal(await translateInPage(page, '18JAN2019'), '2019-01-18');
    assert.match(await page.textContent(byTestId('backend')), /WebAssembly/);
    assert.deepEqual(p.pageErrors, []);
    assert.deepEqual(p.consoleErrors, []);
  } finally {
    await p.context.setOffline(false).catch(() => {});
    await p.close();
  }
});
