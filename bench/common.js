// Shared helpers for the benchmark parts: timing, medians, JSON-line output, data.
import os from 'node:os';
import { createRandom } from '../lib/random.js';

export const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

// Time fn() `reps` times after `warmup` calls; returns { median, min, max, reps, cpuMedian } in ms.
// Each call is timed separately so V8 can tier up between calls (see TOOLCHAIN.md). cpuMedian is
// the median of the process's CPU time (user + system) per call: on a shared machine it is less
// disturbed than wall time by other processes taking the core.
export async function timeCalls(fn, { warmup = 3, reps = 7, minMs = 0 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const ts = [];
  const cs = [];
  const start = now();
  while (ts.length < reps || now() - start < minMs) {
    const c0 = process.cpuUsage();
    const t0 = now();
    await fn();
    ts.push(now() - t0);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / 1e3);
    if (ts.length > 10000) break;
  }
  return { median: median(ts), min: Math.min(...ts), max: Math.max(...ts), reps: ts.length, cpuMedian: median(cs) };
}

// Synchronous version for tight kernels: time `inner` calls of fn per sample.
export function timeSync(fn, { warmup = 5, reps = 9, inner = 1 } = {}) {
  for (let i = 0; i < warmup; i++) for (let j = 0; j < inner; j++) fn();
  const ts = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    for (let j = 0; j < inner; j++) fn();
    ts.push((now() - t0) / inner);
  }
  return { median: median(ts), min: Math.min(...ts), max: Math.max(...ts), reps };
}

// One JSON object per line on stdout: the only output format the runner reads.
export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

export function note(msg) {
  process.stderr.write(msg + '\n');
}

/** The command line: quick (--quick), list (every argument), opt(name, fallback): the value after --name. */
export function args() {
  const a = process.argv.slice(2);
  const opt = (name, fallback) => { const i = a.indexOf(`--${name}`); return i >= 0 ? a[i + 1] : fallback; };
  return { quick: a.includes('--quick'), list: a, opt };
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    load: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

// A synthetic teacher-forced batch in the low-level contract's layout: every source row full
// length m (no PAD), every target row n tokens ending in EOS. Token ids from 4 to vocab-1.
export function syntheticBatch({ B, m, n, srcVocab, tgtVocab, seed = 1 }) {
  const r = createRandom(seed).next;
  const src = new Int32Array(B * m);
  const srcLengths = new Int32Array(B).fill(m);
  const tgtIn = new Int32Array(B * n);
  const tgtOut = new Int32Array(B * n);
  for (let i = 0; i < B * m; i++) src[i] = 4 + Math.floor(r() * (srcVocab - 4));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < n; t++) {
      tgtOut[b * n + t] = t === n - 1 ? 2 : 4 + Math.floor(r() * (tgtVocab - 4));
      tgtIn[b * n + t] = t === 0 ? 1 : tgtOut[b * n + t - 1];
    }
  }
  return { src, srcLengths, tgtIn, tgtOut, batchSize: B, srcLength: m, tgtLength: n };
}

// The three model shapes of issue 5: the one place they are defined (bench/native.c gets them on
// its command line through nativeModelArg).
export const MODELS = {
  A: { cell: 'lstm', attention: 'dot', scale: false, embed: 64, hidden: 64, attentionSize: 64,
       srcVocabSize: 53, tgtVocabSize: 13, m: 18, n: 10, B: 128 },
  B: { cell: 'gru', attention: 'additive', scale: true, embed: 32, hidden: 64, attentionSize: 64,
       srcVocabSize: 40, tgtVocabSize: 14, m: 16, n: 10, B: 64 },
  C: { cell: 'gru', attention: 'additive', scale: true, embed: 64, hidden: 256, attentionSize: 256,
       srcVocabSize: 60, tgtVocabSize: 60, m: 30, n: 30, B: 64 },
};

// MODELS[name] as bench/native.c reads it: name:cell:attention:scale:E:H:A:Vs:Vt:m:n:B
export function nativeModelArg(name) {
  const c = MODELS[name];
  return [name, c.cell, c.attention, c.scale ? 1 : 0, c.embed, c.hidden, c.attentionSize,
    c.srcVocabSize, c.tgtVocabSize, c.m, c.n, c.B].join(':');
}
