// Where the time goes (issue 5: "which kernel, what fraction of time"): V8's CPU profile of
// training steps and of greedy/beam decoding on a copy of the SIMD wasm built with function names
// (`make bench` -> bench/build/prof). One JSON line per model and activity, with the share of
// samples per C function (self time). Only the steady state is profiled (node:inspector, started
// after a warm-up): the first step's workspace allocation (a calloc of the activations) and V8's
// tier-up happen before it, so they no longer show up as memset and baseline-compiled code.
// Usage: node bench/profile.js [--quick] [--models A,B,C]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import inspector from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { args, emit, syntheticBatch } from './common.js';
import { FLOP_MODELS as MODELS } from './flops.js'; // A, B, C and the dates task's default shape
import { createRandom } from '../lib/random.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const prof = path.join(here, 'build', 'prof');

async function worker(name, what, n, out) {
  const { Seq2Seq } = await import(path.join(prof, 'lib', 'core.js'));
  const cfg = MODELS[name];
  const { cell, attention, scale, embed, hidden, attentionSize, srcVocabSize, tgtVocabSize } = cfg;
  const model = await Seq2Seq.create({ cell, attention, scale, embed, hidden, attentionSize, srcVocabSize, tgtVocabSize, seed: 1, backend: 'simd' });
  let call;
  if (what === 'train') {
    const b = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: srcVocabSize, tgtVocab: tgtVocabSize });
    call = () => model.trainStep(b, { learningRate: 1e-3, clipNorm: 5 });
  } else {
    const p = model.getParameter('out.bias');
    p.data[2] = -30;
    model.setParameter('out.bias', p.data);
    const r = createRandom(3).next;
    const src = Int32Array.from({ length: cfg.m }, () => 4 + Math.floor(r() * (srcVocabSize - 4)));
    const beam = what === 'beam5' ? 5 : 1;
    call = () => model.translateTokens(src, { beam, maxLength: cfg.n });
  }
  // warm-up outside the profile: workspace allocation, V8 tiering up the wasm
  for (let i = 0, warm = Math.max(2, Math.ceil(n / 5)); i < warm; i++) call();
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 250 }); // microseconds
  await post('Profiler.start');
  for (let i = 0; i < n; i++) call();
  const { profile } = await post('Profiler.stop');
  session.disconnect();
  fs.writeFileSync(out, JSON.stringify(profile));
  model.dispose();
}

function shares(file) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(p.nodes.map((x) => [x.id, x]));
  const t = new Map();
  let total = 0;
  p.samples.forEach((s, i) => {
    const d = p.timeDeltas[i] || 0;
    const fn = nodes.get(s).callFrame.functionName || '(anonymous)';
    t.set(fn, (t.get(fn) || 0) + d);
    total += d;
  });
  // dispatch: the inspector's own message handling (starting and stopping the profile)
  const top = [...t.entries()].filter(([k]) => !['(idle)', '(program)', '(garbage collector)', '(root)', 'dispatch'].includes(k))
    .sort((a, b) => b[1] - a[1]);
  const busy = top.reduce((s, [, v]) => s + v, 0);
  return { busyMs: +(busy / 1e3).toFixed(1), top: top.slice(0, 10).map(([k, v]) => ({ fn: k, share: +(v / busy).toFixed(4) })) };
}

if (process.argv.includes('--worker')) {
  const [, , , name, what, n, out] = process.argv;
  await worker(name, what, +n, out);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  const mi = a.list.indexOf('--models');
  const names = mi >= 0 ? a.list[mi + 1].split(',') : ['A', 'B', 'C', 'dates'];
  if (!fs.existsSync(path.join(prof, 'build', 'wasm', 's2s-simd.wasm'))) {
    emit({ bench: 'profile', error: 'bench/build/prof missing: run make bench (needs emcc)' });
    process.exit(0);
  }
  for (const name of names) {
    for (const what of ['train', 'greedy', 'beam5']) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's2s-prof-'));
      const n = what === 'train' ? (name === 'C' ? (a.quick ? 3 : 6) : (a.quick ? 20 : 60)) : (name === 'C' ? 100 : 1000);
      const file = path.join(dir, 'steady.cpuprofile');
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--worker', name, what, String(n), file], { encoding: 'utf8' });
      if (r.status !== 0 || !fs.existsSync(file)) emit({ bench: 'profile', model: name, what, error: (r.stderr || '').split('\n').slice(-5).join(' ') });
      else emit({ bench: 'profile', impl: 'wasm-simd', model: name, what, calls: n, ...shares(file) });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
