// The package's shape: every runtime export is declared in lib/index.d.ts and documented with
// JSDoc; nothing in lib/ needs the DOM; Node built-ins are imported only by lib/node/ (reached
// through package.json's "imports" '#platform' under the "node" condition), and what a browser
// bundle reaches has no Node import, no top-level await and, in the worker, no dynamic import
// (Vite bundles workers as single IIFE files).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../lib/index.js';

const LIB = fileURLToPath(new URL('../lib/', import.meta.url));
const libFiles = (dir = LIB) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? libFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []);

test('every runtime export of the entry is declared in index.d.ts', () => {
  const dts = readFileSync(join(LIB, 'index.d.ts'), 'utf8');
  const declared = new Set([...dts.matchAll(/^export (?:declare )?(?:class|function|const|let) (\w+)/gm)].map((m) => m[1]));
  const exported = Object.keys(api);
  assert.ok(exported.length >= 15);
  for (const name of exported) assert.ok(declared.has(name), `${name} is exported but not declared in index.d.ts`);
  for (const name of declared) assert.ok(exported.includes(name), `${name} is declared but not exported`);
});

test('no DOM anywhere in lib/, and Node built-ins only in lib/node/', () => {
  for (const file of libFiles()) {
    const source = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
    if (!file.startsWith(join(LIB, 'node'))) {
      assert.doesNotMatch(source, /(from|import\()\s*['"](node:|fs|path|os|worker_threads)/, `${file}: Node import outside lib/node/`);
    }
    assert.doesNotMatch(source, /\b(document|window|localStorage)\./, `${file}: DOM use`);
    assert.doesNotMatch(source, /\brequire\(/, `${file}: CommonJS require`);
  }
});

test('every exported function and class of the library files carries a JSDoc comment', () => {
  for (const file of libFiles()) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^export (?:async )?(?:function\*?|class|const) (\w+)/gm)) {
      const before = source.slice(0, m.index).trimEnd();
      assert.ok(before.endsWith('*/'), `${file}: export ${m[1]} has no JSDoc comment`);
    }
  }
});

// The modules a browser bundler reaches from an entry, resolving '#platform' with the "browser"
// condition as Vite, webpack and esbuild do (package.json "imports").
function browserGraph(entry) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const root = fileURLToPath(new URL('..', import.meta.url));
  const seen = new Map();
  const visit = (file) => {
    if (seen.has(file)) return;
    const source = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    seen.set(file, source);
    const specs = [...source.matchAll(/^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    for (const spec of specs) {
      if (spec.startsWith('#')) visit(join(root, pkg.imports[spec].browser));
      else if (spec.startsWith('.')) visit(join(file, '..', spec));
      else assert.fail(`${file}: imports ${spec}`);
    }
  };
  visit(join(LIB, entry));
  return seen;
}

test('what a browser bundle reaches has no Node import and no top-level await; the worker no dynamic import', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.deepEqual(Object.keys(pkg.imports['#platform']), ['node', 'browser', 'default'], 'node first, so Node never takes the browser file');
  assert.equal(pkg.imports['#platform'].default, pkg.imports['#platform'].browser);
  for (const entry of ['index.js', 'worker.js']) {
    const graph = browserGraph(entry);
    assert.ok(graph.size >= 5, `${entry}: ${graph.size} modules`);
    for (const [file, source] of graph) {
      assert.ok(!file.includes(`${join('lib', 'node')}`), `${entry} reaches ${file}`);
      assert.doesNotMatch(source, /['"]node:/, `${file}: names a Node built-in`);
      // Top-level await: the module's body, its import/export syntax taken out, compiles as the
      // body of a plain (non-async) function only if no await sits outside an async function.
      const body = source
        .replace(/^\s*import\b[^;'"`]*?\bfrom\s*['"][^'"]+['"];?/gm, '')
        .replace(/^\s*export\s*(\*|\{[^}]*\})\s*from\s*['"][^'"]+['"];?/gm, '')
        .replace(/^export\s+(default\s+)?/gm, '')
        .replace(/import\.meta/g, '({})');
      assert.doesNotThrow(() => new Function(body), `${file}: top-level await (or syntax the check cannot read)`);
      if (entry === 'worker.js') assert.doesNotMatch(source, /\bimport\(/, `${file}: dynamic import in the worker bundle`);
    }
  }
});
