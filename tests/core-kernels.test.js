// Every SIMD kernel of the wasm SIMD build against its scalar twin (both exported from the same
// module), at sizes that are a multiple of 4, one more, one less and below 4, with the outputs
// pre-filled with NaN so an element the vector loop misses shows up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantiate } from '../lib/wasm.js';
import { createRandom } from '../lib/random.js';

const { exports: k, memory } = await instantiate('simd');
const random = createRandom(7).next;
const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 32, 33];

function alloc(values) {
  const ptr = k.malloc(4 * Math.max(1, values.length));
  new Float32Array(memory.buffer, ptr, values.length).set(values);
  return { ptr, n: values.length, read: () => Float32Array.from(new Float32Array(memory.buffer, ptr, values.length)) };
}
const randoms = (n, scale = 1) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
const nans = (n) => new Float32Array(n).fill(NaN);

function close(a, b, what, tol = 1e-5) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Number.isFinite(a[i]) && Number.isFinite(b[i]), `${what}: element ${i} not written (${a[i]}, ${b[i]})`);
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}: element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

/** Runs kernel `name` in both variants on fresh copies of the inputs; returns the outputs. */
function both(name, inputs, outputIndex, call) {
  const results = [];
  for (const variant of ['simd', 'scalar']) {
    const bufs = inputs.map(alloc);
    const ret = call(k[`${name}_${variant}`], bufs.map((b) => b.ptr));
    results.push({ out: outputIndex.map((i) => bufs[i].read()), ret });
    bufs.forEach((b) => k.free(b.ptr));
  }
  return results;
}

test('gemm_nt, gemm_nn and gemm_tn: SIMD equals scalar', () => {
  for (const B of [1, 2, 3, 5]) for (const N of SIZES) for (const K of [1, 3, 4, 5, 8, 17]) {
    let [a, b] = both('gemm_nt', [nans(B * N).fill(0.25), randoms(B * K), randoms(N * K)], [0], (f, [C, A, W]) => f(C, A, W, B, N, K));
    close(a.out[0], b.out[0], `gemm_nt B=${B} N=${N} K=${K}`);
    [a, b] = both('gemm_nn', [randoms(B * K), randoms(B * N), randoms(N * K)], [0], (f, [C, A, W]) => f(C, A, W, B, N, K));
    close(a.out[0], b.out[0], `gemm_nn B=${B} N=${N} K=${K}`);
    [a, b] = both('gemm_tn', [randoms(N * K), randoms(B * N), randoms(B * K)], [0], (f, [C, A, X]) => f(C, A, X, B, N, K));
    close(a.out[0], b.out[0], `gemm_tn B=${B} N=${N} K=${K}`);
  }
});

test('gemm_nt with a W larger than the cache share (walked in blocks of rows): SIMD equals scalar', () => {
  for (const [B, N, K] of [[5, 261, 259], [2, 300, 256], [1, 257, 260]]) {
    const [a, b] = both('gemm_nt', [randoms(B * N), randoms(B * K), randoms(N * K)], [0], (f, [C, A, W]) => f(C, A, W, B, N, K));
    close(a.out[0], b.out[0], `gemm_nt B=${B} N=${N} K=${K}`);
  }
});

test('dot and axpy: SIMD equals scalar', () => {
  for (const n of SIZES) {
    const [a, b] = both('dot', [randoms(n), randoms(n)], [], (f, [x, y]) => f(x, y, n));
    assert.ok(Math.abs(a.ret - b.ret) <= 1e-5 * (1 + Math.abs(b.ret)), `dot n=${n}`);
    const [c, d] = both('axpy', [randoms(n), randoms(n)], [0], (f, [y, x]) => f(y, 0.75, x, n));
    close(c.out[0], d.out[0], `axpy n=${n}`);
  }
});

