// web-harness.js: what the browser tests share (not a test itself). Builds the site
// (scripts/build-site.js, into a temporary folder, once per test process), serves it with
// web/serve.js under a sub-path (as on GitHub Pages) on a free port, launches Debian's Chromium through playwright-core with the flags TOOLCHAIN.md
// gives, and opens the page while recording console errors, page errors, every request that
// would leave localhost, and the main thread's long tasks (PerformanceObserver 'longtask').

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../web/serve.js';
import { buildSite } from '../scripts/build-site.js';

/** The sub-path the tests serve the site at: every URL in the site must be relative. */
export const SITE_PREFIX = '/seq2seq-attention/demo/';

let site = null;
/** Builds the site once per test process into a temporary folder; -> { out, files, version }. */
export function builtSite() {
  if (!site) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 's2s-site-'));
    site = buildSite({ out });
    process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  }
  return site;
}

/** Serves the built site under SITE_PREFIX on a free port; -> startServer's { url, port, close }. */
export function serveSite() {
  return startServer({ port: 0, root: builtSite().out, prefix: SITE_PREFIX });
}

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** The browser tests run unless SKIP_BROWSER_TESTS=1 is set: a missing Chromium or build is a
 *  failure with a message (see requireBrowser), not a silent skip. */
export function browserSkipReason() {
  return process.env.SKIP_BROWSER_TESTS === '1' ? 'SKIP_BROWSER_TESTS=1' : false;
}

function requireBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH (SKIP_BROWSER_TESTS=1 skips these tests)`);
  if (!fs.existsSync(new URL('../build/wasm/s2s-simd.wasm', import.meta.url))) throw new Error('build/wasm/s2s-simd.wasm is missing: run make wasm first');
}

// Runs in the page before its scripts: collects long tasks from the start.
function installLongTaskObserver() {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    window.__longTasks = null; // not supported: the test reports it
  }
}

/**
 * Starts a server and a browser and opens the page. Returns
 * { server, browser, context, page, url, consoleErrors, pageErrors, offsiteRequests, close() }.
 */
export async function openPage({ viewport = { width: 1280, height: 900 } } = {}) {
  requireBrowser();
  const server = await serveSite();
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  } catch (err) {
    await server.close();
    throw err;
  }
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const consoleErrors = [];
  const pageErrors = [];
  const offsiteRequests = [];
  context.on('request', (req) => {
    const url = new URL(req.url());
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (!local && !['data:', 'blob:'].includes(url.protocol)) offsiteRequests.push(req.url());
  });
  const page = await context.newPage();
  await page.addInitScript(installLongTaskObserver);
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(server.url);
  await waitReady(page);
  return {
    server, browser, context, page, url: server.url, consoleErrors, pageErrors, offsiteRequests,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/** The page sets body[data-ready] once the library is loaded and any remembered model restored. */
export async function waitReady(page, timeout = 30000) {
  await page.waitForSelector('body[data-ready="true"]', { timeout });
}

export const byTestId = (id) => `[data-testid="${id}"]`;

/** Types text into the translate input and waits for the translation of exactly that text. */
export async function translateInPage(page, text, timeout = 15000) {
  await page.fill(byTestId('translate-input'), text);
  await page.waitForFunction((t) => document.getElementById('output').dataset.source === t, text, { timeout });
  return page.textContent(byTestId('translation-output'));
}

/**
 * Records the page's main-thread tasks through Chromium's trace (CDP Tracing, the DevTools
 * timeline's RunTask events on CrRendererMain): each task's wall time and the CPU time the
 * thread spent in it. Wall time includes the time the thread waited for a core; CPU time is the
 * page's own work, whatever the machine's load. -> { stop(): Promise<{ start, wall, cpu }[]> },
 * times in ms (start on the trace's clock).
 */
export async function traceMainThread(page) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => {
    for (const e of value) if (e.name === 'RunTask' || e.name === 'thread_name') events.push(e);
  });
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['disabled-by-default-devtools.timeline'], excludedCategories: ['*'] },
  });
  return {
    async stop() {
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach().catch(() => {});
      const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
      return events
        .filter((e) => e.name === 'RunTask' && e.ph === 'X' && main.has(`${e.pid}:${e.tid}`))
        .map((e) => ({ start: e.ts / 1000, wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? e.dur ?? 0) / 1000 }));
    },
  };
}
