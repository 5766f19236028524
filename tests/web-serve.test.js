// web-serve.test.js: the page's static server (web/serve.js): the page and the library are
// served from the repository root with the right MIME types (application/wasm for .wasm), no
// cross-origin-isolation headers, and nothing outside the root.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { startServer } from '../web/serve.js';

async function get(base, path, init) {
  return fetch(new URL(path, base), { redirect: 'manual', ...init });
}

test('serves the page, its modules and the library with the right MIME types', async () => {
  const srv = await startServer({ port: 0 });
  try {
    const base = `http://localhost:${srv.port}`;
    const root = await get(base, '/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/web/');
    const page = await get(base, '/web/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    const html = await page.text();
    assert.match(html, /data-testid="train-button"/);
    assert.equal(page.headers.get('cross-origin-opener-policy'), null);
    assert.equal(page.headers.get('cross-origin-embedder-policy'), null);
    for (const [path, type] of [['/web/app.js', /^text\/javascript/], ['/web/style.css', /^text\/css/], ['/lib/worker-client.js', /^text\/javascript/], ['/package.json', /^application\/json/]]) {
      const r = await get(base, path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type'), type, path);
    }
    const wasm = new URL('../build/wasm/s2s-simd.wasm', import.meta.url);
    if (fs.existsSync(wasm)) {
      const r = await get(base, '/build/wasm/s2s-simd.wasm');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/wasm');
      const bytes = new Uint8Array(await r.arrayBuffer());
      assert.deepEqual([...bytes.slice(0, 4)], [0, 0x61, 0x73, 0x6d]);
      assert.equal(bytes.length, fs.statSync(wasm).size);
    }
    const head = await get(base, '/web/index.html', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), fs.statSync(new URL('../web/index.html', import.meta.url)).size);
  } finally {
    await srv.close();
  }
});

test('answers missing files, escapes from the root and other methods with errors', async () => {
  const srv = await startServer({ port: 0 });
  try {
    const base = `http://localhost:${srv.port}`;
    assert.equal((await get(base, '/web/no-such-file.js')).status, 404);
    assert.equal((await get(base, '/web/..%2f..%2fetc%2fpasswd')).status, 403);
    assert.equal((await get(base, '/web/%E0%A4%A')).status, 400);
    assert.equal((await get(base, '/web/', { method: 'POST', body: 'x' })).status, 405);
    const dir = await get(base, '/web');
    assert.equal(dir.status, 302);
  } finally {
    await srv.close();
  }
});

test('node web/serve.js listens on PORT and prints the URL', async () => {
  const probe = await startServer({ port: 0 });
  const port = probe.port;
  await probe.close();
  const child = spawn(process.execPath, [new URL('../web/serve.js', import.meta.url).pathname], {
    env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
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
    assert.match(line, new RegExp(`http://localhost:${port}/web/`));
    const r = await fetch(`http://localhost:${port}/web/`);
    assert.equal(r.status, 200);
  } finally {
    child.kill();
  }
});

test('node web/serve.js refuses a bad PORT with a message', async () => {
  const child = spawn(process.execPath, [new URL('../web/serve.js', import.meta.url).pathname], {
    env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(err, /PORT must be an integer/);
});
