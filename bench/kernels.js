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

export function nativeKernels(kind, { quick = false } = {}) {
  const bin = path.join(build, `kernels-${kind}`);
  if (!fs.existsSync(bin)) throw new Error(`${bin} missing (bench/build.sh)`);
  // native: the SIMD variant only in --quick (the scalar one is gcc's auto-vectorized code, for reference)
  const txt = execFileSync(bin, [`native-${kind}`, quick ? '5' : '11', quick ? 'simd' : 'both'], { encoding: 'utf8' });
  return txt.trim().split('\n').map((l) => JSON.parse(l));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  for (const k of ['simd', 'scalar']) {
    try { for (const r of await wasmKernels(k, a)) emit(r); } catch (e) { emit({ bench: 'kernel', impl: `wasm-${k}`, error: String(e) }); }
  }
  for (const k of ['sse', 'march']) {
    try { for (const r of nativeKernels(k, a)) emit(r); } catch (e) { emit({ bench: 'kernel', impl: `native-${k}`, error: String(e) }); }
  }
}
