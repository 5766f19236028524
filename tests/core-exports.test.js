// c_src/exports.txt is the list of what the wasm builds export, and it is true:
//  - both builds export exactly its functions (the scalar one without *_simd), besides what the
//    emscripten runtime adds itself (memory, table, _initialize, stack helpers);
//  - its s2s_* functions are exactly those c_src/s2s.h declares (the public C API);
//  - its kernels are exactly S2S_KERNEL_LIST of c_src/kernels.h, each as _scalar and _simd;
//  - every core function lib/ calls through the instance is in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (f) => fs.readFileSync(path.join(root, f), 'utf8');
const listed = read('c_src/exports.txt').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const sorted = (xs) => [...new Set(xs)].sort();
// what emcc's runtime exports on its own (not from the list)
const runtime = (e) => e.kind !== 'function' || /^(_initialize|__errno_location|stack(Save|Restore|Alloc)|_?emscripten_.*)$/.test(e.name);

test('exports.txt has no repeated line', () => {
  assert.deepEqual(listed, [...new Set(listed)]);
});

for (const build of ['simd', 'scalar']) {
  test(`build/wasm/s2s-${build}.wasm exports exactly exports.txt${build === 'scalar' ? ' without *_simd' : ''}`, () => {
    const module = new WebAssembly.Module(fs.readFileSync(path.join(root, `build/wasm/s2s-${build}.wasm`)));
    const exported = WebAssembly.Module.exports(module).filter((e) => !runtime(e)).map((e) => e.name);
    const want = build === 'simd' ? listed : listed.filter((n) => !n.endsWith('_simd'));
    assert.deepEqual(sorted(exported), sorted(want));
  });
}

test('the s2s_* exports are the public C API of c_src/s2s.h', () => {
  const declared = [...read('c_src/s2s.h').matchAll(/\b(s2s_\w+)\(/g)].map((m) => m[1]);
  assert.deepEqual(sorted(listed.filter((n) => n.startsWith('s2s_'))), sorted(declared));
});

test('the kernel exports are S2S_KERNEL_LIST of c_src/kernels.h, scalar and SIMD', () => {
  const kernels = [...read('c_src/kernels.h').matchAll(/^\s*X\(\w+, (\w+),/gm)].map((m) => m[1]);
  assert.ok(kernels.length >= 10, 'S2S_KERNEL_LIST not found in kernels.h');
  const want = kernels.flatMap((k) => [`${k}_scalar`, `${k}_simd`]);
  assert.deepEqual(sorted(listed.filter((n) => /_(scalar|simd)$/.test(n))), sorted(want));
  assert.deepEqual(sorted(listed.filter((n) => !n.startsWith('s2s_') && !/_(scalar|simd)$/.test(n))), ['free', 'malloc']);
});

test('every core function lib/ calls is exported', () => {
  const files = fs.readdirSync(path.join(root, 'lib'), { recursive: true }).filter((f) => f.endsWith('.js'));
  const called = new Set();
  for (const f of files)
    for (const m of read(path.join('lib', f)).matchAll(/\.(s2s_\w+|malloc|free)\(/g)) called.add(m[1]);
  assert.ok(called.has('s2s_create') && called.has('malloc'), 'lib/ calls no core function: the pattern is stale');
  assert.deepEqual([...called].filter((n) => !listed.includes(n)), []);
});
