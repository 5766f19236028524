// Decoding latency for one input (issue 5 item 4): Seq2Seq.translateTokens, greedy and beam 5,
// per model and backend. The untrained model's EOS is suppressed (out.bias) so every call decodes
// exactly maxLength = target length steps, like a trained model producing an output that long.
// Usage: node bench/decode.js [--quick]
import { args, emit, median, now } from './common.js';
import { FLOP_MODELS as MODELS } from './flops.js'; // A, B, C and the dates task's default shape
import { loadSeq2Seq, modelOptions, suppressEos } from './core-loader.js';
import { createRandom } from '../lib/random.js';

export async function decodeLatency(Seq2Seq, name, backend, beam, { quick = false } = {}) {
  const cfg = MODELS[name];
  const model = await Seq2Seq.create(modelOptions(cfg, backend));
  try {
    suppressEos(model);
    const r = createRandom(3).next;
    const src = Int32Array.from({ length: cfg.m }, () => 4 + Math.floor(r() * (cfg.srcVocabSize - 4)));
    const opts = { beam, maxLength: cfg.n };
    let out = null;
    // warm-up: at least 10 calls and 100 ms (quick) / 30 calls and 300 ms
    const warm0 = now();
    for (let i = 0; i < (quick ? 10 : 30) || now() - warm0 < (quick ? 100 : 300); i++) out = model.translateTokens(src, opts);
    // enough calls for ~0.3 s (quick) / 1 s, at least 10 / 20
    const t0 = now();
    model.translateTokens(src, opts);
    const one = Math.max(now() - t0, 1e-3);
    const calls = Math.max(quick ? 10 : 20, Math.min(5000, Math.round((quick ? 300 : 1000) / one)));
    const ts = [];
    const c0 = process.cpuUsage();
    const w0 = now();
    for (let i = 0; i < calls; i++) {
      const t = now();
      out = model.translateTokens(src, opts);
      ts.push(now() - t);
    }
    const c = process.cpuUsage(c0);
    const wall = now() - w0;
    // cpuMsPerCall: mean CPU time per call over the whole timed loop (per-call CPU readings are too
    // coarse at this size); busyFraction = CPU / wall over that loop (1 = the core was ours)
    return { bench: 'decode', impl: `wasm-${model.backend}`, model: name, beam, srcLength: cfg.m,
             steps: out.tokens.length, msPerCall: +median(ts).toFixed(4), cpuMsPerCall: +((c.user + c.system) / 1e3 / calls).toFixed(4),
             busyFraction: +((c.user + c.system) / 1e3 / wall).toFixed(3), calls };
  } finally {
    model.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  let Seq2Seq;
  try { Seq2Seq = await loadSeq2Seq(); } catch (e) { emit({ bench: 'decode', error: e.message }); process.exit(0); }
  for (const name of ['A', 'B', 'C', 'dates']) {
    for (const backend of ['simd', 'scalar']) {
      for (const beam of [1, 5]) {
        try { emit(await decodeLatency(Seq2Seq, name, backend, beam, a)); } catch (e) {
          emit({ bench: 'decode', impl: `wasm-${backend}`, model: name, beam, error: String(e && e.stack || e) });
        }
      }
    }
  }
}
