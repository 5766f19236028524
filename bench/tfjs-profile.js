import * as tf from '@tensorflow/tfjs';
import { setBackend, buildModelA } from './tfjs.js';
import { MODELS, syntheticBatch } from './common.js';
const be = process.argv[2];
await setBackend(be);
const cfg = MODELS.A; const model = buildModelA(cfg);
const b = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: 53, tgtVocab: 13 });
const xs = [tf.tensor2d(b.src, [cfg.B, cfg.m], 'int32'), tf.tensor2d(b.tgtIn, [cfg.B, cfg.n], 'int32')];
const ys = tf.tensor3d(Float32Array.from(b.tgtOut), [cfg.B, cfg.n, 1]);
await model.trainOnBatch(xs, ys);
const p = await tf.profile(async () => { await model.trainOnBatch(xs, ys); });
const agg = {};
for (const k of p.kernels) { const t = await k.kernelTimeMs; const key = k.name + ' ' + JSON.stringify(k.inputShapes); agg[key] = agg[key] || [0,0]; agg[key][0] += typeof t === 'number' ? t : 0; agg[key][1]++; }
const byName = {};
for (const k of p.kernels) { const t = await k.kernelTimeMs; byName[k.name] = (byName[k.name]||0) + (typeof t === 'number' ? t : 0); }
console.log(Object.entries(byName).sort((a,b)=>b[1]-a[1]).slice(0,15));
console.log(Object.entries(agg).sort((a,b)=>b[1][0]-a[1][0]).slice(0,15));
