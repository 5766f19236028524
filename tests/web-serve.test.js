// web-serve.test.js: the built site (scripts/build-site.js) and the server behind `npm start`
// (web/serve.js). The site folder holds exactly what the page needs (page, modules, the two
// wasm builds, service worker, manifest, icons), nothing of the repository besides; every URL in
// it is relative, so it works under any sub-path; the build is byte-for-byte repeatable; and the
// server answers only for that folder: /.git/config, package.json, node_modules/, c_src/ and
// lib/node/ are not reachable.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer } from '../web/serve.js';
import { buildSite } from '../scripts/build-site.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's2s-serve-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const siteA = buildSite({ out: path.join(tmp, 'a') });

async function get(base, p, init) {
  return fetch(new URL(p, base), { redirect: 'manual', ...init });
}

test('the site holds the page, its modules, the wasm builds and the offline files, and nothing else', () => {
  const files = siteA.files;
  for (const f of ['index.html', 'app.js', 'style.css', 'sw.js', 'manifest.webmanifest', 'offline.js', 'icon-192.png', 'icon-512.png',
    'lib/worker.js', 'lib/worker-client.js', 'lib/browser/platform.js', 'build/wasm/s2s-simd.wasm', 'build/wasm/s2s-scalar.wasm']) {
    assert.ok(files.includes(f), `${f} is in the site`);
  }
  for (const f of files) {
    assert.doesNotMatch(f, /^(serve\.js|lib\/node\/|lib\/index\.d\.ts|package\.json|tests\/|c_src\/|node_modules\/|bin\/|bench\/|docs\/|scripts\/|\.git)/, `${f} must not be in the site`);
  }
  // No module of the site names a Node built-in or the unresolved '#platform'.
  for (const f of files.filter((x) => x.endsWith('.js'))) {
    const src = fs.readFileSync(path.join(siteA.out, f), 'utf8').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(src, /from\s*['"](node:|#)/, `${f}: an import a browser cannot resolve`);
    assert.doesNotMatch(src, /['"]\.\.\/lib\//, `${f}: a ../lib/ URL escapes the site`);
  }
  // The service worker caches exactly the site's files.
  const sw = fs.readFileSync(path.join(siteA.out, 'sw.js'), 'utf8');
  const listed = JSON.parse(sw.match(/const FILES = (\[.*?\]);/)[1]);
  assert.deepEqual(listed, ['./', ...files.filter((f) => f !== 'sw.js').map((f) => `./${f}`)]);
  assert.match(sw, new RegExp(`const VERSION = "${siteA.version}"`));
  // The icons are real PNGs of the sizes the manifest says.
  const manifest = JSON.parse(fs.readFileSync(path.join(siteA.out, 'manifest.webmanifest'), 'utf8'));
  for (const icon of manifest.icons) {
    const png = fs.readFileSync(path.join(siteA.out, icon.src));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [w, h] = icon.sizes.split('x').map(Number);
    assert.equal(png.readUInt32BE(16), w);
    assert.equal(png.readUInt32BE(20), h);
  }
});

test('building twice gives the same bytes (and the same cache version)', () => {
  const siteB = buildSite({ out: path.join(tmp, 'b') });
  assert.deepEqual(siteB.files, siteA.files);
  assert.equal(siteB.version, siteA.version);
  for (const f of siteA.files) {
    assert.ok(fs.readFileSync(path.join(siteA.out, f)).equals(fs.readFileSync(path.join(siteB.out, f))), f);
  }
});

test('serves the site with the right MIME types, at a sub-path, and nothing outside it', async () => {
  const srv = await startServer({ port: 0, root: siteA.out, prefix: '/a/b/' });
  try {
    const base = `http://localhost:${srv.port}`;
    assert.equal(srv.url, `${base}/a/b/`);
    const page = await get(base, '/a/b/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(await page.text(), /data-testid="train-button"/);
    assert.equal(page.headers.get('cross-origin-opener-policy'), null);
    assert.equal(page.headers.get('cross-origin-embedder-policy'), null);
    assert.equal((await get(base, '/a/b')).headers.get('location'), '/a/b/');
    for (const [p, type] of [['/a/b/app.js', /^text\/javascript/], ['/a/b/style.css', /^text\/css/], ['/a/b/lib/worker-client.js', /^text\/javascript/],
      ['/a/b/manifest.webmanifest', /^application\/manifest\+json/], ['/a/b/icon-192.png', /^image\/png/], ['/a/b/build/wasm/s2s-simd.wasm', /^application\/wasm$/]]) {
      const r = await get(base, p);
      assert.equal(r.status, 200, p);
      assert.match(r.headers.get('content-type'), type, p);
    }
    const wasm = await get(base, '/a/b/build/wasm/s2s-simd.wasm');
    const bytes = new Uint8Array(await wasm.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 4)], [0, 0x61, 0x73, 0x6d]);
    const head = await get(base, '/a/b/index.html', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), fs.statSync(path.join(siteA.out, 'index.html')).size);
    // Nothing of the repository answers, inside the prefix or outside it.
    for (const p of ['/', '/.git/config', '/package.json', '/node_modules/', '/c_src/model.c', '/web/app.js', '/a/b/.git/config',
      '/a/b/package.json', '/a/b/node_modules/playwright-core/package.json', '/a/b/c_src/model.c', '/a/b/lib/node/platform.js',
      '/a/b/serve.js', '/a/b/web/serve.js', '/a/b/tests/web-harness.js', '/a/b/lib/index.d.ts', '/a/b/../../package.json',
      '/a/b/%2e%2e/%2e%2e/package.json']) {
      const r = await get(base, p);
      assert.ok(r.status === 404 || r.status === 403, `${p} answered ${r.status}`);
    }
  } finally {
    await srv.close();
  }
});

test('answers missing files, escapes from the root and other methods with errors', async () => {
  const srv = await startServer({ port: 0, root: siteA.out });
  try {
    const base = `http://localhost:${srv.port}`;
    assert.equal((await get(base, '/')).status, 200);
    assert.equal((await get(base, '/no-such-file.js')).status, 404);
    assert.equal((await get(base, '/..%2f..%2fetc%2fpasswd')).status, 403);
    assert.equal((await get(base, '/%E0%A4%A')).status, 400);
    assert.equal((await get(base, '/', { method: 'POST', body: 'x' })).status, 405);
    assert.equal((await get(base, '/lib')).status, 301);
  } finally {
    await srv.close();
  }
});

test('node web/serve.js serves build/site on PORT and prints the URL; refuses a bad PORT', async () => {
  buildSite(); // what `npm start` does before serving
  const probe = await startServer({ port: 0 });
  const port = probe.port;
  await probe.close();
  const child = spawn(process.execPath, [new URL('../web/serve.js', import.meta.url).pathname], {
    env: { ...process.env, PORT: String(port), BASE_PATH: '/x/' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let timer;
    const line = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out);
      });
      child.on('exit', (code) => reject(new Error(`serve.js exited with ${code}`)));
      timer = setTimeout(() => reject(new Error(`no URL printed; got ${JSON.stringify(out)}`)), 10000);
    }).finally(() => clearTimeout(timer));
    assert.match(line, new RegExp(`http://localhost:${port}/x/`));
    assert.equal((await fetch(`http://localhost:${port}/x/`)).status, 200);
    assert.equal((await fetch(`http://localhost:${port}/x/package.json`)).status, 404);
  } finally {
    child.kill();
  }
  const bad = spawn(process.execPath, [new URL('../web/serve.js', import.meta.url).pathname], {
    env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  bad.stderr.on('data', (d) => { err += d; });
  assert.equal(await new Promise((resolve) => bad.on('exit', resolve)), 1);
  assert.match(err, /PORT must be an integer/);
});
