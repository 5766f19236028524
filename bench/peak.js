// Peak f32 mul+add GFLOP/s of one core: wasm SIMD and scalar builds of bench/peak.c (run here,
// in V8's optimizing tier after warm-up), and the native builds (run as child processes).
// Then issue 14's port question (bench/peak.c port_run): f32x4 mul only, add only, independent
// mul+add pairs and relaxed_madd only, without loads and with the 4 x 8 tile's loads, in the SIMD
// build and (where this Node runs relaxed SIMD) the FMA build, in paired rounds: GFLOP/s and
// vector operations per cycle at the clock a dependent integer chain measures in the same round;
// then the same loops built natively (bench/build/peak-ports-xmm), for what V8's code leaves out.
// Usage: node [--experimental-wasm-relaxed-simd] bench/peak.js [--quick] [--ports (only those)]
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { instantiateStandalone } from './wasm-loader.js';
import { args, emit, median, now } from './common.js';
import { fmaSupported } from '../lib/wasm.js';

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

// bench/peak.c port_run kinds, in its order; flops per lane: 1 for a mul or add, 2 for a madd
// and the lat-* kinds are one dependent chain (their cyclesPerOp is the operation's latency)
export const PORT_KINDS = ['mul', 'add', 'mul+add', 'madd', 'tile-mul', 'tile-add', 'tile-mul+add', 'tile-madd', 'lat-mul', 'lat-add', 'lat-madd',
  'tile6-mul+add', 'tile6-madd', 'tile5-mul+add', 'tile5-madd'];
const cpuMs = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e3; };
const CLOCK_OPS = 16; // dependent one-cycle integer ops per port_clock iteration

export async function portRates({ quick = false, builds = ['simd'] } = {}) {
  const mods = {};
  for (const b of builds) mods[b] = await instantiateStandalone(path.join(build, `peak-${b}.wasm`));
  const cases = [];
  for (const b of builds) {
    const ex = mods[b];
    for (let kind = 0; kind < PORT_KINDS.length; kind++) {
      if (PORT_KINDS[kind].endsWith('madd') && !ex.port_has_madd()) continue;
      const [mul, add, fma, loads] = [0, 1, 2, 3].map((w) => ex.port_ops(kind, w));
      cases.push({ build: b, kind, name: PORT_KINDS[kind], mul, add, fma, loads, iters: 64, run: (n) => ex.port_run(kind, n) });
    }
    cases.push({ build: b, name: 'clock', iters: 4096, run: (n) => ex.port_clock(n) });
  }
  for (const c of cases) { // into V8's optimizing tier, then ~4 ms a call
    for (let i = 0; i < 30; i++) c.run(c.iters);
    while (cpuMs(() => c.run(c.iters)) < 4 && c.iters < 1 << 28) c.iters *= 2;
  }
  const rounds = quick ? 5 : 15;
  const per = Object.fromEntries(cases.map((c) => [`${c.build}/${c.name}`, { gflops: [], opsPerCycle: [], loadsPerCycle: [] }]));
  const ghz = [];
  const ratios = { noLoads: [], tile: [] };
  for (let r = 0; r < rounds; r++) {
    // the clock before and after the round, the round's operations at their mean
    const clock = () => { const c = cases.find((x) => x.name === 'clock'); return CLOCK_OPS * c.iters / cpuMs(() => c.run(c.iters)) / 1e6; };
    const g0 = clock();
    const rate = {};
    for (const c of cases) {
      if (c.name === 'clock') continue;
      let ms = 0;
      for (let i = 0; i < 2; i++) ms += cpuMs(() => c.run(c.iters));
      const s = ms / 2 / 1e3;
      rate[`${c.build}/${c.name}`] = { c, s };
    }
    const hz = (g0 + clock()) / 2 * 1e9;
    ghz.push(hz / 1e9);
    for (const [key, { c, s }] of Object.entries(rate)) {
      const gf = c.iters * 4 * (c.mul + c.add + 2 * c.fma) / s / 1e9;
      per[key].gflops.push(gf);
      per[key].opsPerCycle.push(c.iters * (c.mul + c.add + c.fma) / s / hz);
      per[key].loadsPerCycle.push(c.iters * c.loads / s / hz);
      rate[key].gf = gf;
    }
    if (rate['fma/madd'] && rate['simd/mul+add']) ratios.noLoads.push(rate['fma/madd'].gf / rate['simd/mul+add'].gf);
    if (rate['fma/tile-madd'] && rate['simd/tile-mul+add']) ratios.tile.push(rate['fma/tile-madd'].gf / rate['simd/tile-mul+add'].gf);
  }
  const out = [];
  for (const c of cases) {
    if (c.name === 'clock') continue;
    const p = per[`${c.build}/${c.name}`];
    out.push({ bench: 'ports', impl: `wasm-${c.build}`, kernel: c.name, perIter: { mul: c.mul, add: c.add, madd: c.fma, loads: c.loads },
      gflops: +median(p.gflops).toFixed(2), opsPerCycle: +median(p.opsPerCycle).toFixed(3),
      ...(c.loads ? { loadsPerCycle: +median(p.loadsPerCycle).toFixed(3) } : {}),
      ...(c.name.startsWith('lat-') ? { cyclesPerOp: +(1 / median(p.opsPerCycle)).toFixed(2) } : {}), rounds });
  }
  out.push({ bench: 'ports', kernel: 'summary', clockGhz: +median(ghz).toFixed(3), clockGhzMin: +Math.min(...ghz).toFixed(3),
    clockGhzMax: +Math.max(...ghz).toFixed(3), clockFrom: `dependent chain of ${CLOCK_OPS} one-cycle i32 add/xor per iteration`,
    ...(ratios.noLoads.length ? { fmaOverSimdNoLoads: +median(ratios.noLoads).toFixed(3), fmaOverSimdTile: +median(ratios.tile).toFixed(3) } : {}),
    rounds });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  if (!a.list.includes('--ports')) for (const k of ['simd', 'scalar']) {
    try { emit(await wasmPeak(k, a)); } catch (e) { emit({ bench: 'peak', impl: `wasm-${k}`, error: String(e) }); }
  }
  if (!a.list.includes('--ports')) for (const k of ['sse', 'march', 'avx512']) {
    try { emit(nativePeak(k, a)); } catch (e) { emit({ bench: 'peak', impl: `native-${k}`, error: String(e) }); }
  }
  const builds = ['simd'];
  if (fmaSupported() && fs.existsSync(path.join(build, 'peak-fma.wasm'))) builds.push('fma');
  else emit({ bench: 'ports', impl: 'wasm-fma', skipped: fmaSupported() ? 'bench/build/peak-fma.wasm missing (needs clang-19)' : 'this Node has no relaxed SIMD (run with --experimental-wasm-relaxed-simd)' });
  try { for (const r of await portRates({ ...a, builds })) emit(r); } catch (e) { emit({ bench: 'ports', error: String(e && e.stack || e) }); }
  // the same loops natively (bench/peak.c PEAK_PORTS_MAIN): what the core does with them in gcc's schedule
  try {
    const out = execFileSync(path.join(build, 'peak-ports-xmm'), [a.quick ? '5' : '15'], { encoding: 'utf8' });
    for (const l of out.trim().split('\n')) emit(JSON.parse(l));
  } catch (e) { emit({ bench: 'ports', impl: 'native-xmm', error: String(e) }); }
}
