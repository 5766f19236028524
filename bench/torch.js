// Issue 14, item 5: PyTorch eager on one CPU thread (bench/torch_train.py: Debian's python3-torch,
// OpenBLAS selected through LD_LIBRARY_PATH for this command only, TOOLCHAIN.md) trains models A,
// B and C with the same shapes, decoder, clipping and Adam step as Seq2Seq.trainStep. Paired
// rounds in one run: the Python process stays up, and each round times k PyTorch steps then k
// wasm steps (SIMD, and FMA where this Node runs relaxed SIMD); the ratio PyTorch time / wasm
// time per round (CPU time of each process), median and quartiles over rounds.
// Interpreter: $PYTHON, else python3, else /usr/bin/python3, the first that imports torch.
// --torch-isa native,avx2,avx512 runs one PyTorch process per ISA, all in the same paired rounds:
// native lets OpenBLAS and ATen pick their defaults (OpenBLAS: AVX-512 kernels on a CPU that has
// it; Debian's torch 1.13 ATen: AVX2); avx2 sets OPENBLAS_CORETYPE=Haswell and
// ATEN_CPU_CAPABILITY=avx2, avx512 ATEN_CPU_CAPABILITY=avx512 (TORCH_ISAS), and the run fails
// unless the child reports that OpenBLAS's core and ATen's capability are the ones asked for.
// Usage: node [--experimental-wasm-relaxed-simd] bench/torch.js [--quick] [--models A,B,C]
//          [--torch-isa native,avx2,avx512]
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
const SGEMM_N = 1024;
const cpuMs = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e3; };
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]; };

export function findPython() {
  for (const py of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean)) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

// the environment of each PyTorch ISA and the OpenBLAS kernel it must then report (null: any)
export const TORCH_ISAS = {
  native: { env: {}, core: null },
  avx2: { env: { OPENBLAS_CORETYPE: 'Haswell', ATEN_CPU_CAPABILITY: 'avx2' }, core: 'Haswell', aten: 'AVX2' },
  // ATen's own kernels at 512 bits too (Debian's torch 1.13 picks AVX2 for them unless asked)
  avx512: { env: { ATEN_CPU_CAPABILITY: 'avx512' }, core: null, aten: 'AVX512' },
};

function startTorch(python, cfg, isa = 'native') {
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  for (const k of ['OPENBLAS_CORETYPE', 'ATEN_CPU_CAPABILITY']) delete env[k];
  Object.assign(env, TORCH_ISAS[isa].env);
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

export async function versusTorch(Seq2Seq, python, name, { quick = false, builds = ['simd'], isas = ['native'] } = {}) {
  const cfg = MODELS[name];
  const torches = {}, infos = {};
  for (const isa of isas) torches[isa] = startTorch(python, cfg, isa);
  const models = {};
  for (const b of builds) models[b] = await Seq2Seq.create(modelOptions(cfg, b));
  try {
    for (const isa of isas) {
      const info = infos[isa] = await torches[isa].ask(cfg);
      const want = TORCH_ISAS[isa].core;
      if (want && info.openblasCore !== want)
        throw new Error(`--torch-isa ${isa}: OpenBLAS reports core ${info.openblasCore}, not ${want} (OPENBLAS_CORETYPE did not take effect)`);
      const aten = TORCH_ISAS[isa].aten;
      if (aten && info.atenCapability !== aten)
        throw new Error(`--torch-isa ${isa}: ATen reports CPU capability ${info.atenCapability}, not ${aten} (ATEN_CPU_CAPABILITY did not take effect)`);
    }
    const batch = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 7 });
    const big = cfg.hidden >= 256;
    const k = big ? 2 : 5;
    for (const isa of isas) await torches[isa].ask({ steps: big ? 2 : 5 }); // warm-up
    for (const b of builds) for (let i = 0; i < (big ? 3 : 10); i++) models[b].trainStep(batch, { learningRate: 1e-3, clipNorm: 5 });
    const rounds = quick ? 3 : big ? 5 : 9;
    const per = (f) => Object.fromEntries(isas.map((i) => [i, f(i)]));
    const torchMs = per(() => []), loss = per(() => NaN), vsNative = per(() => []), sgemm = per(() => []), sgemmVs = per(() => []);
    const wasmMs = Object.fromEntries(builds.map((b) => [b, []]));
    const ratios = per(() => Object.fromEntries(builds.map((b) => [b, []])));
    for (let r = 0; r < rounds; r++) {
      const tm = {}, gf = {};
      for (const isa of isas) {
        // one 1024^3 product per ISA per round (median of 3): the BLAS kernel's own rate, paired
        gf[isa] = 2 * SGEMM_N ** 3 / median((await torches[isa].ask({ sgemm: SGEMM_N, reps: 3 })).cpuMs) / 1e6;
        sgemm[isa].push(gf[isa]);
        sgemmVs[isa].push(gf[isa] / gf[isas[0]]);
        const t = await torches[isa].ask({ steps: k });
        loss[isa] = t.loss;
        tm[isa] = median(t.cpuMs);
        torchMs[isa].push(tm[isa]);
        vsNative[isa].push(tm[isa] / tm[isas[0]]);
      }
      for (const b of builds) {
        const ms = [];
        for (let i = 0; i < k; i++) ms.push(cpuMs(() => models[b].trainStep(batch, { learningRate: 1e-3, clipNorm: 5 })));
        wasmMs[b].push(median(ms));
        for (const isa of isas) ratios[isa][b].push(tm[isa] / median(ms));
      }
    }
    return isas.flatMap((isa) => builds.map((b) => {
      const info = infos[isa];
      return { bench: 'torch', impl: `wasm-${b}`, model: name, batch: cfg.B, rounds, torchIsa: isa,
        torchCpuMs: +median(torchMs[isa]).toFixed(2), wasmCpuMs: +median(wasmMs[b]).toFixed(2),
        ratio: +median(ratios[isa][b]).toFixed(3), ratioQ1: +quantile(ratios[isa][b], 0.25).toFixed(3), ratioQ3: +quantile(ratios[isa][b], 0.75).toFixed(3),
        ...(isa !== isas[0] ? { [`torchTimeOver_${isas[0]}`]: +median(vsNative[isa]).toFixed(3) } : {}),
        sgemmGflops: +median(sgemm[isa]).toFixed(1),
        ...(isa !== isas[0] ? { [`sgemmOver_${isas[0]}`]: +median(sgemmVs[isa]).toFixed(3) } : {}),
        torchLoss: +loss[isa].toFixed(4), torch: info.torch, threads: info.threads, blasBuild: info.blasBuild, blasLoaded: info.blasLoaded,
        openblasCore: info.openblasCore, atenCapability: info.atenCapability, python: info.python };
    }));
  } finally {
    for (const t of Object.values(torches)) t.close();
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
    const ii = a.list.indexOf('--torch-isa');
    const isas = ii >= 0 ? a.list[ii + 1].split(',') : ['native'];
    for (const isa of isas) if (!TORCH_ISAS[isa]) throw new Error(`--torch-isa: unknown ISA ${isa} (one of ${Object.keys(TORCH_ISAS).join(', ')})`);
    for (const name of names) {
      try { for (const r of await versusTorch(Seq2Seq, python, name, { ...a, builds, isas })) emit(r); } catch (e) {
        emit({ bench: 'torch', model: name, error: String(e && e.stack || e) });
      }
    }
  }
}
