// TensorFlow.js side of issue 5 item 3: model (A) as a tfjs layers model, trained with
// trainOnBatch on the `cpu` backend and on the `wasm` backend (SIMD build, one thread).
//
// The model is the same computation as the C core's model (A) (docs/design.md, "The model"):
//   encoder: embedding 53x64 -> LSTM 64 over 18 steps (all sources full length, no PAD);
//   decoder: s_0 = (h_m, c_m); per step i: k_j = W_K h_j (once), q = W_Q s_{i-1},
//     a_j = q.k_j (unscaled dot), alpha = softmax(a), c = sum_j alpha_j h_j,
//     s_i = LSTM([x'_i ; c], s_{i-1}); logits_i = out [s_i ; c] + b; softmax;
//   loss: mean cross-entropy over the 10 target positions; Adam lr 1e-3.
// The decoder loop is a custom layer written with tf ops (tfjs has no attention RNN cell).
//
// The wasm backend of tfjs 4.22 has no `UnsortedSegmentSum` kernel, which the gradient of the
// embeddings (GatherV2's gradient) needs. We register a plain-JS one below for the wasm backend
// only; the result line says so ("jsKernels").
//
// Usage: node bench/tfjs.js [--quick] [--backend cpu|wasm]
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { MODELS, args, emit, note, syntheticBatch, timeCalls } from './common.js';

const require = createRequire(import.meta.url);

class AttnLSTMDecoder extends tf.layers.Layer {
  static className = 'AttnLSTMDecoder';
  constructor(cfg) {
    super(cfg);
    this.units = cfg.units;
    this.attn = cfg.attentionSize;
  }
  build(inputShape) {
    const [embShape, encShape] = inputShape;
    const E = embShape[2];
    const H = this.units;
    const A = this.attn;
    const init = () => tf.initializers.glorotUniform({ seed: 1 });
    this.Wih = this.addWeight('weight_ih', [E + H, 4 * H], 'float32', init());
    this.Whh = this.addWeight('weight_hh', [H, 4 * H], 'float32', init());
    this.bias = this.addWeight('bias', [4 * H], 'float32', tf.initializers.zeros());
    this.WQ = this.addWeight('W_Q', [H, A], 'float32', init());
    this.WK = this.addWeight('W_K', [encShape[2], A], 'float32', init());
    this.built = true;
  }
  computeOutputShape(inputShape) {
    const [embShape] = inputShape;
    return [embShape[0], embShape[1], 2 * this.units];
  }
  call(inputs) {
    return tf.tidy(() => {
      const [emb, enc, h0, c0] = inputs;
      const [B, T] = emb.shape;
      const m = enc.shape[1];
      const H = this.units;
      const A = this.attn;
      const Wih = this.Wih.read();
      const Whh = this.Whh.read();
      const bias = this.bias.read();
      const WQ = this.WQ.read();
      // keys once per sequence: [B, m, A]
      const keys = tf.reshape(tf.matMul(tf.reshape(enc, [B * m, H]), this.WK.read()), [B, m, A]);
      let h = h0;
      let c = c0;
      const outs = [];
      const xs = tf.unstack(emb, 1);
      for (let t = 0; t < T; t++) {
        const q = tf.matMul(h, WQ); // [B, A]
        const scores = tf.matMul(keys, tf.reshape(q, [B, A, 1])); // [B, m, 1]
        const alpha = tf.softmax(tf.reshape(scores, [B, m])); // [B, m]
        const ctx = tf.reshape(tf.matMul(tf.reshape(alpha, [B, 1, m]), enc), [B, H]); // [B, H]
        const z = tf.add(tf.add(tf.matMul(tf.concat([xs[t], ctx], 1), Wih), tf.matMul(h, Whh)), bias);
        const [zi, zf, zg, zo] = tf.split(z, 4, 1);
        const i = tf.sigmoid(zi);
        const f = tf.sigmoid(zf);
        const g = tf.tanh(zg);
        const o = tf.sigmoid(zo);
        c = tf.add(tf.mul(f, c), tf.mul(i, g));
        h = tf.mul(o, tf.tanh(c));
        outs.push(tf.concat([h, ctx], 1));
      }
      return tf.stack(outs, 1); // [B, T, 2H]
    });
  }
  getConfig() {
    return { ...super.getConfig(), units: this.units, attentionSize: this.attn };
  }
}
tf.serialization.registerClass(AttnLSTMDecoder);

