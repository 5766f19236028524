// Kernel GFLOP/s (issue 5 item 1): the kernels of c_src/kernels.c at the sizes the models use,
// in wasm SIMD (the _simd kernels from an -msimd128 build), wasm scalar (the _scalar kernels from
// the build without SIMD, as the product's scalar wasm), and native (gcc -O3 SSE2 and
// -O3 -march=native, both variants). Each wasm case is called repeatedly: calibrate to ~2 ms per
// call, warm up so V8 moves the code to its optimizing tier, then the median of timed calls.
// The cases come from the benchmark models' shapes (MODELS in common.js, kernelCases below);
// bench/kbench.c runs whatever case it is given.
// Also (issue 11): the training output layer at a 20,000-symbol target vocabulary (s2s_output_loss:
// chunked logits, fused softmax / cross-entropy / backward) against its three products as plain
// GEMMs at the same shapes and the ceiling (peak_mix), in paired rounds.
// Usage: node bench/kernels.js [--quick] [--only kernels,output]
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { instantiateStandalone } from './wasm-loader.js';
import { args, emit, median, now, MODELS } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = path.join(here, 'build');

function cstr(ex, ptr) {
  const u8 = new Uint8Array(ex.memory.buffer);
  let end = ptr;
  while (u8[end]) end++;
  return new TextDecoder().decode(u8.subarray(ptr, end));
}

// The kernel cases at a model's shapes, as c_src/ calls them: per-step products have the batch
// as rows; the weight gradients run once over all steps (rows = steps x batch). GEMM shapes are
// (B, N, K) as kernels.h writes them: gemm_nt C[B,N] += A[B,K] W[N,K]^T, gemm_nn C[B,K] +=
// A[B,N] W[N,K], gemm_tn C[N,K] += A[B,N]^T X[B,K].
export function modelCases(name, c) {
  const G = { rnn: 1, gru: 3, lstm: 4 }[c.cell], H = c.hidden, E = c.embed, GH = G * H, B = c.B;
  const at = c.attention !== 'none', A = c.attentionSize, Din = E + (at ? H : 0);
  const k = (kernel, a, b, cc, what) => ({ kernel, a, b, c: cc, model: name, what });
  const cases = [
    k('gemm_nt', B, GH, H, 'per step: gates += h . W_hh^T'),
    k('gemm_nn', B, GH, H, 'per step: dh += dgates . W_hh'),
    k('gemm_nn', B, H, GH, 'per step: gates += h . W_hh^T as gemm_nn from W_hh^T (training, where K <= 128)'),
    k('gemm_nt', B, GH, Din, 'per step: dec gates += [x;c] . W_ih^T'),
    k('gemm_nt', c.m * B, GH, E, 'all steps: enc gates += x . W_ih^T'),
    k('gemm_nn', c.m * B, E, GH, 'all steps: enc gates += x . W_ih^T as gemm_nn from W_ih^T (training, where K <= 128)'),
    k('gemm_tn', c.m * B, GH, H, 'all steps: enc dW_hh += dgates^T . h'),
    k('gemm_tn', c.n * B, GH, Din, 'all steps: dec dW_ih += dgates^T . [x;c]'),
    k('gemm_nt', 1, GH, H, 'decode: one row'),
  ];
  if (c.attention === 'additive') {
    cases.push(k('scores_additive', c.m, A, 1, 'additive scores, one row'));
    cases.push(k('scores_additive_backward', c.m, A, 1, 'additive scores backward, one row'));
  } else if (at) cases.push(k('scores_dot', c.m, A, 1, 'dot scores, one row'));
  if (at) {
    cases.push(k('softmax_masked', c.m, 1, 1, 'masked softmax, one row'));
    cases.push(k('weighted_sum', c.m, H, 1, 'context = sum_j w_j h_j, one row'));
  }
  cases.push(k('vtanh', B * H, 1, 1, 'tanh over B*H'), k('vsigmoid', B * 2 * H, 1, 1, 'sigmoid over B*2H'));
  return cases;
}

