// Peak f32 mul+add GFLOP/s of one core: wasm SIMD and scalar builds of bench/peak.c (run here,
// in V8's optimizing tier after warm-up), and the native builds (run as child processes).
// Usage: node bench/peak.js [--quick]
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { instantiateStandalone } from './wasm-loader.js';
import { args, emit, median, now } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = path.join(here, 'build');

export async function wasmPeak(kind, { quick = false } = {}) {
  const ex = await instantiateStandalone(path.join(build, `peak-${kind}.wasm`));
  const lanes = ex.peak_lanes();
  // ~5 ms per call; many calls so V8 tiers the function up before timing.
  let iters = 20000;
  for (let t = 0; t < 20; t++) {
    const t0 = now();
    ex.peak_run(iters);
    const dt = now() - t0;
    if (dt > 4) break;
    iters *= 2;
  }
  for (let w = 0; w < (quick ? 10 : 30); w++) ex.peak_run(iters);
  const g = [];
  const w = [];
  for (let r = 0; r < (quick ? 9 : 21); r++) {
    const c0 = process.cpuUsage();
    const t0 = now();
    ex.peak_run(iters);
    const dt = (now() - t0) / 1e3;
    const c = process.cpuUsage(c0);
    g.push((iters * 12 * lanes * 2) / ((c.user + c.system) / 1e6) / 1e9);
    w.push((iters * 12 * lanes * 2) / dt / 1e9);
  }
  // gflops from CPU time (robust to other processes taking the core), wallGflops from wall time
  return { bench: 'peak', impl: `wasm-${kind}`, lanes, gflops: +median(g).toFixed(2), bestGflops: +Math.max(...g).toFixed(2),
           wallGflops: +median(w).toFixed(2), reps: g.length };
}

export function nativePeak(kind, { quick = false } = {}) {
  const out = execFileSync(path.join(build, `peak-${kind}`), [`native-${kind}`, quick ? '9' : '21'], { encoding: 'utf8' });
  return JSON.parse(out.trim());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  for (const k of ['simd', 'scalar']) {
    try { emit(await wasmPeak(k, a)); } catch (e) { emit({ bench: 'peak', impl: `wasm-${k}`, error: String(e) }); }
  }
  for (const k of ['sse', 'march']) {
    try { emit(nativePeak(k, a)); } catch (e) { emit({ bench: 'peak', impl: `native-${k}`, error: String(e) }); }
  }
}
