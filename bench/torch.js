// Issue 14, item 5: PyTorch eager on one CPU thread (bench/torch_train.py: Debian's python3-torch,
// OpenBLAS selected through LD_LIBRARY_PATH for this command only, TOOLCHAIN.md) trains models A,
// B and C with the same shapes, decoder, clipping and Adam step as Seq2Seq.trainStep. Paired
// rounds in one run: the Python process stays up, and each round times k PyTorch steps then k
// wasm steps (SIMD, and FMA where this Node runs relaxed SIMD); the ratio PyTorch time / wasm
// time per round (CPU time of each process), median and quartiles over rounds.
// Interpreter: $PYTHON, else python3, else /usr/bin/python3, the first that imports torch.
// Usage: node [--experimental-wasm-relaxed-simd] bench/torch.js [--quick] [--models A,B,C]
import path from 'node:path';
import fs from 'node:fs';
import readline from 'node:readline';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MODELS, args, emit, median, syntheticBatch } from './common.js';
import { loadSeq2Seq, modelOptions } from './core-loader.js';
import { fmaSupported } from '../lib/wasm.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
const cpuMs = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e3; };
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]; };

export function findPython() {
  for (const py of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean)) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

function startTorch(python, cfg) {
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  if (fs.existsSync(OPENBLAS)) env.LD_LIBRARY_PATH = [OPENBLAS, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const child = spawn(python, [path.join(here, 'torch_train.py')], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  let exited = null;
  lines.on('line', (l) => (waiting.length ? waiting.shift().resolve(l) : queue.push(l)));
  child.on('exit', (code) => {
    exited = new Error(`torch_train.py exited with ${code}`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const next = () => new Promise((resolve, reject) => {
    if (queue.length) return resolve(JSON.parse(queue.shift()));
    if (exited) return reject(exited);
    waiting.push({ resolve: (l) => resolve(JSON.parse(l)), reject });
  });
  const ask = (obj) => { child.stdin.write(JSON.stringify(obj) + '\n'); return next(); };
  return { ask, next, close: () => { child.stdin.end('\n'); } };
}

export async function versusTorch(Seq2Seq, python, name, { quick = false, builds = ['simd'] } = {}) {
  const cfg = MODELS[name];
  const torch = startTorch(python, cfg);
  const info = await torch.ask(cfg);
  const models = {};
  for (const b of builds) models[b] = await Seq2Seq.create(modelOptions(cfg, b));
  try {
    const batch = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 7 });
    const big = cfg.hidden >= 256;
    const k = big ? 2 : 5;
    await torch.ask({ steps: big ? 2 : 5 }); // warm-up
    for (const b of builds) for (let i = 0; i < (big ? 3 : 10); i++) models[b].trainStep(batch, { learningRate: 1e-3, clipNorm: 5 });
    const rounds = quick ? 3 : big ? 5 : 9;
    const torchMs = [], wasmMs = Object.fromEntries(builds.map((b) => [b, []])), ratios = Object.fromEntries(builds.map((b) => [b, []]));
    let loss = NaN;
    for (let r = 0; r < rounds; r++) {
      const t = await torch.ask({ steps: k });
      loss = t.loss;
      const tm = median(t.cpuMs);
      torchMs.push(tm);
      for (const b of builds) {
        const ms = [];
        for (let i = 0; i < k; i++) ms.push(cpuMs(() => models[b].trainStep(batch, { learningRate: 1e-3, clipNorm: 5 })));
        wasmMs[b].push(median(ms));
        ratios[b].push(tm / median(ms));
      }
    }
    return builds.map((b) => ({ bench: 'torch', impl: `wasm-${b}`, model: name, batch: cfg.B, rounds,
      torchCpuMs: +median(torchMs).toFixed(2), wasmCpuMs: +median(wasmMs[b]).toFixed(2),
      ratio: +median(ratios[b]).toFixed(3), ratioQ1: +quantile(ratios[b], 0.25).toFixed(3), ratioQ3: +quantile(ratios[b], 0.75).toFixed(3),
      torchLoss: +loss.toFixed(4), torch: info.torch, threads: info.threads, blasBuild: info.blasBuild, blasLoaded: info.blasLoaded, python: info.python }));
  } finally {
    torch.close();
    for (const m of Object.values(models)) m.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  const mi = a.list.indexOf('--models');
  const names = mi >= 0 ? a.list[mi + 1].split(',') : ['A', 'B', 'C'];
  const python = findPython();
  if (!python) {
    emit({ bench: 'torch', skipped: 'no Python with torch ($PYTHON, python3, /usr/bin/python3): apt-get install python3-torch libopenblas0-openmp' });
  } else {
    const Seq2Seq = await loadSeq2Seq();
    const builds = fmaSupported() ? ['simd', 'fma'] : ['simd'];
    for (const name of names) {
      try { for (const r of await versusTorch(Seq2Seq, python, name, { ...a, builds })) emit(r); } catch (e) {
        emit({ bench: 'torch', model: name, error: String(e && e.stack || e) });
      }
    }
  }
}