// Every model's cases (C first, as the tables read), then experiments (not product kernels).
export function kernelCases(models = MODELS) {
  const cases = ['C', 'A', 'B'].filter((n) => models[n]).flatMap((n) => modelCases(n, models[n]));
  const C = models.C, A = models.A;
  if (C) {
    const GH = 3 * C.hidden;
    cases.push({ kernel: 'gemm_tn_via_nt', a: C.m * C.B, b: GH, c: C.hidden, model: 'C', what: 'experiment: dW_hh via 2 transposes + gemm_nt' });
    cases.push({ kernel: 'gemm_nt', a: C.B, b: C.hidden, c: GH, model: 'C', what: 'experiment: dh += dgates . (W_hh^T)^T, W_hh^T kept' });
    cases.push({ kernel: 'gemm_nt_blocked', a: C.B, b: GH, c: C.hidden, model: 'C', what: 'experiment: gates += h . W_hh^T in blocks of 32 W rows' });
  }
  if (A) cases.push({ kernel: 'gemm_tn_via_nt', a: A.m * A.B, b: 4 * A.hidden, c: A.hidden, model: 'A', what: 'experiment: enc dW_hh via 2 transposes + gemm_nt' });
  return cases;
}

// kbench's number for a kernel name (the names are kbench.c's)
function kernelIndex(ex, name) {
  const p = ex.kb_name_buffer();
  new Uint8Array(ex.memory.buffer).set([...new TextEncoder().encode(name), 0], p);
  const i = ex.kb_kernel_index(p);
  if (i < 0) throw new Error(`bench/kbench.c has no kernel ${name}`);
  return i;
}
function setCase(ex, c) {
  const rc = ex.kb_set_case(kernelIndex(ex, c.kernel), c.a, c.b, c.c);
  if (rc !== 0) throw new Error(`kb_set_case(${c.kernel} ${c.a} ${c.b} ${c.c}) failed (${rc})`);
  return { ...JSON.parse(cstr(ex, ex.kb_case_json())), model: c.model, what: c.what };
}

