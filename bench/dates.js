// Time to accuracy (issue 5 item 7): wall time and training examples for the dates task to reach
// >= 99 % exact match on 1000 held-out dates (greedy), in Node, with the library's default
// settings (Translator.create defaults; train defaults: batch 64, learning rate 3e-3, constant).
// The held-out set is evaluated every `every` steps inside train(); the wall time includes those
// evaluations (the time of one is reported too), so it is an upper bound on training alone.
// Usage: node bench/dates.js [--quick] [--max-seconds S]
import path from 'node:path';
import { args, emit, now } from './common.js';
import { root } from './core-loader.js';

export async function timeToAccuracy({ quick = false, maxSeconds = quick ? 60 : 240, target = 0.99, every = 100 } = {}) {
  const { Translator, tasks } = await import(path.join(root, 'lib', 'index.js'));
  const data = tasks.dates({ seed: 1, trainSize: 10000, testSize: 1000 });
  const t0 = now();
  const model = await Translator.create({ pairs: data.train });
  const createMs = now() - t0;
  const ctrl = new AbortController();
  let reached = null;
  const evals = [];
  const started = now();
  const cpu0 = process.cpuUsage();
  const cpuSeconds = () => { const c = process.cpuUsage(cpu0); return +((c.user + c.system) / 1e6).toFixed(2); };
  try {
    const report = await model.train(data.train, {
      epochs: 1000,
      evaluate: { pairs: data.test, every },
      signal: ctrl.signal,
      onProgress: (p) => {
        if (p.eval) {
          evals.push({ step: p.step, exactMatch: p.eval.exactMatch, elapsedMs: Math.round(p.elapsedMs) });
          if (!reached && p.eval.exactMatch >= target) {
            reached = { step: p.step, examples: p.step * 64, wallSeconds: +((now() - started) / 1e3).toFixed(2), cpuSeconds: cpuSeconds(), exactMatch: p.eval.exactMatch };
            ctrl.abort();
          }
        }
        if ((now() - started) / 1e3 > maxSeconds) ctrl.abort();
      },
    });
    const e0 = now();
    const final = model.evaluate(data.test, { beam: 1 });
    const evalMs = now() - e0;
    // latency of one real date, trained model, greedy and beam 5, through the friendly API
    const lat = {};
    for (const beam of [1, 5]) {
      const text = data.test[0][0];
      for (let i = 0; i < 50; i++) model.translate(text, { beam });
      const ts = [];
      for (let i = 0; i < 300; i++) { const s = now(); model.translate(text, { beam }); ts.push(now() - s); }
      ts.sort((a, b) => a - b);
      lat[`beam${beam}Ms`] = +ts[ts.length >> 1].toFixed(4);
    }
    return {
      bench: 'dates', impl: `wasm-${model.backend}`, target, reached: !!reached, ...(reached || {}),
      stepsRun: report.steps, secondsRun: +((now() - started) / 1e3).toFixed(2), maxSeconds,
      finalExactMatch: final.exactMatch, evalEvery: every, oneEvalMs: +evalMs.toFixed(1), createMs: +createMs.toFixed(1),
      translateOneDate: lat, history: evals,
    };
  } finally {
    model.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  const i = a.list.indexOf('--max-seconds');
  const opts = { quick: a.quick };
  if (i >= 0) opts.maxSeconds = +a.list[i + 1];
  try { emit(await timeToAccuracy(opts)); } catch (e) { emit({ bench: 'dates', error: String(e && e.stack || e) }); }
}
