// Where TF.js spends one training step of model (A): tf.profile() of trainOnBatch, kernel time
// summed per kernel name and per kernel + input shapes. One JSON line per backend.
// Usage: node bench/tfjs-profile.js [cpu|wasm ...]   (default: wasm)
import * as tf from '@tensorflow/tfjs';
import { setBackend, buildModelA } from './tfjs.js';
import { MODELS, emit, syntheticBatch } from './common.js';

export async function profileTfjs(be) {
  await setBackend(be);
  const cfg = MODELS.A;
  const model = buildModelA(cfg);
  const b = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize });
  const xs = [tf.tensor2d(b.src, [cfg.B, cfg.m], 'int32'), tf.tensor2d(b.tgtIn, [cfg.B, cfg.n], 'int32')];
  const ys = tf.tensor3d(Float32Array.from(b.tgtOut), [cfg.B, cfg.n, 1]);
  for (let i = 0; i < 2; i++) await model.trainOnBatch(xs, ys);
  const p = await tf.profile(async () => { await model.trainOnBatch(xs, ys); });
  const byName = new Map();
  const byShape = new Map();
  let total = 0;
  for (const k of p.kernels) {
    const t = await k.kernelTimeMs;
    const ms = typeof t === 'number' ? t : 0;
    total += ms;
    byName.set(k.name, (byName.get(k.name) || 0) + ms);
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    byShape.set(key, (byShape.get(key) || 0) + ms);
  }
  const top = (m, n) => [...m.entries()].sort((a, c) => c[1] - a[1]).slice(0, n).map(([kernel, ms]) => ({ kernel, share: +(ms / total).toFixed(3) }));
  xs.forEach((x) => x.dispose());
  ys.dispose();
  model.dispose();
  return { bench: 'tfjs-profile', impl: `tfjs-${be}`, model: 'A', kernelMs: +total.toFixed(1), kernels: p.kernels.length, top: top(byName, 8), topShapes: top(byShape, 6) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const backends = process.argv.slice(2).filter((x) => !x.startsWith('--'));
  for (const be of backends.length ? backends : ['wasm']) {
    try { emit(await profileTfjs(be)); } catch (e) { emit({ bench: 'tfjs-profile', impl: `tfjs-${be}`, error: String(e && e.stack || e) }); }
  }
}
