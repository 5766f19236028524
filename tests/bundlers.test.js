// bundlers.test.js: the package in real web app builds, as a new user would make them. The
// package is packed (`npm pack`) and unpacked into a fresh project's node_modules; the app
// (tests/bundlers/app.js) imports it by name, trains a few steps in a Web Worker and translates.
// Each bundler runs with its defaults, no config file and no plugin:
//   Vite 5      build({ root })            (its workers are IIFE bundles: no top-level await)
//   webpack 5   webpack({ context })       (entry ./src/index.js, output dist/main.js)
//   esbuild     build({ bundle, platform: 'browser' }), which neither bundles workers named by
//               new URL() nor copies assets: the app names the worker as a second entry point
//               and its wasm files are copied beside it, as docs/library.md tells esbuild users.
// Every build must finish without errors (and without warnings about Node built-ins); the app
// then runs in headless Chromium from a static server and must give Node's numbers.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../web/serve.js';
import { CHROMIUM, CHROMIUM_ARGS, browserSkipReason } from './web-harness.js';
import { Translator, tasks } from '../lib/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP = fs.readFileSync(new URL('./bundlers/app.js', import.meta.url), 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's2s-bundlers-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const skip = browserSkipReason();

let packed = null;
/** The package as npm would install it: `npm pack`, unpacked once. */
function packedPackage() {
  if (!packed) {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_cache: path.join(tmp, 'npm-cache'), npm_config_update_notifier: 'false' },
    });
    const tarball = path.join(tmp, JSON.parse(out)[0].filename);
    packed = path.join(tmp, 'unpacked');
    fs.mkdirSync(packed);
    execFileSync('tar', ['-xzf', tarball, '-C', packed, '--strip-components=1']);
  }
  return packed;
}

/** A fresh project with the package in node_modules and the app at `entry`. */
function project(name, entry, workerOptions) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.cpSync(packedPackage(), path.join(dir, 'node_modules', 'seq2seq-attention'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true, type: 'module' }));
  fs.mkdirSync(path.dirname(path.join(dir, entry)), { recursive: true });
  fs.writeFileSync(path.join(dir, entry), APP.replace(', WORKER_OPTIONS)', `, ${workerOptions})`));
  return dir;
}

const html = (script) => `<!doctype html><html><head><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,"></head><body>${script}</body></html>`;

// Node's numbers for the same seeds: what every build must reproduce.
let reference = null;
async function inNode() {
  if (!reference) {
    const data = tasks.reverse({ seed: 3, trainSize: 200, testSize: 10, minLength: 2, maxLength: 5, alphabet: 'abcd' });
    const model = await Translator.create({ pairs: data.train, embed: 8, hidden: 16, attentionSize: 16, seed: 7 });
    const losses = [];
    await model.train(data.train, { steps: 6, batchSize: 16, onProgress: (p) => losses.push(p.loss) });
    const r = model.translate('abcd', { maxLength: 10 });
    reference = { backend: model.backend, losses, text: r.text, ids: Array.from(r.ids), logProb: r.logProb };
    model.dispose();
  }
  return reference;
}

async function runInChromium(siteRoot, page = 'index.html', prefix = '/app/') {
  const server = await startServer({ port: 0, root: siteRoot, prefix });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await tab.goto(new URL(page, server.url).href);
    await tab.waitForFunction(() => document.body.dataset.result || document.body.dataset.error, null, { timeout: 60000 });
    const error = await tab.evaluate(() => document.body.dataset.error);
    assert.equal(error, undefined, `the app failed: ${error}`);
    assert.deepEqual(errors, []);
    return JSON.parse(await tab.evaluate(() => document.body.dataset.result));
  } finally {
    await browser.close();
    await server.close();
  }
}

async function checkRun(out) {
  const node = await inNode();
  assert.equal(out.steps, 6);
  assert.equal(out.backend, node.backend);
  // (the worker sends progress at most every 50 ms, so the last loss is always among them)
  assert.equal(out.losses.at(-1), node.losses.at(-1), 'the bundled worker trains exactly as Node does');
  assert.deepEqual(out.ids, node.ids);
  assert.equal(out.text, node.text);
}

