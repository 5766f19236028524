// The FMA build (backend 'fma': WebAssembly relaxed SIMD, f32x4.relaxed_madd in the products).
// Here: it is built and fuses, 'auto' never picks it, and asking for it where the runtime cannot
// run it is a clear error. Its numbers (kernels, gradients against finite differences and the
// SIMD build, training) are checked by tests/helpers/fma-checks.js in a child Node started with
// --experimental-wasm-relaxed-simd, which Node 20 needs; skipped, saying why, where that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmaSupported, resolveBackend } from '../lib/wasm.js';
import { Seq2Seq } from '../lib/core.js';

const FLAG = '--experimental-wasm-relaxed-simd';
const wasm = readFileSync(new URL('../build/wasm/s2s-fma.wasm', import.meta.url));
const probe = spawnSync(process.execPath, [FLAG, '--input-type=module', '-e',
  `import { fmaSupported } from ${JSON.stringify(new URL('../lib/wasm.js', import.meta.url).href)}; process.stdout.write(String(fmaSupported()))`],
{ encoding: 'utf8' });
const childSkip = probe.stdout === 'true' ? false : `this Node cannot run relaxed SIMD even with ${FLAG} (${(probe.stderr || probe.stdout).trim().slice(0, 200)})`;

test('the FMA build holds relaxed_madd instructions, exports what the others export, and validates only with relaxed SIMD', () => {
  let madds = 0; // f32x4.relaxed_madd = 0xfd 0x85 0x02
  for (let i = 0; i + 2 < wasm.length; i++) if (wasm[i] === 0xfd && wasm[i + 1] === 0x85 && wasm[i + 2] === 0x02) madds++;
  assert.ok(madds >= 20, `only ${madds} relaxed_madd instructions`);
  const simd = readFileSync(new URL('../build/wasm/s2s-simd.wasm', import.meta.url));
  const names = (bytes) => WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name).filter((n) => !n.startsWith('_')).sort();
  if (fmaSupported()) assert.deepEqual(names(wasm), names(simd));
  else assert.equal(WebAssembly.validate(wasm), false, 'a runtime without relaxed SIMD must not validate the FMA build');
});

test("'auto' never picks the FMA build; 'fma' where it cannot run is an error that says what to do", async () => {
  assert.notEqual(resolveBackend('auto'), 'fma');
  if (fmaSupported()) {
    assert.equal(resolveBackend('fma'), 'fma');
    return;
  }
  assert.throws(() => resolveBackend('fma'), (e) => e.code === 'BAD_ARGUMENT' && /relaxed SIMD/.test(e.message) && new RegExp(FLAG).test(e.message));
  await assert.rejects(Seq2Seq.create({ srcVocabSize: 9, tgtVocabSize: 9, backend: 'fma' }), (e) => e.code === 'BAD_ARGUMENT');
  assert.throws(() => resolveBackend('FMA'), (e) => e.code === 'BAD_ARGUMENT' && /'fma'/.test(e.message));
});

test(`FMA build: kernels, gradients and training (child Node with ${FLAG})`, { skip: childSkip, timeout: 300000 }, () => {
  // without the runner's NODE_TEST_CONTEXT the child prints plain TAP instead of reporting to us
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const r = spawnSync(process.execPath, [FLAG, '--test', '--test-reporter=tap', fileURLToPath(new URL('./helpers/fma-checks.js', import.meta.url))],
    { encoding: 'utf8', env });
  const summary = r.stdout.split('\n').filter((l) => /^# (tests|pass|fail)|^not ok/.test(l)).join('; ');
  console.log(`# fma-checks: ${summary}`);
  assert.equal(r.status, 0, `fma-checks failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /# pass [1-9]/);
  assert.match(r.stdout, /# fail 0/);
});

test('the CLI runs --backend fma (restarting itself with the flag where Node needs it)', { skip: childSkip, timeout: 120000 }, () => {
  const cli = fileURLToPath(new URL('../bin/seq2seq-attention.js', import.meta.url));
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const r = spawnSync(process.execPath, [cli, 'train', '--task', 'dates', '--steps', '3', '--eval-size', '10', '--backend', 'fma'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /backend fma/);
});
