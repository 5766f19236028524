// Kernel GFLOP/s (issue 5 item 1): the kernels of c_src/kernels.c at the sizes the models use,
// in wasm SIMD (the _simd kernels from an -msimd128 build), wasm scalar (the _scalar kernels from
// the build without SIMD, as the product's scalar wasm), and native (gcc -O3 SSE2 and
// -O3 -march=native, both variants). Each wasm case is called repeatedly: calibrate to ~2 ms per
// call, warm up so V8 moves the code to its optimizing tier, then the median of timed calls.
// Usage: node bench/kernels.js [--quick]
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { instantiateStandalone } from './wasm-loader.js';
import { args, emit, median, now } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = path.join(here, 'build');

function cstr(ex, ptr) {
  const u8 = new Uint8Array(ex.memory.buffer);
  let end = ptr;
  while (u8[end]) end++;
  return new TextDecoder().decode(u8.subarray(ptr, end));
}

export async function wasmKernels(kind, { quick = false } = {}) {
  const ex = await instantiateStandalone(path.join(build, `kernels-${kind}.wasm`));
  const variant = kind === 'simd' ? 1 : 0;
  if (variant && !ex.kb_has_simd()) throw new Error('SIMD build without SIMD kernels');
  const out = [];
  const n = ex.kb_cases();
  for (let i = 0; i < n; i++) {
    if (ex.kb_setup(i) !== 0) throw new Error(`kb_setup(${i}) failed`);
    const info = JSON.parse(cstr(ex, ex.kb_case_json(i)));
    const flops = ex.kb_flops(i);
    // warm-up: at least 10 calls and 30 ms (quick) / 100 ms, so V8 has moved the code to its
    // optimizing tier; then calibrate to ~1-2 ms per call and time 7 (quick) / 15 calls
    const warmMs = quick ? 30 : 100;
    const w0 = now();
    for (let w = 0; w < 10 || now() - w0 < warmMs; w++) ex.kb_run(i, variant, 1);
    let reps = 1;
    for (;;) {
      const t0 = now();
      ex.kb_run(i, variant, reps);
      if (now() - t0 > (quick ? 1 : 2) || reps > 1 << 26) break;
      reps *= 2;
    }
    const ts = [];
    const cs = [];
    for (let s = 0; s < (quick ? 5 : 15); s++) {
      const c0 = process.cpuUsage();
      const t0 = now();
      ex.kb_run(i, variant, reps);
      ts.push((now() - t0) / reps);
      const c = process.cpuUsage(c0);
      cs.push((c.user + c.system) / 1e3 / reps);
    }
    // gflops from the median CPU time per call (robust to other processes taking the core);
    // wallGflops from the median wall time
    const ms = median(cs);
    const wms = median(ts);
    out.push({ bench: 'kernel', impl: `wasm-${kind}`, ...info, nsPerCall: +(ms * 1e6).toFixed(1),
               gflops: +(flops / (ms / 1e3) / 1e9).toFixed(3), wallGflops: +(flops / (wms / 1e3) / 1e9).toFixed(3) });
  }
  return out;
}

// The GEMM-vs-peak target measured as paired ratios: in one process, alternate short timed
// batches of the peak loop and of a GEMM case, one ratio per round, median over rounds. Both halves
// of a round see the same machine (another process on the sibling core slows both), so the ratio
// is steadier than two numbers taken minutes apart.
export async function gemmVsPeak({ quick = false, match = (info) => info.kernel === 'gemm_nt' && info.shape === 'B64 N768 K256' } = {}) {
  const ex = await instantiateStandalone(path.join(build, 'kernels-simd.wasm'));
  const pk = await instantiateStandalone(path.join(build, 'peak-simd.wasm'));
  const lanes = pk.peak_lanes();
  const out = [];
  for (let i = 0; i < ex.kb_cases(); i++) {
    const info = JSON.parse(cstr(ex, ex.kb_case_json(i)));
    if (!match(info)) continue;
    ex.kb_setup(i);
    const flops = ex.kb_flops(i);
    const cpu = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e3; };
    const w0 = now();
    while (now() - w0 < 200) { ex.kb_run(i, 1, 1); pk.peak_run(20000); }
    let reps = 1;
    while (cpu(() => ex.kb_run(i, 1, reps)) < 2 && reps < 1 << 20) reps *= 2;
    let iters = 20000;
    while (cpu(() => pk.peak_run(iters)) < 2 && iters < 1 << 28) iters *= 2;
    const ratios = [];
    const gemm = [];
    const peak = [];
    for (let r = 0; r < (quick ? 9 : 25); r++) {
      const g = [], p = [];
      for (let k = 0; k < 3; k++) {
        g.push(flops * reps / cpu(() => ex.kb_run(i, 1, reps)) / 1e6);
        p.push(iters * 12 * lanes * 2 / cpu(() => pk.peak_run(iters)) / 1e6);
      }
      const gm = median(g), pm = median(p);
      gemm.push(gm); peak.push(pm); ratios.push(gm / pm);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    out.push({ bench: 'gemm-vs-peak', impl: 'wasm-simd', ...info, rounds: ratios.length,
      ratio: +median(ratios).toFixed(3), ratioQ1: +sorted[Math.floor(sorted.length / 4)].toFixed(3), ratioQ3: +sorted[Math.floor(3 * sorted.length / 4)].toFixed(3),
      gflops: +median(gemm).toFixed(2), peakGflops: +median(peak).toFixed(2) });
  }
  return out;
}

export function nativeKernels(kind, { quick = false } = {}) {
  const bin = path.join(build, `kernels-${kind}`);
  if (!fs.existsSync(bin)) throw new Error(`${bin} missing: make bench`);
  // native: the SIMD variant only in --quick (the scalar one is gcc's auto-vectorized code, for reference)
  const txt = execFileSync(bin, [`native-${kind}`, quick ? '5' : '11', quick ? 'simd' : 'both'], { encoding: 'utf8' });
  return txt.trim().split('\n').map((l) => JSON.parse(l));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  for (const k of ['simd', 'scalar']) {
    try { for (const r of await wasmKernels(k, a)) emit(r); } catch (e) { emit({ bench: 'kernel', impl: `wasm-${k}`, error: String(e) }); }
  }
  try {
    const isC = (x) => x.model === 'C' && ['gemm_nt', 'gemm_nn', 'gemm_tn', 'gemm_nt_blocked'].includes(x.kernel) && !/B1 /.test(x.shape);
    for (const r of await gemmVsPeak({ ...a, match: isC })) emit(r);
  } catch (e) { emit({ bench: 'gemm-vs-peak', error: String(e) }); }
  for (const k of ['sse', 'march']) {
    try { for (const r of nativeKernels(k, a)) emit(r); } catch (e) { emit({ bench: 'kernel', impl: `native-${k}`, error: String(e) }); }
  }
}
