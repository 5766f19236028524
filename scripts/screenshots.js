#!/usr/bin/env node
// screenshots.js: makes the README's screenshots of the page (docs/img/*.png) in headless
// Chromium, and measures on the way how long the page takes to train the dates task to >= 99 %
// held-out exact match (it prints that as one JSON line).
//
//   node scripts/screenshots.js             (needs build/wasm: run make wasm first; builds the site)
//   MAX_TRAIN_SECONDS=900 EXPERIMENT_SECONDS=30 OUT_DIR=docs/img node scripts/screenshots.js
//   ONLY=lines node scripts/screenshots.js  (only docs/img/page-lines.png: the pretrained dates model's lines view)
//
// It drives the page as a newcomer would: default settings, press Train, wait until the page
// says it is done, type a held-out date, step through, run the experiment.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { tasks } from '../lib/index.js';
import { CHROMIUM, CHROMIUM_ARGS, byTestId, translateInPage, waitReady, serveSite } from '../tests/web-harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.resolve(root, process.env.OUT_DIR || 'docs/img');
const MAX_TRAIN_SECONDS = Number(process.env.MAX_TRAIN_SECONDS || 900);
const EXPERIMENT_SECONDS = String(process.env.EXPERIMENT_SECONDS || 30);
const log = (...a) => console.error('[screenshots]', ...a);

fs.mkdirSync(OUT_DIR, { recursive: true });
const server = await serveSite();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
const result = { task: 'dates', settings: null, reached: false };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => log('page error:', e.message));
  await page.goto(server.url);
  await waitReady(page);
  result.settings = await page.evaluate(() => Object.fromEntries(['cell', 'attention', 'embed', 'hidden', 'attn-size', 'lr', 'batch', 'seed', 'target']
    .map((id) => [id, document.getElementById(id).value])));

  // 0. As a visitor opens the page: the pretrained dates model, the longest held-out date, the
  // attention as the tutorial's lines.
  {
    const dates = tasks.dates({ seed: 1, trainSize: 10000, testSize: 1000 }).test;
    const [src, tgt] = dates.reduce((a, b) => ([...b[0]].length > [...a[0]].length ? b : a));
    await page.waitForFunction(() => /Dates/.test(document.querySelector('[data-testid="pretrained-note"]').textContent));
    result.lines = { input: src, expected: tgt, output: await translateInPage(page, src) };
    await page.locator('#translate figure[data-attn-view="lines"]').screenshot({ path: path.join(OUT_DIR, 'page-lines.png') });
    log(`lines view screenshot written (${[...src].length} input symbols)`);
  }
  if (process.env.ONLY === 'lines') {
    console.log(JSON.stringify(result));
    await browser.close();
    await server.close();
    process.exit(0);
  }

  // 1. Train to the page's default target (99 % on all held-out pairs), timing it.
  const t0 = Date.now();
  await page.click(byTestId('train-button'));
  log(`training dates (up to ${MAX_TRAIN_SECONDS} s)…`);
  let lastLog = 0;
  for (;;) {
    await page.waitForTimeout(2000);
    const s = await page.evaluate(() => ({
      done: document.getElementById('train-state').classList.contains('done'),
      state: document.getElementById('train-state').textContent,
      steps: document.getElementById('stat-steps').textContent,
      acc: document.getElementById('stat-acc').textContent,
      loss: document.getElementById('stat-loss').textContent,
      speed: document.getElementById('stat-speed').textContent,
      error: document.getElementById('train-error').hidden ? '' : document.getElementById('train-error').textContent,
      backend: document.getElementById('backend').textContent,
    }));
    if (Date.now() - lastLog > 15000) {
      log(`${((Date.now() - t0) / 1000).toFixed(0)} s: step ${s.steps}, loss ${s.loss}, held-out ${s.acc}, ${s.speed} ex/s`);
      lastLog = Date.now();
    }
    if (s.error) throw new Error(s.error);
    if (s.done || Date.now() - t0 > MAX_TRAIN_SECONDS * 1000) {
      Object.assign(result, { reached: s.done, wallSeconds: (Date.now() - t0) / 1000, steps: Number(s.steps.replace(/,/g, '')), heldOut: s.acc, finalLoss: s.loss, examplesPerSecond: s.speed, backend: s.backend, pageSays: s.state });
      break;
    }
  }
  if (!result.reached) {
    await page.click(byTestId('pause-button'));
    await page.waitForFunction(() => /Paused/.test(document.getElementById('train-state').textContent));
  }
  result.pageTrainingTime = await page.textContent(byTestId('time-display'));

  // 2. Translate a held-out date and step to an interesting step.
  const heldOut = tasks.dates({ seed: 1, trainSize: 10000, testSize: 1000 }).test;
  const pick = heldOut.find(([src]) => /^[A-Z][a-z]+ \d+, \d{4}$/.test(src)) || heldOut[0];
  result.example = { input: pick[0], expected: pick[1], output: await translateInPage(page, pick[0]) };
  await page.waitForFunction(() => /^Step 1 of/.test(document.getElementById('step-title').textContent));
  for (let i = 0; i < 5; i++) await page.click(byTestId('step-next'));
  await page.waitForTimeout(300);

  await page.locator('#train').screenshot({ path: path.join(OUT_DIR, 'page-train.png') });
  await page.locator('#translate').screenshot({ path: path.join(OUT_DIR, 'page-translate.png') });
  await page.locator('#steps').screenshot({ path: path.join(OUT_DIR, 'page-step-through.png') });
  log('train, translate and step-through screenshots written');

  // 3. The experiment: additive vs dot vs none, accuracy and cost by input length.
  await page.selectOption(byTestId('experiment-seconds'), EXPERIMENT_SECONDS);
  await page.click(byTestId('experiment-button'));
  log(`running the experiment (${EXPERIMENT_SECONDS} s per model, three at once)…`);
  await page.waitForFunction(() => /^Done/.test(document.getElementById('exp-state').textContent) || !document.getElementById('exp-error').hidden,
    null, { timeout: (Number(EXPERIMENT_SECONDS) + 240) * 1000 });
  result.experiment = await page.evaluate(() => (document.getElementById('exp-error').hidden
    ? document.getElementById('exp-state').textContent : document.getElementById('exp-error').textContent));
  await page.locator('#experiment').screenshot({ path: path.join(OUT_DIR, 'page-experiment.png') });

  // 4. A phone-sized view of the top of the page (the model is remembered across the reload).
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 1200 });
  await phone.goto(server.url);
  await waitReady(phone);
  await translateInPage(phone, pick[0]);
  await phone.locator('#translate').screenshot({ path: path.join(OUT_DIR, 'page-phone.png') });
  log(`screenshots in ${path.relative(root, OUT_DIR)}/`);
} finally {
  await browser.close();
  await server.close();
}
console.log(JSON.stringify(result));
