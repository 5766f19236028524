// Every SIMD kernel of the wasm SIMD build against its scalar twin (both exported from the same
// module), at sizes that are a multiple of 4, one more, one less and below 4. Kernels that write
// their output get it pre-filled with NaN, so an element the vector loop misses shows up; the
// accumulating ones (gemm_*, axpy: C += ...) start from random values and are also checked against
// a double-precision reference of C0 + product, so a missed element is off by a whole product.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantiate } from '../lib/wasm.js';
import { simdUse } from './helpers/wasm-code.js';
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

// Double-precision references of the accumulating matrix kernels (c_src/kernels.h), row-major:
// every element of C (rows x cols) plus the sum over `inner` of term(row, col, k).
function accumulate(C, cols, inner, term) {
  return Float64Array.from(C, (c, i) => {
    const row = Math.floor(i / cols), col = i % cols;
    let s = c;
    for (let k = 0; k < inner; k++) s += term(row, col, k);
    return s;
  });
}
const gemmNtRef = (C, A, W, B, N, K) => accumulate(C, N, K, (b, n, k) => A[b * K + k] * W[n * K + k]); // C[B,N] += A[B,K] . W[N,K]^T
const gemmNnRef = (C, A, W, B, N, K) => accumulate(C, K, N, (b, k, n) => A[b * N + n] * W[n * K + k]); // C[B,K] += A[B,N] . W[N,K]
const gemmTnRef = (C, A, X, B, N, K) => accumulate(C, K, B, (n, k, b) => A[b * N + n] * X[b * K + k]); // C[N,K] += A[B,N]^T . X[B,K]

/** Both variants of an accumulating gemm: equal to each other and to the double reference. */
function checkGemm(name, reference, shapes, B, N, K) {
  const inputs = shapes.map((n) => randoms(n));
  const [a, b] = both(name, inputs, [0], (f, [C, X, Y]) => f(C, X, Y, B, N, K, 1, 0)); // add = 1: C += the product
  const what = `${name} B=${B} N=${N} K=${K}`;
  close(a.out[0], b.out[0], what);
  const want = reference(...inputs, B, N, K);
  close(a.out[0], want, `${what} (SIMD vs double reference)`, 1e-4);
  close(b.out[0], want, `${what} (scalar vs double reference)`, 1e-4);
}

test('gemm_nt, gemm_nn and gemm_tn: SIMD equals scalar, and both add the product to C', () => {
  for (const B of [1, 2, 3, 5]) for (const N of SIZES) for (const K of [1, 3, 4, 5, 8, 17]) {
    checkGemm('gemm_nt', gemmNtRef, [B * N, B * K, N * K], B, N, K);
    checkGemm('gemm_nn', gemmNnRef, [B * K, B * N, N * K], B, N, K);
    checkGemm('gemm_tn', gemmTnRef, [N * K, B * N, B * K], B, N, K);
  }
});

test('gemm_nt with a W larger than the cache share (walked in blocks of rows): SIMD equals scalar and the reference', () => {
  for (const [B, N, K] of [[5, 261, 259], [2, 300, 256], [1, 257, 260]]) checkGemm('gemm_nt', gemmNtRef, [B * N, B * K, N * K], B, N, K);
});