export function buildModelA(cfg = MODELS.A) {
  const { embed: E, hidden: H, attentionSize: A, srcVocabSize: Vs, tgtVocabSize: Vt, m, n } = cfg;
  const src = tf.input({ shape: [m], dtype: 'int32', name: 'src' });
  const tgtIn = tf.input({ shape: [n], dtype: 'int32', name: 'tgt_in' });
  const encEmb = tf.layers.embedding({ inputDim: Vs, outputDim: E, name: 'enc_embed' }).apply(src);
  const [encOut, h, c] = tf.layers.lstm({ units: H, returnSequences: true, returnState: true,
    recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'encoder' }).apply(encEmb);
  const decEmb = tf.layers.embedding({ inputDim: Vt, outputDim: E, name: 'dec_embed' }).apply(tgtIn);
  const dec = new AttnLSTMDecoder({ units: H, attentionSize: A, name: 'decoder' }).apply([decEmb, encOut, h, c]);
  const probs = tf.layers.dense({ units: Vt, activation: 'softmax', name: 'out' }).apply(dec);
  const model = tf.model({ inputs: [src, tgtIn], outputs: probs });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

// For reference: the architecture of TensorFlow.js's own date-conversion-attention example, from
// standard layers (Luong style without input feeding: the decoder LSTM reads only the embeddings,
// attention over all decoder steps at once, then a tanh dense layer and the softmax output).
// Not the same computation as docs/design.md's decoder, so it is reported apart ("architecture":
// "tfjs-example"), as a check that the custom decoder layer above is not what makes TF.js slow.
export function buildModelAExample(cfg = MODELS.A) {
  const { embed: E, hidden: H, srcVocabSize: Vs, tgtVocabSize: Vt, m, n } = cfg;
  const src = tf.input({ shape: [m], dtype: 'int32' });
  const tgtIn = tf.input({ shape: [n], dtype: 'int32' });
  const encEmb = tf.layers.embedding({ inputDim: Vs, outputDim: E }).apply(src);
  const enc = tf.layers.lstm({ units: H, returnSequences: true, recurrentInitializer: 'glorotUniform' }).apply(encEmb);
  const decEmb = tf.layers.embedding({ inputDim: Vt, outputDim: E }).apply(tgtIn);
  // the decoder starts from a zero state: tfjs-layers 4.22 rejects an LSTM given initialState when
  // this graph is executed for training; the state is an input, the work per step is the same
  const dec = tf.layers.lstm({ units: H, returnSequences: true, recurrentInitializer: 'glorotUniform' }).apply(decEmb);
  const scores = tf.layers.dot({ axes: [2, 2] }).apply([dec, enc]); // [B, n, m]
  const alpha = tf.layers.activation({ activation: 'softmax' }).apply(scores);
  const ctx = tf.layers.dot({ axes: [2, 1] }).apply([alpha, enc]); // [B, n, H]
  const both = tf.layers.concatenate().apply([ctx, dec]);
  const hid = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: H, activation: 'tanh' }) }).apply(both);
  const probs = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: Vt, activation: 'softmax' }) }).apply(hid);
  const model = tf.model({ inputs: [src, tgtIn], outputs: probs });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

