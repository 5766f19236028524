// The package's shape: every runtime export is declared in lib/index.d.ts and documented with
// JSDoc, and nothing in lib/ needs the DOM or a Node-only module outside a dynamic import (so
// the same files run in Node, pages and Web Workers).
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

test('no DOM and no static Node-only imports anywhere in lib/', () => {
  for (const file of libFiles()) {
    const source = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(source, /^\s*import\s[^;]*from\s+['"](node:|fs|path|os|worker_threads)/m, `${file}: static Node import`);
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
