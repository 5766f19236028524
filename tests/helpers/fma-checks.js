// The FMA build's checks, run by tests/core-fma.test.js in a child Node started with
// --experimental-wasm-relaxed-simd (Node 20 validates relaxed SIMD only behind that flag):
// `node --experimental-wasm-relaxed-simd --test tests/helpers/fma-checks.js`.
// The FMA build rounds each product once (fused multiply-add) where the others round twice, so it
// is held against the SIMD build within tolerances, and its gradients against finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seq2Seq } from '../../lib/core.js';
import { instantiate, fmaSupported } from '../../lib/wasm.js';
import { createRandom } from '../../lib/random.js';
import { makeBatch, reverseBatch, randomSequence } from './reverse.js';

assert.ok(fmaSupported(), 'run with --experimental-wasm-relaxed-simd');

test('fma kernels: GEMMs, dot and scores agree with the scalar kernels; tanh and sigmoid are bitwise those of the SIMD build', async () => {
  const { exports: k, memory } = await instantiate('fma');
  const { exports: s, memory: smem } = await instantiate('simd');
  const random = createRandom(7).next;
  const put = (ex, mem, values) => {
    const ptr = ex.malloc(4 * Math.max(1, values.length));
    new Float32Array(mem.buffer, ptr, values.length).set(values);
    return ptr;
  };
  const get = (mem, ptr, n) => Float32Array.from(new Float32Array(mem.buffer, ptr, n));
  const randoms = (n) => Float32Array.from({ length: n }, () => random() * 2 - 1);
  let fused = 0;
  for (const [B, N, K] of [[1, 5, 3], [3, 17, 9], [5, 33, 64], [8, 96, 256]]) {
    const A = randoms(B * K), W = randoms(N * K);
    for (const [name, c, a, w] of [['gemm_nt', B * N, A, W], ['gemm_nn', B * K, randoms(B * N), W], ['gemm_tn', N * K, randoms(B * N), randoms(B * K)]]) {
      const out = {};
      for (const v of ['simd', 'scalar']) {
        const pc = put(k, memory, new Float32Array(c)), pa = put(k, memory, a), pw = put(k, memory, w);
        k[`${name}_${v}`](pc, pa, pw, B, N, K);
        out[v] = get(memory, pc, c);
        [pc, pa, pw].forEach((p) => k.free(p));
      }
      for (let i = 0; i < c; i++) {
        assert.ok(Math.abs(out.simd[i] - out.scalar[i]) <= 1e-5 * (1 + Math.abs(out.scalar[i])), `${name} B${B} N${N} K${K} [${i}]`);
        if (out.simd[i] !== out.scalar[i]) fused++;
      }
    }
  }
  assert.ok(fused > 0, 'the FMA build rounds some products differently from the scalar kernels (else it is not fusing)');
  const x = Float32Array.from({ length: 1001 }, () => (random() * 2 - 1) * 10);
  for (const name of ['vtanh_simd', 'vsigmoid_simd']) {
    const px = put(k, memory, x), py = put(k, memory, new Float32Array(x.length));
    const qx = put(s, smem, x), qy = put(s, smem, new Float32Array(x.length));
    k[name](py, px, x.length);
    s[name](qy, qx, x.length);
    assert.deepEqual(get(memory, py, x.length), get(smem, qy, x.length), name);
  }
});

const batch = makeBatch([
  [[4, 5, 6, 7, 8], [8, 7, 6, 5]],
  [[6, 4], [4, 6, 5]],
  [[5], [5]],
]);

for (const [cell, attention] of [['gru', 'additive'], ['lstm', 'dot'], ['rnn', 'none']]) {
  test(`fma gradients match finite differences and the SIMD build's: ${cell} x ${attention}`, async () => {
    const config = { cell, attention, embed: 4, hidden: 5, attentionSize: 4, srcVocabSize: 9, tgtVocabSize: 9, seed: 3 };
    const model = await Seq2Seq.create({ ...config, backend: 'fma' });
    const ref = await Seq2Seq.create({ ...config, backend: 'simd' });
    assert.equal(model.backend, 'fma');
    assert.deepEqual(model.save(), ref.save(), 'the same seed gives the same initial weights bit for bit');
    const { loss, gradients } = model.lossAndGradients(batch);
    const r = ref.lossAndGradients(batch);
    assert.ok(Math.abs(loss - r.loss) <= 1e-5 * Math.abs(r.loss), `loss ${loss} vs ${r.loss}`);
    const h = 1e-2;
    const random = createRandom(11).next;
    for (const name of model.parameterNames()) {
      const g = gradients[name], gr = r.gradients[name];
      const gnorm = Math.hypot(...gr);
      const diff = Math.hypot(...g.map((x, i) => x - gr[i]));
      assert.ok(diff <= 1e-4 * gnorm + 1e-7, `${name}: |g_fma - g_simd| ${diff} vs |g| ${gnorm}`);
      // directional central differences, as tests/core-gradients.test.js does for the SIMD build
      const { data } = model.getParameter(name);
      const d = Float32Array.from(g, () => (random() < 0.5 ? -1 : 1)).map((x) => x / Math.sqrt(g.length));
      const shifted = (sign) => {
        model.setParameter(name, data.map((x, i) => x + sign * h * d[i]));
        return model.loss(batch);
      };
      const numeric = (shifted(1) - shifted(-1)) / (2 * h);
      const analytic = d.reduce((s, x, i) => s + x * g[i], 0);
      assert.ok(Math.abs(numeric - analytic) <= 2e-2 * gnorm + 2e-4, `${name}: numeric ${numeric} vs analytic ${analytic}`);
      model.setParameter(name, data);
    }
    model.dispose();
    ref.dispose();
  });
}

test('fma training follows the SIMD build within tolerance, learns, decodes the same, and is repeatable', async () => {
  const config = { cell: 'gru', attention: 'additive', embed: 12, hidden: 20, attentionSize: 16, srcVocabSize: 14, tgtVocabSize: 14, seed: 5 };
  const run = async (backend) => {
    const m = await Seq2Seq.create({ ...config, backend });
    const random = createRandom(3).next;
    const losses = [];
    for (let s = 0; s < 60; s++) losses.push(m.trainStep(reverseBatch(random, 16, 3, 9, 10), { learningRate: 0.01 }).loss);
    return { m, losses };
  };
  const a = await run('fma'), b = await run('simd'), c = await run('fma');
  assert.deepEqual(a.m.save(), c.m.save(), 'the FMA build is deterministic on one machine');
  for (let s = 0; s < 60; s++) assert.ok(Math.abs(a.losses[s] - b.losses[s]) <= 2e-3 * b.losses[s], `step ${s}: ${a.losses[s]} vs ${b.losses[s]}`);
  assert.ok(a.losses.at(-1) < 0.8 * a.losses[0], `loss went from ${a.losses[0]} to ${a.losses.at(-1)}`);
  // the same weights decode to the same tokens in both builds
  const loaded = await Seq2Seq.load(b.m.save(), { backend: 'fma' });
  const random = createRandom(8).next;
  for (let i = 0; i < 5; i++) {
    const src = new Int32Array(randomSequence(random, 2, 9, 10));
    assert.deepEqual(Array.from(loaded.translateTokens(src).tokens), Array.from(b.m.translateTokens(src).tokens));
  }
  for (const m of [a.m, b.m, c.m, loaded]) m.dispose();
});