// Plain-JS UnsortedSegmentSum for the wasm backend (absent from tfjs-backend-wasm 4.22).
// out[s, :] = sum over i with segmentIds[i] == s of x[i, :]; ids outside [0, numSegments) dropped.
let jsKernelRegistered = false;
function registerUnsortedSegmentSumWasm() {
  if (jsKernelRegistered) return true;
  const existing = tf.getKernel('UnsortedSegmentSum', 'wasm');
  if (existing) return false; // a later tfjs that has it: use its own
  jsKernelRegistered = true;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs;
      const { numSegments } = attrs;
      const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      const out = backend.makeOutput(outShape, x.dtype);
      const xv = backend.typedArrayFromHeap(x);
      const ids = backend.typedArrayFromHeap(segmentIds);
      const ov = backend.typedArrayFromHeap(out);
      ov.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        const o = s * inner;
        const xo = i * inner;
        for (let k = 0; k < inner; k++) ov[o + k] += xv[xo + k];
      }
      return out;
    },
  });
  return true;
}

export async function setBackend(name) {
  if (name === 'wasm') {
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';
    // One thread: the C core is single-threaded, and the machines have 2 shared cores.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(dir);
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs backend ${name} did not start`);
  const info = { backend: name };
  if (name === 'wasm') {
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.threads = false;
    info.jsKernels = registerUnsortedSegmentSumWasm() ? ['UnsortedSegmentSum'] : [];
  }
  return info;
}

export async function benchTfjsA(backendName, { quick = false, example = false } = {}) {
  const info = await setBackend(backendName);
  const cfg = MODELS.A;
  const model = example ? buildModelAExample(cfg) : buildModelA(cfg);
  const b = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 7 });
  const xs = [tf.tensor2d(b.src, [cfg.B, cfg.m], 'int32'), tf.tensor2d(b.tgtIn, [cfg.B, cfg.n], 'int32')];
  const ys = tf.tensor3d(Float32Array.from(b.tgtOut), [cfg.B, cfg.n, 1]);
  let firstLoss = NaN;
  let lastLoss = NaN;
  const step = async () => {
    const l = await model.trainOnBatch(xs, ys);
    lastLoss = Array.isArray(l) ? l[0] : l;
    if (Number.isNaN(firstLoss)) firstLoss = lastLoss;
  };
  const slow = backendName === 'cpu';
  const t = await timeCalls(step, { warmup: quick ? (slow ? 1 : 2) : 4, reps: quick ? (slow ? 1 : 5) : (slow ? 5 : 15) });
  const tensorsAfter = tf.memory().numTensors;
  xs.forEach((x) => x.dispose());
  ys.dispose();
  model.dispose();
  return {
    bench: 'train', impl: `tfjs-${backendName}${example ? '-example' : ''}`, model: 'A', ...info, tfjsVersion: tf.version.tfjs,
    architecture: example ? 'tfjs-example (Luong, no input feeding, + tanh dense; decoder from zero state)' : 'docs/design.md decoder (custom layer)',
    batch: cfg.B, srcLength: cfg.m, tgtLength: cfg.n,
    msPerStep: +t.median.toFixed(3), minMs: +t.min.toFixed(3), cpuMsPerStep: +t.cpuMedian.toFixed(3), reps: t.reps,
    examplesPerSec: +(cfg.B / t.median * 1000).toFixed(1),
    tgtTokensPerSec: +(cfg.B * cfg.n / t.median * 1000).toFixed(1),
    lossFirst: +firstLoss.toFixed(4), lossLast: +lastLoss.toFixed(4), tensorsAfter,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  const i = a.list.indexOf('--backend');
  const backends = i >= 0 ? [a.list[i + 1]] : ['wasm', 'cpu'];
  for (const be of backends) {
    try {
      emit(await benchTfjsA(be, a));
    } catch (e) {
      emit({ bench: 'train', impl: `tfjs-${be}`, model: 'A', error: String(e && e.stack || e) });
    }
    if (be === 'wasm' && !a.list.includes('--no-example')) {
      try {
        emit(await benchTfjsA(be, { ...a, example: true }));
      } catch (e) {
        emit({ bench: 'train', impl: `tfjs-${be}-example`, model: 'A', error: String(e && e.stack || e) });
      }
    }
  }
}