test('gemm_nn and gemm_tn across several blocks of W (64 rows x 128 columns) and with tails: SIMD bitwise equals scalar', () => {
  for (const [B, N, K] of [[5, 130, 260], [7, 65, 131], [9, 200, 129], [3, 64, 128], [150, 70, 140], [130, 6, 133]]) {
    let [a, b] = both('gemm_nn', [randoms(B * K), randoms(B * N), randoms(N * K)], [0], (f, [C, A, W]) => f(C, A, W, B, N, K, 1, 0));
    assert.deepEqual(a.out[0], b.out[0], `gemm_nn B=${B} N=${N} K=${K}`);
    [a, b] = both('gemm_tn', [randoms(N * K), randoms(B * N), randoms(B * K)], [0], (f, [C, A, X]) => f(C, A, X, B, N, K, 1, 0));
    assert.deepEqual(a.out[0], b.out[0], `gemm_tn B=${B} N=${N} K=${K}`);
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

test('col_sum (bias gradients): SIMD bitwise equals scalar and the row-by-row sum', () => {
  for (const rows of [1, 3, 17, 40]) for (const n of [...SIZES, 130, 1500]) {
    const y = randoms(n), x = randoms(rows * n);
    const [a, b] = both('col_sum', [y, x], [0], (f, [yy, xx]) => f(yy, xx, rows, n));
    assert.deepEqual(a.out[0], b.out[0], `col_sum rows=${rows} n=${n}`);
    const want = Float32Array.from(y);
    for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) want[i] = Math.fround(want[i] + x[r * n + i]);
    assert.deepEqual(a.out[0], want, `col_sum rows=${rows} n=${n}: float additions in row order`);
  }
});

test('tanh, sigmoid and exp: SIMD bitwise equals scalar, and both are accurate', () => {
  for (const n of SIZES) {
    const x = randoms(n, 6);
    const wide = randoms(n, 100); // exp past both clamps (-87, 88)
    const [e, f] = both('vexp', [nans(n), wide], [0], (fn, [y, xs]) => fn(y, xs, n));
    assert.deepEqual(e.out[0], f.out[0], `vexp n=${n}`);
    wide.forEach((v, i) => assert.ok(v < -87 || v > 88 || Math.abs(e.out[0][i] - Math.exp(v)) <= 2e-7 * Math.exp(v), `exp(${v})`));
    for (const name of ['vtanh', 'vsigmoid']) {
      const [a, b] = both(name, [nans(n), x], [0], (f, [y, xs]) => f(y, xs, n));
      assert.deepEqual(a.out[0], b.out[0], `${name} n=${n}`);
      const exact = name === 'vtanh' ? Math.tanh : (v) => 1 / (1 + Math.exp(-v));
      x.forEach((v, i) => assert.ok(Math.abs(a.out[0][i] - exact(v)) <= (name === 'vtanh' ? 6e-7 * Math.abs(exact(v)) : 3.5e-7), `${name}(${v})`));
    }
  }
});

test('GRU and LSTM row kernels (gates, activations, state in one pass, and their backward): SIMD bitwise equals scalar, and both follow the cell equations', () => {
  const sig = (x) => 1 / (1 + Math.exp(-x));
  for (const H of SIZES) {
    const xi = randoms(4 * H, 3), xh = randoms(4 * H, 3), hp = randoms(H), cp = randoms(H), d = randoms(H), dc = randoms(H);
    let [a, b] = both('gru_row_forward', [nans(3 * H), nans(H), xi, xh, hp], [0, 1], (f, [g, h, x1, x2, p]) => f(g, h, x1, x2, p, H));
    a.out.forEach((o, i) => assert.deepEqual(o, b.out[i], `gru_row_forward H=${H} output ${i}`));
    for (let k = 0; k < H; k++) {
      const r = sig(xi[k] + xh[k]), z = sig(xi[H + k] + xh[H + k]), n = Math.tanh(xi[2 * H + k] + r * xh[2 * H + k]);
      assert.ok(Math.abs(a.out[1][k] - ((1 - z) * n + z * hp[k])) < 1e-5, `gru h[${k}]`);
    }
    const gGru = a.out[0];
    [a, b] = both('lstm_row_forward', [nans(4 * H), nans(H), nans(H), nans(H), xi, xh, cp], [0, 1, 2, 3], (f, [g, h, c, tc, x1, x2, p]) => f(g, h, c, tc, x1, x2, p, H));
    a.out.forEach((o, i) => assert.deepEqual(o, b.out[i], `lstm_row_forward H=${H} output ${i}`));
    for (let k = 0; k < H; k++) {
      const c = sig(xi[H + k] + xh[H + k]) * cp[k] + sig(xi[k] + xh[k]) * Math.tanh(xi[2 * H + k] + xh[2 * H + k]);
      assert.ok(Math.abs(a.out[2][k] - c) < 1e-5 && Math.abs(a.out[1][k] - sig(xi[3 * H + k] + xh[3 * H + k]) * Math.tanh(c)) < 1e-5, `lstm c, h[${k}]`);
      assert.ok(Math.abs(a.out[3][k] - Math.tanh(a.out[2][k])) <= 6e-7 * Math.abs(Math.tanh(a.out[2][k])) + 1e-12, `lstm kept tanh(c)[${k}]`);
    }
    // tanh(c) kept over xh itself (as cell_forward does): the same gates, state and tanh(c)
    const inPlace = both('lstm_row_forward', [nans(4 * H), nans(H), nans(H), xi, xh, cp], [0, 1, 2, 4], (f, [g, h, c, x1, x2, p]) => f(g, h, c, x2, x1, x2, p, H));
    inPlace.forEach((r) => { r.out.slice(0, 3).forEach((o, i) => assert.deepEqual(o, a.out[i], `lstm_row_forward in place H=${H} output ${i}`)); assert.deepEqual(r.out[3].slice(0, H), a.out[3], 'tanh(c) left in xh'); });
    const [gL, , cL, tcL] = a.out;
    [a, b] = both('gru_row_backward', [nans(3 * H), nans(3 * H), nans(H), gGru, xh.slice(2 * H, 3 * H), hp, d], [0, 1, 2],
      (f, [di, dg, dp, g, ghn, p, dd]) => f(di, dg, dp, g, ghn, p, dd, H));
    a.out.forEach((o, i) => assert.deepEqual(o, b.out[i], `gru_row_backward H=${H} output ${i}`));
    for (let k = 0; k < H; k++) { // dh/dz = hp - n, through the sigmoid: z (1 - z)
      const z = gGru[H + k], n = gGru[2 * H + k];
      assert.ok(Math.abs(a.out[0][H + k] - d[k] * (hp[k] - n) * z * (1 - z)) < 1e-5 && Math.abs(a.out[2][k] - d[k] * z) < 1e-6, `gru dz[${k}]`);
    }
    [a, b] = both('lstm_row_backward', [nans(4 * H), nans(4 * H), nans(H), gL, cp, tcL, d, dc], [0, 1, 2],
      (f, [di, dg, dcp, g, p, c, dd, ddc]) => f(di, dg, dcp, g, p, c, dd, ddc, H));
    a.out.forEach((o, i) => assert.deepEqual(o, b.out[i], `lstm_row_backward H=${H} output ${i}`));
    assert.deepEqual(a.out[0], a.out[1], 'the LSTM gives the same gradient to gi and gh');
    for (let k = 0; k < H; k++) { // dc_prev = (dc + dh o (1 - tanh(c)^2)) f
      const t = Math.tanh(cL[k]), dct = dc[k] + d[k] * gL[3 * H + k] * (1 - t * t);
      assert.ok(Math.abs(a.out[2][k] - dct * gL[H + k]) < 1e-5, `lstm dc_prev[${k}]`);
    }
  }
});

test('Adam in one pass (adam_update): SIMD bitwise equals scalar, and both follow the update rule', () => {
  // the constants struct (s2s_adam_consts): count, gscale, b1, b2, step_size, bc2_sqrt, eps
  const k = Float32Array.of(3, 0.8, 0.9, 0.999, 0.01, 0.3, 1e-8);
  for (const n of SIZES) {
    const g = randoms(n, 2), p = randoms(n), m = randoms(n), v = randoms(n).map((x) => x * x);
    const [a, b] = both('adam_update', [p, m, v, g, k], [0, 1, 2], (f, [pp, mm, vv, gg, kk]) => f(pp, mm, vv, gg, n, kk));
    a.out.forEach((o, i) => assert.deepEqual(o, b.out[i], `adam_update n=${n} output ${i}`));
    for (let i = 0; i < n; i++) {
      const gr = g[i] / 3 * 0.8, mm = 0.9 * m[i] + 0.1 * gr, vv = 0.999 * v[i] + 0.001 * gr * gr;
      const want = p[i] - 0.01 * mm / (Math.sqrt(vv) / 0.3 + 1e-8);
      assert.ok(Math.abs(a.out[0][i] - want) < 1e-5 * (1 + Math.abs(want)) && Math.abs(a.out[1][i] - mm) < 1e-6 && Math.abs(a.out[2][i] - vv) < 1e-6, `adam_update n=${n} element ${i}`);
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
    a.out[1].forEach((t, i) => { const e = Math.tanh(keys[Math.floor(i / A) * ld + (i % A)] + q[i % A]); assert.ok(Math.abs(t - e) <= 6e-7 * Math.abs(e) + 1e-12); });
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
    // the whole row in one call: scores, -inf past len, softmax, context; the same numbers as the four kernels
    for (const additive of [true, false]) {
      const H = A, hs = randoms(m * ld);
      const row = (variant) => {
        const bufs = [nans(H), nans(m), nans(m), nans(m * A), keys, q, v, hs].map(alloc);
        const [c, w, s, t, K, qq, vv, hh] = bufs.map((x) => x.ptr);
        k[`attention_row_${variant}`](c, w, s, additive ? t : 0, K, ld, qq, additive ? vv : 0, 0.5, hh, ld, m, len, A, H);
        const out = [bufs[0].read(), bufs[1].read(), bufs[2].read(), bufs[3].read()];
        // the four kernels one by one, into fresh buffers
        const sep = [nans(H), nans(m), nans(m), nans(m * A)].map(alloc);
        if (additive) k[`scores_additive_${variant}`](sep[2].ptr, K, ld, qq, vv, len, A, sep[3].ptr);
        else k[`scores_dot_${variant}`](sep[2].ptr, K, ld, qq, 0.5, len, A);
        k[`softmax_masked_${variant}`](sep[1].ptr, sep[2].ptr, m, len);
        k[`weighted_sum_${variant}`](sep[0].ptr, sep[1].ptr, hh, ld, len, H);
        const want = sep.map((x) => x.read());
        [...bufs, ...sep].forEach((x) => k.free(x.ptr));
        return { out, want };
      };
      const [rs, rc] = [row('simd'), row('scalar')];
      for (const r of [rs, rc]) {
        for (let i = 0; i < 3; i++) assert.deepEqual(r.out[i].slice(0, i === 0 ? H : len), r.want[i].slice(0, i === 0 ? H : len), `attention_row additive=${additive} m=${m} A=${A} output ${i}`);
        for (let j = len; j < m; j++) assert.ok(r.out[2][j] === -Infinity && r.out[1][j] === 0, 'masked positions: score -inf, weight 0');
        if (additive) assert.deepEqual(r.out[3].slice(0, len * A), r.want[3].slice(0, len * A), 'kept tanh');
      }
      close(rs.out[0], rc.out[0], `attention_row additive=${additive} m=${m} A=${A}: SIMD vs scalar context`);
    }
    [a, b] = both('scores_additive_backward', [randoms(m * ld), randoms(A), randoms(A), kept, v, randoms(m)], [0, 1, 2],
      (f, [dK, dq, dv, t, vv, ds]) => f(dK, ld, dq, dv, t, vv, ds, m, A));
    a.out.forEach((o, i) => close(o, b.out[i], `scores_additive_backward m=${m} A=${A} output ${i}`));
    // the same against its definition: dv += sum_j ds_j t_j, dq += sum_j g_j, dK_j += g_j (g_j = ds_j v (1 - t_j^2))
    const dK0 = randoms(m * ld), dq0 = randoms(A), dv0 = randoms(A), ds = randoms(m);
    [a] = both('scores_additive_backward', [dK0, dq0, dv0, kept, v, ds], [0, 1, 2], (f, [dK, dq, dv, t, vv, d]) => f(dK, ld, dq, dv, t, vv, d, m, A));
    const wantK = Float32Array.from(dK0), wantQ = Array.from(dq0), wantV = Array.from(dv0);
    for (let j = 0; j < m; j++) for (let c = 0; c < A; c++) {
      const t = kept[j * A + c], g = ds[j] * v[c] * (1 - t * t);
      wantV[c] += ds[j] * t, wantQ[c] += g, wantK[j * ld + c] += g;
    }
    close(a.out[0], wantK, `scores_additive_backward dK m=${m} A=${A} (reference)`, 1e-4);
    close(a.out[1], wantQ, `scores_additive_backward dq m=${m} A=${A} (reference)`, 1e-4);
    close(a.out[2], wantV, `scores_additive_backward dv m=${m} A=${A} (reference)`, 1e-4);
    // dot scores' backward: dq += sum_j scale ds_j K_j, dK_j += scale ds_j q; SIMD bitwise equals scalar (the same additions in order)
    [a, b] = both('scores_dot_backward', [dK0, dq0, keys, q, ds], [0, 1], (f, [dK, dq, K, qq, d]) => f(dK, ld, dq, K, ld, qq, d, 0.5, m, A));
    a.out.forEach((o, i) => assert.deepEqual(o, b.out[i], `scores_dot_backward m=${m} A=${A} output ${i}`));
    const dotK = Float32Array.from(dK0), dotQ = Array.from(dq0);
    for (let j = 0; j < m; j++) for (let c = 0; c < A; c++) { dotQ[c] += 0.5 * ds[j] * keys[j * ld + c]; dotK[j * ld + c] += 0.5 * ds[j] * q[c]; }
    close(a.out[0], dotK, `scores_dot_backward dK m=${m} A=${A} (reference)`, 1e-4);
    close(a.out[1], dotQ, `scores_dot_backward dq m=${m} A=${A} (reference)`, 1e-4);
    // context and softmax backward: dHs_j += w_j dc, ds_j = w_j (dc.Hs_j - sum_i w_i dc.Hs_i)
    const w = Float32Array.from(randoms(m).map(Math.abs)), dc = randoms(A);
    [a, b] = both('softmax_context_backward', [nans(m), dK0, keys, w, dc], [0, 1], (f, [d, dH, H, ww, c]) => f(d, dH, ld, H, ww, c, m, A));
    a.out.forEach((o, i) => close(o, b.out[i], `softmax_context_backward m=${m} H=${A} output ${i}`));
    const dw = Array.from({ length: m }, (_, j) => dc.reduce((acc, x, c) => acc + x * keys[j * ld + c], 0));
    const mean = dw.reduce((acc, x, j) => acc + w[j] * x, 0);
    close(a.out[0], dw.map((x, j) => w[j] * (x - mean)), `softmax_context_backward ds m=${m} H=${A} (reference)`, 1e-4);
    const ctxK = Float32Array.from(dK0);
    for (let j = 0; j < m; j++) for (let c = 0; c < A; c++) ctxK[j * ld + c] += w[j] * dc[c];
    close(a.out[1], ctxK, `softmax_context_backward dHs m=${m} H=${A} (reference)`, 1e-4);
  }
});

test('the SIMD build really contains SIMD instructions and the scalar build none', async () => {
  const { readFile } = await import('node:fs/promises');
  const simd = await readFile(new URL('../build/wasm/s2s-simd.wasm', import.meta.url));
  const scalar = await readFile(new URL('../build/wasm/s2s-scalar.wasm', import.meta.url));
  // The reader finds the one SIMD instruction of a known module (lib/wasm.js's probe:
  // v128.const; drop), and refuses what it cannot decode rather than miscounting.
  const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 11]);
  assert.deepEqual(simdUse(probe), { functions: 1, instructions: 3, simdInstructions: 1, v128Types: 0 });
  const unknown = probe.slice();
  unknown[23] = 0x06; // 'try' (exception handling): not an instruction this build may contain
  assert.throws(() => simdUse(unknown), /unknown opcode 0x6/);
  const s = simdUse(simd), c = simdUse(scalar);
  assert.ok(s.simdInstructions > 100, `the SIMD build has ${s.simdInstructions} SIMD instructions in ${s.instructions}`);
  assert.equal(c.simdInstructions, 0, `the scalar build has ${c.simdInstructions} SIMD instructions`);
  assert.equal(c.v128Types, 0, 'the scalar build has v128 values in signatures, locals or blocks');
  assert.ok(c.functions > 50 && c.instructions > 10000, `the scalar build was read in full (${c.functions} functions)`);
  assert.ok(WebAssembly.validate(scalar) && WebAssembly.validate(simd));
  assert.equal(WebAssembly.Module.exports(new WebAssembly.Module(scalar)).some((e) => e.name.endsWith('_simd')), false);
});