export async function wasmKernels(kind, { quick = false } = {}) {
  const ex = await instantiateStandalone(path.join(build, `kernels-${kind}.wasm`));
  const variant = kind === 'simd' ? 1 : 0;
  if (variant && !ex.kb_has_simd()) throw new Error('SIMD build without SIMD kernels');
  const out = [];
  for (const kc of kernelCases()) {
    const info = setCase(ex, kc);
    const flops = ex.kb_flops();
    // warm-up: at least 10 calls and 30 ms (quick) / 100 ms, so V8 has moved the code to its
    // optimizing tier; then calibrate to ~1-2 ms per call and time 7 (quick) / 15 calls
    const warmMs = quick ? 30 : 100;
    const w0 = now();
    for (let w = 0; w < 10 || now() - w0 < warmMs; w++) ex.kb_run(variant, 1);
    let reps = 1;
    for (;;) {
      const t0 = now();
      ex.kb_run(variant, reps);
      if (now() - t0 > (quick ? 1 : 2) || reps > 1 << 26) break;
      reps *= 2;
    }
    const ts = [];
    const cs = [];
    for (let s = 0; s < (quick ? 5 : 15); s++) {
      const c0 = process.cpuUsage();
      const t0 = now();
      ex.kb_run(variant, reps);
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
  for (const kc of kernelCases()) {
    if (!match(kc)) continue;
    const info = setCase(ex, kc);
    const flops = ex.kb_flops();
    const cpu = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e3; };
    const w0 = now();
    while (now() - w0 < 200) { ex.kb_run(1, 1); pk.peak_run(20000); }
    let reps = 1;
    while (cpu(() => ex.kb_run(1, reps)) < 2 && reps < 1 << 20) reps *= 2;
    let iters = 20000;
    while (cpu(() => pk.peak_run(iters)) < 2 && iters < 1 << 28) iters *= 2;
    const ratios = [];
    const gemm = [];
    const peak = [];
    for (let r = 0; r < (quick ? 9 : 25); r++) {
      const g = [], p = [];
      for (let k = 0; k < 3; k++) {
        g.push(flops * reps / cpu(() => ex.kb_run(1, reps)) / 1e6);
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
  const cases = kernelCases();
  const input = cases.map((c) => `${c.kernel} ${c.a} ${c.b} ${c.c}\n`).join('');
  const txt = execFileSync(bin, [`native-${kind}`, quick ? '5' : '11', quick ? 'simd' : 'both'], { encoding: 'utf8', input });
  return txt.trim().split('\n').map((l) => {
    const r = JSON.parse(l);
    const { case: i, ...rest } = r;
    return { ...rest, model: cases[i].model, what: cases[i].what };
  });
}

// Issue 11: the training output layer (s2s_output_loss) at a 20,000-symbol target vocabulary and
// hidden 256 (its input [s ; ctx] 512 wide), beside its three products as plain GEMMs at the same
// shapes (output_gemms: one call each over all rows; output_gemms_chunked: the chunks the layer
// uses, s2s_output_chunk_rows) and the ceiling (peak_mix), in paired rounds: each round times the
// ceiling loop, then each of the three; a share of the ceiling per round, median and quartiles.
// Rows: four chunks of the layer (52 rows each at 20,000 symbols), as in a step's 704 rows.
export async function outputLayer({ quick = false, Vt = 20000, D = 512 } = {}) {
  const ex = await instantiateStandalone(path.join(build, 'kernels-simd.wasm'));
  const pk = await instantiateStandalone(path.join(build, 'peak-simd.wasm'));
  const chunk = Math.max(8, Math.min(1024, Math.floor((4 << 20) / (4 * Vt)))); // layers.h S2S_OUT_CHUNK_BYTES
  const rows = 4 * chunk;
  const cpu = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e3; };
  const mixPerIter = pk.peak_mix_flops_per_iter();
  for (let i = 0; i < 40; i++) pk.peak_mix(200);
  let mixIters = 200;
  while (cpu(() => pk.peak_mix(mixIters)) < 20 && mixIters < 1 << 24) mixIters *= 2;
  const ceiling = () => mixIters * mixPerIter / cpu(() => pk.peak_mix(mixIters)) / 1e6;
  const kinds = ['output_loss', 'output_gemms', 'output_gemms_chunked'];
  const shares = Object.fromEntries(kinds.map((k) => [k, []]));
  const rates = Object.fromEntries(kinds.map((k) => [k, []]));
  const ceilings = [];
  let flops = 0;
  for (const k of kinds) { setCase(ex, { kernel: k, a: rows, b: Vt, c: D }); ex.kb_run(1, 1); ex.kb_run(1, 1); }
  for (let r = 0; r < (quick ? 3 : 7); r++) {
    const ceil = ceiling();
    ceilings.push(ceil);
    for (const k of kinds) {
      setCase(ex, { kernel: k, a: rows, b: Vt, c: D });
      flops = ex.kb_flops();
      ex.kb_run(1, 1); // first touch of the new buffers
      const rate = flops / cpu(() => ex.kb_run(1, 1)) / 1e6;
      rates[k].push(rate); shares[k].push(rate / ceil);
    }
  }
  const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.round(p * (s.length - 1))]; };
  const loss = median(rates.output_loss);
  return kinds.map((k) => ({ bench: 'output-layer', impl: 'wasm-simd', kernel: k, rows, Vt, D, chunkRows: chunk,
    rounds: ceilings.length, gflopPerCall: +(flops / 1e9).toFixed(2), gflops: +median(rates[k]).toFixed(2), ceilingGflops: +median(ceilings).toFixed(2),
    share: +median(shares[k]).toFixed(3), shareQ1: +q(shares[k], 0.25).toFixed(3), shareQ3: +q(shares[k], 0.75).toFixed(3),
    lossOverThis: +(loss / median(rates[k])).toFixed(3) }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = args();
  const oi = a.list.indexOf('--only');
  const only = oi >= 0 ? a.list[oi + 1].split(',') : ['kernels', 'output'];
  if (only.includes('kernels')) {
    for (const k of ['simd', 'scalar']) {
      try { for (const r of await wasmKernels(k, a)) emit(r); } catch (e) { emit({ bench: 'kernel', impl: `wasm-${k}`, error: String(e) }); }
    }
    try {
      const isC = (x) => x.model === 'C' && ['gemm_nt', 'gemm_nn', 'gemm_tn', 'gemm_nt_blocked'].includes(x.kernel) && x.a > 1;
      for (const r of await gemmVsPeak({ ...a, match: isC })) emit(r);
    } catch (e) { emit({ bench: 'gemm-vs-peak', error: String(e) }); }
    for (const k of ['sse', 'march']) {
      try { for (const r of nativeKernels(k, a)) emit(r); } catch (e) { emit({ bench: 'kernel', impl: `native-${k}`, error: String(e) }); }
    }
  }
  if (only.includes('output')) {
    try { for (const r of await outputLayer(a)) emit(r); } catch (e) { emit({ bench: 'output-layer', error: String(e && e.stack || e) }); }
  }
}