test('Vite 5, default configuration: builds (worker as IIFE, wasm as assets) and runs', { skip, timeout: 240000 }, async (t) => {
  const { build } = await import('vite');
  const dir = project('vite', 'main.js', '{}');
  fs.writeFileSync(path.join(dir, 'index.html'), html('<script type="module" src="./main.js"></script>'));
  const warnings = [];
  await build({
    root: dir, logLevel: 'silent',
    customLogger: { info() {}, warn: (m) => warnings.push(m), warnOnce: (m) => warnings.push(m), error: (m) => warnings.push(m), clearScreen() {}, hasWarned: false, hasErrorLogged: () => false },
  });
  assert.deepEqual(warnings.filter((w) => /node:|externalized|built-in|top-level await/i.test(w)), [], 'no Node built-ins in the browser build');
  const assets = fs.readdirSync(path.join(dir, 'dist', 'assets'));
  t.diagnostic(`vite dist/assets: ${assets.join(', ')}`);
  assert.ok(assets.some((f) => /^s2s-simd.*\.wasm$/.test(f)), 'the SIMD wasm is emitted');
  assert.ok(assets.some((f) => /^worker.*\.js$/.test(f)), 'the worker is bundled');
  // Vite's default base is '/': its build is served at the root of a host.
  await checkRun(await runInChromium(path.join(dir, 'dist'), 'index.html', '/'));
});

test('webpack 5, no configuration: builds and runs', { skip, timeout: 240000 }, async (t) => {
  const dir = project('webpack', 'src/index.js', '{}');
  // As `npx webpack` in the project: webpack's defaults are relative to the working directory,
  // so it runs in a child process there (webpack itself from this repository's devDependencies).
  const runner = `import webpack from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'node_modules', 'webpack', 'lib', 'index.js')).href)};
webpack({}, (err, stats) => {
  if (err) { console.error(err.stack || err); process.exit(1); }
  console.log(JSON.stringify(stats.toJson({ all: false, errors: true, warnings: true })));
});`;
  const info = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', runner], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 }));
  t.diagnostic(`webpack: ${info.errors.length} errors, ${info.warnings.length} warnings: ${[...info.errors, ...info.warnings].map((e) => e.message.split('\n')[0]).join(' | ')}`);
  assert.deepEqual(info.errors.map((e) => e.message), [], 'webpack builds without errors');
  // Allowed: the warning webpack gives every project without a config file (`mode` not set), and
  // its note that the worker's chunk and the page's refer to each other (the library's worker
  // can start workers of its own kind), which only means their file names cannot hash each other.
  assert.deepEqual(info.warnings.map((w) => w.message).filter((m) => !/mode/.test(m) && !/^Circular dependency between chunks with runtime/.test(m)), []);
  const files = fs.readdirSync(path.join(dir, 'dist'));
  t.diagnostic(`webpack dist: ${files.join(', ')}`);
  assert.ok(files.some((f) => f.endsWith('.wasm')), 'the wasm is emitted');
  fs.writeFileSync(path.join(dir, 'dist', 'index.html'), html('<script src="./main.js"></script>'));
  await checkRun(await runInChromium(path.join(dir, 'dist')));
});

test('esbuild --bundle --platform=browser: builds (worker as a second entry, wasm copied) and runs', { skip, timeout: 240000 }, async (t) => {
  const esbuild = await import('esbuild');
  const dir = project('esbuild', 'main.js', "{ workerUrl: new URL('./worker.js', import.meta.url) }");
  const pkg = path.join(dir, 'node_modules', 'seq2seq-attention');
  const result = await esbuild.build({
    absWorkingDir: dir, bundle: true, platform: 'browser', format: 'esm', outdir: 'dist', logLevel: 'silent',
    entryPoints: [{ in: 'main.js', out: 'main' }, { in: 'seq2seq-attention/worker.js', out: 'worker' }],
  });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings.map((w) => w.text), []);
  // The worker asks for new URL('../build/wasm/…', import.meta.url) from dist/worker.js.
  fs.cpSync(path.join(pkg, 'build', 'wasm'), path.join(dir, 'build', 'wasm'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist', 'index.html'), html('<script type="module" src="./main.js"></script>'));
  for (const f of ['dist/main.js', 'dist/worker.js']) {
    assert.doesNotMatch(fs.readFileSync(path.join(dir, f), 'utf8'), /["']node:/, `${f} names no Node built-in`);
  }
  t.diagnostic(`esbuild dist: ${fs.readdirSync(path.join(dir, 'dist')).join(', ')}; wasm copied to build/wasm/`);
  await checkRun(await runInChromium(dir, 'dist/index.html'));
});
