#!/usr/bin/env node
// screenshot-corpus.js: the README's screenshot of the page's real-corpus flow
// (docs/img/page-corpus.png): a generated Tatoeba-style export (scripts/make-corpus.js, columns
// 2,4) split into 2000 learned subwords, its size and length histogram, then TRAIN_SECONDS of
// training (held-out exact match, BLEU/chrF) and the attention over the pieces of a held-out
// sentence.
//   node scripts/screenshot-corpus.js      (needs build/wasm: run make wasm first; builds the site)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, byTestId, waitReady, serveSite } from '../tests/web-harness.js';
import { makeCorpus, corpusText } from './make-corpus.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.resolve(root, process.env.OUT_DIR || 'docs/img');
const TRAIN_SECONDS = Number(process.env.TRAIN_SECONDS || 120);
fs.mkdirSync(OUT_DIR, { recursive: true });
const server = await serveSite();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 })).newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  await waitReady(page);
  await page.selectOption('#task', '__custom__');
  await page.selectOption(byTestId('tsv-tokenizer'), 'bpe');
  await page.fill(byTestId('tsv-vocab'), '2000');
  await page.fill(byTestId('tsv-columns'), '2,4');
  const corpus = makeCorpus({ pairs: 20000, words: 5000, seed: 1 });
  await page.setInputFiles(byTestId('tsv-input'), { name: 'tatoeba-like.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(corpusText(corpus, 'tatoeba')) });
  await page.waitForSelector(`${byTestId('corpus-stats')}:not([hidden])`, { timeout: 60000 });
  await page.click(byTestId('train-button'));
  await page.waitForTimeout(TRAIN_SECONDS * 1000);
  await page.click(byTestId('pause-button')).catch(() => {});
  await page.waitForTimeout(3000);
  await page.locator('#train').screenshot({ path: path.join(OUT_DIR, 'page-corpus.png') });
  console.error(`wrote ${path.relative(root, path.join(OUT_DIR, 'page-corpus.png'))}`);
} finally {
  await browser.close();
  await server.close();
}
