// Turns the JSON lines of one run into the readable summary (Markdown tables) and checks the
// targets of issue 5 against ratios measured in that run.
// Standalone: node bench/summary.js bench/results/<file>.jsonl
import fs from 'node:fs';

const f = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const ok = (pass) => (pass === null ? 'n/a' : pass ? 'met' : 'MISSED');

function table(head, rows) {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

function geomean(xs) {
  const v = xs.filter((x) => x > 0 && Number.isFinite(x));
  return v.length ? Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length) : NaN;
}

export function summarize(records) {
  const ok_ = records.filter((r) => !r.error && !r.skipped);
  const skipped = records.filter((r) => r.skipped);
  const errors = records.filter((r) => r.error);
  const by = (bench) => ok_.filter((r) => r.bench === bench);
  const meta = records.find((r) => r.bench === 'meta' && r.date) || {};
  const fin = records.find((r) => r.bench === 'meta' && r.finished) || {};
  const out = [];
  const targets = [];
  out.push(`## Benchmark summary (${meta.quick ? 'quick' : 'full'} run)`);
  out.push(`${meta.date || ''} · commit ${meta.commit || '?'} · ${meta.cpu || '?'}, ${meta.cores || '?'} cores · Node ${meta.node || '?'} · ` +
    `load ${(meta.load || []).join('/')} → ${(fin.load || []).join('/')} · ${fin.seconds || '?'} s`);

  // peak
  const peak = Object.fromEntries(by('peak').map((r) => [r.impl, r.gflops]));
  if (Object.keys(peak).length) {
    out.push('\n### Peak f32 mul+add, one core (12 independent chains; CPU time [wall time])');
    out.push(table(['build', 'GFLOP/s'], by('peak').map((r) => [r.impl, `${f(r.gflops)} [${f(r.wallGflops)}]`])));
  }

  // kernels
  const kern = by('kernel');
  if (kern.length) {
    const key = (r) => `${r.kernel}|${r.shape}|${r.model}`;
    const cases = [...new Map(kern.map((r) => [key(r), r])).values()];
    const get = (c, impl) => kern.find((r) => key(r) === key(c) && r.impl === impl);
    const rows = [];
    const ratios = [];
    const gemmRatios = [];
    for (const c of cases) {
      const s = get(c, 'wasm-simd'), sc = get(c, 'wasm-scalar');
      const ratio = s && sc ? s.gflops / sc.gflops : NaN;
      const exp = /^experiment/.test(c.what || '');
      if (!exp) {
        ratios.push(ratio);
        if (c.kernel.startsWith('gemm')) gemmRatios.push(ratio);
      }
      const pct = s && peak['wasm-simd'] && c.unit === 'GFLOP/s' ? `${f(100 * s.gflops / peak['wasm-simd'], 0)}%` : '–';
      const ns = get(c, 'native-sse-simd');
      const npct = ns && peak['native-sse'] && c.unit === 'GFLOP/s' ? ` (${f(100 * ns.gflops / peak['native-sse'], 0)}%)` : '';
      rows.push([c.model, exp ? `${c.kernel} (experiment: ${c.what.replace(/^experiment: /, '')})` : c.kernel, c.shape, c.unit, f(s?.gflops, 2), f(sc?.gflops, 2), f(ratio, 2), pct,
        `${f(ns?.gflops, 2)}${npct}`, f(get(c, 'native-march-simd')?.gflops, 2), f(s?.nsPerCall / 1e3, 2)]);
    }
    out.push('\n### Kernels, GFLOP/s from the median CPU time per call (wasm: after warm-up into V8 optimizing tier; native: same C, gcc -O3 -ffp-contract=off)');
    out.push(table(['model', 'kernel', 'shape', 'unit', 'wasm SIMD', 'wasm scalar', 'SIMD/scalar', '% wasm SIMD peak', 'native SSE (% SSE peak)', 'native -march', 'µs/call (SIMD)'], rows));
    const gm = geomean(gemmRatios), ga = geomean(ratios), mn = Math.min(...ratios.filter(Number.isFinite));
    targets.push(['SIMD wasm ≥ 3× scalar wasm on the kernels', `GEMMs geomean ${f(gm, 2)}×, all kernels geomean ${f(ga, 2)}×, worst ${f(mn, 2)}×`, ok(Number.isFinite(gm) ? gm >= 3 && ga >= 3 : null)]);
    const gvp = by('gemm-vs-peak');
    if (gvp.length) {
      out.push('\nGEMMs of model C against the wasm SIMD peak, paired in one process (median ratio over rounds, quartiles):');
      out.push(table(['kernel', 'shape', 'what', 'GFLOP/s', 'peak GFLOP/s', 'ratio (Q1–Q3)'], gvp.map((r) => [r.kernel, r.shape, r.what, f(r.gflops), f(r.peakGflops), `${f(100 * r.ratio, 0)}% (${f(100 * r.ratioQ1, 0)}–${f(100 * r.ratioQ3, 0)}%)`])));
    }
    const g = kern.find((r) => r.impl === 'wasm-simd' && r.kernel === 'gemm_nt' && r.shape === 'B64 N768 K256');
    const gp = gvp.find((r) => r.kernel === 'gemm_nt' && r.shape === 'B64 N768 K256');
    if (gp) {
      const others = gvp.filter((r) => r !== gp && r.kernel !== 'gemm_nt_blocked').map((r) => `${r.kernel} ${r.shape} ${f(100 * r.ratio, 0)}%`);
      targets.push(['GEMM ≥ 50 % of wasm SIMD peak (hidden 256, batch 64)',
        `gemm_nt B64 N768 K256: ${f(100 * gp.ratio, 0)}% of peak (quartiles ${f(100 * gp.ratioQ1, 0)}–${f(100 * gp.ratioQ3, 0)}%, ${f(gp.gflops)} of ${f(gp.peakGflops)} GFLOP/s, paired); backward: ${others.join(', ')}`,
        ok(gp.ratio >= 0.5)]);
    } else if (g && peak['wasm-simd']) {
      const others = ['gemm_nn', 'gemm_tn'].map((k) => kern.find((r) => r.impl === 'wasm-simd' && r.kernel === k && r.model === 'C'))
        .filter(Boolean).map((r) => `${r.kernel} ${r.shape} ${f(100 * r.gflops / peak['wasm-simd'], 0)}%`);
      targets.push(['GEMM ≥ 50 % of wasm SIMD peak (hidden 256, batch 64)',
        `gemm_nt B64 N768 K256: ${f(g.gflops)} of ${f(peak['wasm-simd'])} GFLOP/s = ${f(100 * g.gflops / peak['wasm-simd'], 0)}% (backward: ${others.join(', ')})`,
        ok(g.gflops / peak['wasm-simd'] >= 0.5)]);
    }
  }

  // issue 11: the output layer beside its GEMMs (bench/kernels.js outputLayer)
  const ol = by('output-layer');
  if (ol.length) {
    const r0 = ol[0];
    out.push(`\n### Output layer at ${r0.Vt} symbols (D ${r0.D}, ${r0.rows} rows, chunks of ${r0.chunkRows}) against its three products as plain GEMMs and the ceiling, paired rounds`);
    out.push(table(['what', 'GFLOP/s', 'share of the ceiling (Q1–Q3)', 'output layer / this'],
      ol.map((r) => [r.kernel, f(r.gflops), `${f(100 * r.share, 0)}% (${f(100 * r.shareQ1, 0)}–${f(100 * r.shareQ3, 0)}%)`, r.kernel === 'output_loss' ? '' : f(r.lossOverThis, 2)])));
  }

  // training: rates from the median CPU time per step (cpuMsPerStep) when recorded, else wall
  const tr = by('train');
  if (tr.length) {
    const impls = ['wasm-simd', 'wasm-scalar', 'native-sse', 'native-march', 'tfjs-wasm', 'tfjs-cpu', 'tfjs-wasm-example'];
    const get = (m, impl) => tr.find((r) => r.model === m && r.impl === impl);
    const ms = (r) => r.cpuMsPerStep ?? r.msPerStep;
    const eps = (r) => r.batch / ms(r) * 1e3;
    const models = [...new Set(tr.map((r) => r.model))].sort();
    out.push('\n### Training throughput: examples/s from CPU time per step [from wall time]; median of timed steps');
    out.push(table(['model', 'batch', ...impls, 'SIMD/scalar', 'wasm SIMD time / native SSE time'], models.map((m) => {
      const s = get(m, 'wasm-simd'), sc = get(m, 'wasm-scalar'), n = get(m, 'native-sse');
      const any = tr.find((r) => r.model === m && r.batch);
      return [m, any?.batch ?? '', ...impls.map((i) => { const r = get(m, i); return r ? `${f(eps(r))} [${f(r.examplesPerSec)}]` : '–'; }),
        s && sc ? `${f(ms(sc) / ms(s), 2)}× [${f(sc.msPerStep / s.msPerStep, 2)}×]` : '–',
        s && n ? `${f(ms(s) / ms(n), 2)}× [${f(s.msPerStep / n.msPerStep, 2)}×]` : '–'];
    })));
    const tok = models.map((m) => { const s = get(m, 'wasm-simd'); return s ? `${m}: ${f(eps(s) * s.tgtLength, 0)}` : null; }).filter(Boolean);
    if (tok.length) out.push(`Target tokens/s, wasm SIMD (CPU time): ${tok.join(', ')}`);
    const simdRatios = models.map((m) => [m, get(m, 'wasm-simd'), get(m, 'wasm-scalar')]).filter(([, a, b]) => a && b).map(([m, a, b]) => [m, ms(b) / ms(a), b.msPerStep / a.msPerStep]);
    if (simdRatios.length) targets.push(['SIMD wasm ≥ 2× scalar wasm, end-to-end training', simdRatios.map(([m, r, w]) => `${m} ${f(r, 2)}× [${f(w, 2)}×]`).join(', '), ok(simdRatios.every(([, r]) => r >= 2))]);
    const a = get('A', 'wasm-simd'), tw = get('A', 'tfjs-wasm'), tc = get('A', 'tfjs-cpu');
    const tx = get('A', 'tfjs-wasm-example');
    if (a && tw) targets.push(['Training (A) ≥ 5× TF.js wasm-SIMD (goal 10×)', `${f(ms(tw) / ms(a), 1)}× [${f(tw.msPerStep / a.msPerStep, 1)}×] (${f(eps(a))} vs ${f(eps(tw))} examples/s)` +
      (tx ? `; against the TF.js example's own (lighter) architecture ${f(ms(tx) / ms(a), 1)}× [${f(tx.msPerStep / a.msPerStep, 1)}×]` : ''), ok(ms(tw) / ms(a) >= 5)]);
    if (a && tc) targets.push(['Training (A) ≥ 30× TF.js cpu', `${f(ms(tc) / ms(a), 1)}× [${f(tc.msPerStep / a.msPerStep, 1)}×] (${f(eps(a))} vs ${f(eps(tc))} examples/s)`, ok(ms(tc) / ms(a) >= 30)]);
    const nat = models.map((m) => [m, get(m, 'wasm-simd'), get(m, 'native-sse')]).filter(([, a, b]) => a && b).map(([m, a, b]) => [m, ms(a) / ms(b), a.msPerStep / b.msPerStep]);
    const paired = by('wasm-vs-native');
    if (paired.length) {
      out.push(`wasm SIMD / native SSE2 step time, paired rounds (CPU time; median, min–max over rounds): ${paired.map((r) => `${r.model} ${f(r.ratio, 2)}× (${f(r.ratioMin, 2)}–${f(r.ratioMax, 2)}; ${f(r.wasmCpuMs, 1)} vs ${f(r.nativeCpuMs, 1)} ms)`).join(', ')}`);
      targets.push(['SIMD wasm training within 1.5× of native 128-bit (SSE2)', paired.map((r) => `${r.model} ${f(r.ratio, 2)}× (${f(r.ratioMin, 2)}–${f(r.ratioMax, 2)})`).join(', ') + ' (paired rounds)', ok(paired.every((r) => r.ratio <= 1.5))]);
    } else if (nat.length) targets.push(['SIMD wasm training within 1.5× of native 128-bit (SSE2)', nat.map(([m, r, w]) => `${m} ${f(r, 2)}× [${f(w, 2)}×]`).join(', '), ok(nat.every(([, r]) => r <= 1.5))]);
    if (tx) out.push(`tfjs-wasm-example: TF.js's date-conversion-attention architecture from standard layers (Luong attention after the decoder LSTM, no input feeding, tanh dense before the output): less work than model (A), for reference.`);
    if (tw?.jsKernels?.length) out.push(`TF.js wasm backend: ${tw.jsKernels.join(', ')} supplied as a plain-JS kernel by the benchmark (missing from tfjs-backend-wasm ${tw.tfjsVersion}); SIMD ${tw.simd}, one thread.`);
  }

  // decoding
  const dec = by('decode');
  if (dec.length) {
    const cols = [['wasm-simd', 1], ['wasm-simd', 5], ['wasm-scalar', 1], ['wasm-scalar', 5], ['native-sse', 1], ['native-sse', 5]];
    const models = [...new Set(dec.map((r) => r.model))].sort();
    out.push('\n### Decoding one input: ms per call, median wall [mean CPU]; EOS suppressed so every call decodes `steps` tokens');
    out.push(table(['model', 'source', 'steps', ...cols.map(([i, b]) => `${i} ${b === 1 ? 'greedy' : 'beam 5'}`)], models.map((m) => {
      const any = dec.find((r) => r.model === m);
      return [m, any.srcLength, any.steps, ...cols.map(([i, b]) => { const r = dec.find((x) => x.model === m && x.impl === i && x.beam === b); return r ? `${f(r.msPerCall, 3)} [${f(r.cpuMsPerCall, 3)}]` : '–'; })];
    })));
  }
  const dates = by('dates')[0];
  const dB1 = dec.find((r) => r.model === 'B' && r.impl === 'wasm-simd' && r.beam === 1);
  const dB5 = dec.find((r) => r.model === 'B' && r.impl === 'wasm-simd' && r.beam === 5);
  if (dates?.translateOneDate || dB1) {
    const g = dates?.translateOneDate?.beam1Ms, b = dates?.translateOneDate?.beam5Ms;
    const parts = [];
    if (g !== undefined) parts.push(`trained dates model via Translator.translate: greedy ${f(g, 3)} ms, beam 5 ${f(b, 3)} ms`);
    if (dB1) parts.push(`model B shape, translateTokens, 10 steps: greedy ${f(dB1.msPerCall, 3)} ms, beam 5 ${f(dB5?.msPerCall, 3)} ms`);
    const gg = g ?? dB1?.msPerCall, bb = b ?? dB5?.msPerCall;
    targets.push(['Greedy decoding of one date ≤ 0.2 ms; beam 5 ≤ 1 ms', parts.join('; '), ok(gg !== undefined && bb !== undefined ? gg <= 0.2 && bb <= 1 : null)]);
  }

  // growth
  const gr = by('growth');
  if (gr.length) {
    out.push('\n### Cost growth with source length m and target length t (wasm SIMD; GRU 64, additive attention 64 vs none)');
    out.push(table(['what', 'attention', 'grid m,t', 'diagonal exponent (m = t)', 'power fit m^α t^β', 'm·t share of time at largest', 'times (ms) m×t'],
      gr.map((r) => [r.what, r.attention, [...new Set(r.points.map((p) => p.m))].join('/'), f(r.fit.diagExponent, 2), `α ${f(r.fit.alpha, 2)}, β ${f(r.fit.beta, 2)}`,
        `${f(100 * r.fit.mtShareAtLargest, 0)}%`, r.points.map((p) => `${p.m}×${p.t}: ${f(p.ms, 2)}`).join(', ')])));
    out.push('Expected: with attention the m·t term takes over (diagonal exponent → 2); without it time is linear in m + t (exponent ≈ 1, m·t share ≈ 0).');
  }

  // memory
  const mem = by('memory');
  if (mem.length) {
    out.push('\n### wasm heap (model.memoryBytes())');
    out.push(table(['what', 'batch', 'start', 'after 10', 'after 100', 'after 1000', 'growth 100→1000'],
      mem.map((r) => [r.what, r.batch ?? 1, ...[0, 10, 100, 1000].map((k) => `${f(r.heapBytes[k] / 1048576, 2)} MiB`), `${r.grewAfter100} B`])));
    targets.push(['Heap stops growing (after 10/100/1000 steps)', mem.map((r) => `${r.what}: +${r.grewAfter100} B from 100 to 1000`).join('; '), ok(mem.every((r) => r.grewAfter100 === 0))]);
  }

  const pr = by('profile');
  if (pr.length) {
    out.push('\n### Where the time goes (wasm SIMD, V8 CPU profile, self time per C function)');
    out.push(table(['model', 'activity', 'top functions (share of busy time)'],
      pr.map((r) => [r.model, r.what, r.top.slice(0, 6).map((t) => `${t.fn} ${f(100 * t.share, 0)}%`).join(', ')])));
  }

  for (const r of by('tfjs-profile')) {
    out.push(`\nTF.js (${r.impl}) one training step of (A), tf.profile kernel time ${f(r.kernelMs, 0)} ms in ${r.kernels} kernel calls: ` +
      r.top.slice(0, 5).map((t) => `${t.kernel} ${f(100 * t.share, 0)}%`).join(', ') + '; largest: ' +
      r.topShapes.slice(0, 3).map((t) => `${t.kernel} ${f(100 * t.share, 0)}%`).join(', '));
  }

  if (dates) {
    out.push('\n### Dates to 99 % held-out exact match (Translator defaults: GRU, embed 32, hidden 64, additive; batch 64, lr 3e-3)');
    out.push(dates.reached
      ? `Reached ${f(100 * dates.exactMatch, 1)} % at step ${dates.step} (${dates.examples} examples) after ${f(dates.wallSeconds, 1)} s wall time (${f(dates.cpuSeconds, 1)} s of CPU), including ${dates.history.length} evaluations of 1000 dates (${f(dates.oneEvalMs, 0)} ms each).`
      : `Not reached within ${dates.maxSeconds} s (${dates.stepsRun} steps); best ${f(100 * Math.max(...dates.history.map((h) => h.exactMatch)), 1)} %.`);
    targets.push(['Dates to ≥ 99 % held-out exact match in ≤ 60 s (Node)', dates.reached ? `${f(dates.wallSeconds, 1)} s wall (${f(dates.cpuSeconds, 1)} s CPU), ${dates.examples} examples` : `not reached in ${dates.maxSeconds} s`, ok(dates.reached && dates.wallSeconds <= 60)]);
  }

  if (targets.length) {
    out.push('\n### Targets (issue 5), ratios from this run');
    out.push(table(['target', 'measured', ''], targets));
  }

  // issue 14: whole steps against the ceiling, PyTorch beside us, the FMA build
  const t14 = [];
  const ceil = by('ceiling');
  if (ceil.length) {
    out.push('\n### Whole training steps against the ceiling (FLOPs counted from the shapes, bench/flops.js; ceiling: peak_mix in the same build; paired rounds, median and quartiles)');
    out.push(table(['model', 'build', 'batch, source, target', 'MFLOP/step', 'GEMM share of FLOPs', 'ms/step (CPU)', 'GFLOP/s', 'ceiling GFLOP/s', 'share of ceiling (Q1–Q3)', 'dependent-chain peak'],
      ceil.map((r) => [r.model, r.impl, `${r.batch}, ${r.srcLength}, ${r.tgtLength}`, f(r.flopsPerStep / 1e6, 0), `${f(100 * r.gemmFlopShare, 0)}%`, f(r.cpuMsPerStep, 2), f(r.gflops, 1), f(r.ceilingGflops, 1),
        `${f(100 * r.share, 0)}% (${f(100 * r.shareQ1, 0)}–${f(100 * r.shareQ3, 0)}%)`, f(r.chainPeakGflops, 1)])));
    const want = { A: 0.65, B: 0.55, C: 0.65 };
    const simd = ceil.filter((r) => r.impl === 'wasm-simd' && want[r.model]);
    if (simd.length) t14.push(['Whole step ≥ 65 % of the ceiling (A, C), ≥ 55 % (B), wasm SIMD', simd.map((r) => `${r.model} ${f(100 * r.share, 0)}%`).join(', ') +
      (ceil.some((r) => r.impl === 'wasm-fma') ? `; FMA build: ${ceil.filter((r) => r.impl === 'wasm-fma').map((r) => `${r.model} ${f(100 * r.share, 0)}%`).join(', ')}` : ''),
      ok(simd.every((r) => r.share >= want[r.model]))]);
  }
  const pt = by('torch');
  if (pt.length) {
    const any = pt[0];
    out.push(`\n### PyTorch eager beside us (torch ${any.torch}, ${any.threads} thread, BLAS ${(any.blasLoaded || []).join(' ')}, ${any.python}; paired rounds, CPU time per step)`);
    out.push(table(['model', 'batch', 'build', 'PyTorch ms/step', 'wasm ms/step', 'PyTorch time / wasm time (Q1–Q3)'],
      pt.map((r) => [r.model, r.batch, r.impl, f(r.torchCpuMs, 2), f(r.wasmCpuMs, 2), `${f(r.ratio, 2)}× (${f(r.ratioQ1, 2)}–${f(r.ratioQ3, 2)})`])));
    const simd = pt.filter((r) => r.impl === 'wasm-simd');
    t14.push(['wasm SIMD ≥ 1.5× PyTorch eager (one thread) on A, B, C', simd.map((r) => `${r.model} ${f(r.ratio, 2)}×`).join(', '), ok(simd.length >= 3 && simd.every((r) => r.ratio >= 1.5))]);
    const fma = pt.filter((r) => r.impl === 'wasm-fma');
    if (fma.length) {
      const sp = fma.map((r) => [r.model, simd.find((x) => x.model === r.model)?.wasmCpuMs / r.wasmCpuMs]);
      t14.push(['FMA build ≥ 1.3× the SIMD build on training', sp.map(([m, x]) => `${m} ${f(x, 2)}×`).join(', ') + ' (same rounds)', ok(sp.every(([, x]) => x >= 1.3))]);
    } else t14.push(['FMA build ≥ 1.3× the SIMD build on training', 'not measured (run with --experimental-wasm-relaxed-simd)', ok(null)]);
  }
  const dg = dates?.translateOneDate?.beam1Ms ?? dec.find((r) => r.model === 'dates' && r.impl === 'wasm-simd' && r.beam === 1)?.msPerCall;
  if (dg !== undefined) t14.push(['Greedy decoding of a date ≤ 0.1 ms', `${f(dg, 3)} ms${dates?.translateOneDate ? ' (trained dates model, Translator.translate)' : ' (dates shape, translateTokens, 11 steps)'}`, ok(dg <= 0.1)]);
  if (t14.length) {
    out.push('\n### Targets (issue 14), from this run');
    out.push(table(['target', 'measured', ''], t14));
  }
  if (skipped.length) out.push(`\nSkipped: ${skipped.map((r) => `${r.bench} (${r.skipped})`).join('; ')}`);
  if (errors.length) {
    out.push('\n### Errors');
    for (const e of errors) out.push(`- ${e.part || e.bench} ${e.impl || ''} ${e.model || ''} ${e.what || ''} ${e.attention || ''} ${e.beam ? 'beam ' + e.beam : ''}: ${String(e.error).split('\n')[0]}`);
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) { console.error('usage: node bench/summary.js bench/results/<file>.jsonl'); process.exit(2); }
  const recs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  console.log(summarize(recs));
}