test('tanh and sigmoid: SIMD bitwise equals scalar, and both are accurate', () => {
  for (const n of SIZES) {
    const x = randoms(n, 6);
    for (const name of ['vtanh', 'vsigmoid']) {
      const [a, b] = both(name, [nans(n), x], [0], (f, [y, xs]) => f(y, xs, n));
      assert.deepEqual(a.out[0], b.out[0], `${name} n=${n}`);
      const exact = name === 'vtanh' ? Math.tanh : (v) => 1 / (1 + Math.exp(-v));
      x.forEach((v, i) => assert.ok(Math.abs(a.out[0][i] - exact(v)) <= (name === 'vtanh' ? 4e-7 * Math.abs(exact(v)) : 3e-7), `${name}(${v})`));
    }
  }
});

test('score loops, masked softmax and weighted sum: SIMD equals scalar', () => {
  for (const m of SIZES) for (const A of [1, 3, 4, 5, 16, 17]) {
    const ld = A + 2;
    const keys = randoms(m * ld), q = randoms(A), v = randoms(A);
    let [a, b] = both('scores_additive', [nans(m), keys, q, v, nans(m * A)], [0, 4], (f, [s, K, qq, vv, t]) => f(s, K, ld, qq, vv, m, A, t));
    close(a.out[0], b.out[0], `scores_additive m=${m} A=${A}`);
    assert.deepEqual(a.out[1], b.out[1], `scores_additive kept tanh m=${m} A=${A}`);
    a.out[1].forEach((t, i) => { const e = Math.tanh(keys[Math.floor(i / A) * ld + (i % A)] + q[i % A]); assert.ok(Math.abs(t - e) <= 4e-7 * Math.abs(e) + 1e-12); });
    const kept = a.out[1];
    [a, b] = both('scores_dot', [nans(m), keys, q], [0], (f, [s, K, qq]) => f(s, K, ld, qq, 0.5, m, A));
    close(a.out[0], b.out[0], `scores_dot m=${m} A=${A}`);
    const len = Math.max(1, m - 1);
    const scores = randoms(m, 4);
    [a, b] = both('softmax_masked', [nans(m), scores], [0], (f, [w, s]) => f(w, s, m, len));
    close(a.out[0], b.out[0], `softmax_masked m=${m}`);
    const sum = a.out[0].slice(0, len).reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5 && (len === m || a.out[0][m - 1] === 0), `softmax m=${m} sums to ${sum}`);
    [a, b] = both('weighted_sum', [nans(A), a.out[0], keys], [0], (f, [c, w, hs]) => f(c, w, hs, ld, m, A));
    close(a.out[0], b.out[0], `weighted_sum m=${m} H=${A}`);
    [a, b] = both('scores_additive_backward', [randoms(m * ld), randoms(A), randoms(A), kept, v, randoms(m)], [0, 1, 2],
      (f, [dK, dq, dv, t, vv, ds]) => f(dK, ld, dq, dv, t, vv, ds, m, A));
    a.out.forEach((o, i) => close(o, b.out[i], `scores_additive_backward m=${m} A=${A} output ${i}`));
  }
});

test('the SIMD build really contains SIMD instructions and the scalar build none', async () => {
  const { readFile } = await import('node:fs/promises');
  const hasSimdOpcodes = (bytes) => {
    let count = 0; // 0xfd prefix followed by v128.load (0x00) / f32x4.mul (0xe6) / f32x4.add (0xe4)
    for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xfd && (bytes[i + 1] === 0xe4 || bytes[i + 1] === 0xe6)) count++;
    return count;
  };
  const simd = await readFile(new URL('../build/wasm/s2s-simd.wasm', import.meta.url));
  const scalar = await readFile(new URL('../build/wasm/s2s-scalar.wasm', import.meta.url));
  assert.ok(hasSimdOpcodes(simd) > 100, 'SIMD build has too few f32x4 add/mul instructions');
  assert.ok(!WebAssembly.validate(simd) || WebAssembly.validate(scalar));
  assert.equal(WebAssembly.Module.exports(new WebAssembly.Module(scalar)).some((e) => e.name.endsWith('_simd')), false);
});
