#!/usr/bin/env node
// open.js: what the page's first translation waits on, in each browser engine (tests/engines.js:
// Chromium, Firefox ESR, WebKitGTK). Builds the site, serves it, and for each run opens the page
// in a fresh browser (nothing cached) and reads the page's own performance marks (s2s:*, set by
// web/app.js, persist.js and translate.js) and the resource timings of what it fetched, in ms
// since navigation start. Also times a fixed CPU loop in the page (the machine's load shows in
// it). One JSON object per line on stdout; a table on stderr.
//
//   node bench/open.js [--runs N] [--engines chromium,firefox,webkit]

import { serveSite } from '../tests/web-harness.js';
import { ENGINES, launch, missing } from '../tests/engines.js';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const RUNS = Number(opt('--runs', 3));
const engines = opt('--engines', ENGINES.join(',')).split(',');

// In the page: waits for the first translation, then reports the marks and the fetches.
async function openTimes() {
  await waitFor(() => performance.getEntriesByName('s2s:first-translation').length, 60000, 'the first translation');
  const marks = {};
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('s2s:')) marks[m.name.slice(4)] = Math.round(m.startTime);
  const fetches = {};
  for (const r of performance.getEntriesByType('resource')) {
    const name = r.name.split('/').slice(-1)[0];
    if (/\.(wasm|s2s)$|^(worker|worker-client|data-worker|app)\.js$/.test(name)) fetches[name] = [Math.round(r.startTime), Math.round(r.responseEnd)];
  }
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 2e7; i++) x = (x + i * 7) % 1000003;
  return { marks, fetches, loopMs: Math.round(performance.now() - t0), x };
}

const server = await serveSite();
try {
  for (const engine of engines) {
    if (missing(engine)) {
      console.error(`skipped: ${missing(engine)}`);
      continue;
    }
    for (let run = 0; run < RUNS; run++) {
      const browser = await launch(engine);
      try {
        await browser.goto(server.url);
        const r = await browser.run(openTimes);
        const row = { bench: 'open', engine, version: browser.version, run, ...r.marks, loopMs: r.loopMs, fetches: r.fetches };
        delete row.x;
        console.log(JSON.stringify(row));
        console.error(`${engine} run ${run}: ${Object.entries(r.marks).map(([k, v]) => `${k} ${v}`).join(', ')}; loop ${r.loopMs} ms`);
      } finally {
        await browser.close();
      }
    }
  }
} finally {
  await server.close();
}
