// Data-parallel scaling (issue 9): examples/s of training with 1, 2 and 4 workers (4 is
// oversubscribed on a 2-core machine: it must not collapse) on models A, B and C (synthetic
// batches, as bench/train.js) and on the dates task (Translator#train), as paired rounds in one
// run: each round times every worker count back to back, so they share the machine's load, and
// the speed-ups are medians of per-round ratios. Also, per step: this thread's compute, the
// slowest worker's compute, waiting, adding + Adam + publishing the weights, and bytes moved; and
// the shard size's cost on one thread (narrower GEMMs): time per batch with shards of 8, 16, 32
// and the whole batch.
// Usage: node bench/scaling.js [--quick] [--models A,B,C,dates] [--rounds N] [--shard-cost-only]
import os from 'node:os';
import fs from 'node:fs';
import { MODELS, args, emit, median, note, syntheticBatch } from './common.js';
import { loadSeq2Seq, modelOptions } from './core-loader.js';
import { LocalStepper } from '../lib/session.js';
import { ReplicaPool } from '../lib/pool.js';
import { Translator, tasks } from '../lib/index.js';

const { quick, list } = args();
const pick = (flag, fallback) => {
  const i = list.indexOf(flag);
  return i >= 0 ? list[i + 1] : fallback;
};
const models = pick('--models', 'A,B,C,dates').split(',');
const rounds = Number(pick('--rounds', quick ? 3 : 5));
const WORKERS = [1, 2, 4];
const SHARD = 16; // the library's default (lib/session.js DEFAULT_SHARD_SIZE)

// CPU time of every thread of this process (Linux: /proc/self/task/*/stat, clock ticks -> ms).
// The machine is shared, so wall time includes waiting for a core; CPU time per thread does not,
// and the busiest thread's CPU time per step is the step's critical path on dedicated cores.
const TICK_MS = 10; // USER_HZ = 100 on Linux
function threadCpu() {
  const out = new Map();
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) * TICK_MS); // utime, stime
    }
  } catch {
    return null;
  }
  return out;
}
function cpuDelta(before, after) {
  if (!before || !after) return null;
  const d = [];
  for (const [tid, ms] of after) d.push(ms - (before.get(tid) ?? 0));
  d.sort((a, b) => b - a);
  return { busiest: d[0], total: d.reduce((a, b) => a + b, 0) };
}

/** Cuts a batch (the low-level layout) into shards of `size` rows. */
function shardsOf(batch, size) {
  const { batchSize: B, srcLength: M, tgtLength: N } = batch;
  const out = [];
  for (let b = 0; b < B; b += size) {
    const n = Math.min(size, B - b);
    out.push({
      src: batch.src.slice(b * M, (b + n) * M), srcLengths: batch.srcLengths.slice(b, b + n),
      tgtIn: batch.tgtIn.slice(b * N, (b + n) * N), tgtOut: batch.tgtOut.slice(b * N, (b + n) * N),
      batchSize: n, srcLength: M, tgtLength: N,
    });
  }
  return out;
}

async function stepperFor(core, workers, transport = 'auto') {
  return workers === 1 ? new LocalStepper(core) : ReplicaPool.start(core, { workers, transport });
}

// steps timed per measurement, after warm-up
function stepsFor(name) {
  if (name === 'C') return quick ? 3 : 5;
  return quick ? 10 : 20;
}

async function syntheticRounds(Seq2Seq, name) {
  const cfg = MODELS[name];
  const batches = [1, 2, 3].map((seed) => syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed }));
  const shards = batches.map((b) => shardsOf(b, SHARD));
  const runs = [];
  for (const workers of WORKERS) {
    const core = await Seq2Seq.create(modelOptions(cfg, 'simd'));
    const stepper = await stepperFor(core, workers);
    for (let i = 0; i < 2; i++) await stepper.step(shards[i % 3], { learningRate: 1e-3, clipNorm: 5 }); // warm up
    runs.push({ workers, core, stepper, perRound: [], stats: [], cpu: [] });
  }
  const steps = stepsFor(name);
  for (let r = 0; r < rounds; r++) {
    for (const run of runs) {
      const before = run.stepper.stats ? { ...run.stepper.stats } : null;
      const c0 = threadCpu();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await run.stepper.step(shards[i % 3], { learningRate: 1e-3, clipNorm: 5 });
      const ms = (performance.now() - t0) / steps;
      const cpu = cpuDelta(c0, threadCpu());
      if (cpu) run.cpu.push({ busiest: cpu.busiest / steps, total: cpu.total / steps });
      run.perRound.push(ms);
      if (before) {
        const s = run.stepper.stats;
        const d = {};
        for (const key of Object.keys(s)) d[key] = (s[key] - before[key]) / (s.steps - before.steps);
        run.stats.push(d);
      }
    }
  }
  const base = runs[0].perRound;
  const baseCpu = runs[0].cpu;
  for (const run of runs) {
    const ratios = run.perRound.map((ms, r) => base[r] / ms);
    // on dedicated cores a step would take its busiest thread's CPU time: the speed-up that
    // predicts, against the single thread's CPU time (all of its work is on one thread)
    const cpuRatios = run.cpu.map((c, r) => (baseCpu[r] ? baseCpu[r].busiest / c.busiest : NaN));
    const rec = {
      bench: 'scaling', model: name, workers: run.workers, transport: run.stepper.transport, shardSize: SHARD,
      shards: shards[0].length, batch: cfg.B, rounds,
      msPerStep: +median(run.perRound).toFixed(2),
      examplesPerSec: +(cfg.B / median(run.perRound) * 1e3).toFixed(1),
      speedup: +median(ratios).toFixed(3), speedupMin: +Math.min(...ratios).toFixed(3), speedupMax: +Math.max(...ratios).toFixed(3),
    };
    if (run.cpu.length) {
      Object.assign(rec, {
        cpuMsPerStepBusiestThread: +median(run.cpu.map((c) => c.busiest)).toFixed(2),
        cpuMsPerStepAllThreads: +median(run.cpu.map((c) => c.total)).toFixed(2),
        cpuSpeedup: +median(cpuRatios).toFixed(3),
      });
    }
    if (run.stats.length) {
      const m = (key) => +median(run.stats.map((d) => d[key])).toFixed(3);
      Object.assign(rec, {
        ownComputeMs: m('computeMs'), workerComputeMs: m('workerComputeMs'), waitMs: m('waitMs'),
        reduceMs: m('reduceMs'), sendMs: m('sendMs'), bytesPerStep: Math.round(m('bytes')),
        parameters: run.core.parameterCount,
      });
    }
    emit(rec);
    await run.stepper.close();
    run.core.dispose();
  }
}

// the shard size's cost on one thread: the same batch as 1 shard, and as shards of 32, 16 and 8
async function shardCost(Seq2Seq, name) {
  const cfg = MODELS[name];
  const core = await Seq2Seq.create(modelOptions(cfg, 'simd'));
  const batch = syntheticBatch({ B: cfg.B, m: cfg.m, n: cfg.n, srcVocab: cfg.srcVocabSize, tgtVocab: cfg.tgtVocabSize, seed: 1 });
  const sizes = [cfg.B, 32, 16, 8].filter((s, i, a) => s <= cfg.B && a.indexOf(s) === i);
  const stepper = new LocalStepper(core);
  const sets = sizes.map((s) => shardsOf(batch, s));
  for (const set of sets) await stepper.step(set, { learningRate: 1e-3, clipNorm: 5 });
  const times = sizes.map(() => []);
  const cpus = sizes.map(() => []);
  const steps = name === 'C' ? 2 : 8;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < sizes.length; k++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await stepper.step(sets[k], { learningRate: 1e-3, clipNorm: 5 });
      times[k].push((performance.now() - t0) / steps);
      const c = process.cpuUsage(c0);
      cpus[k].push((c.user + c.system) / 1e3 / steps); // one thread: the process's CPU time is its
    }
  }
  for (let k = 0; k < sizes.length; k++) {
    const ratios = times[k].map((t, r) => t / times[0][r]);
    const cpuRatios = cpus[k].map((t, r) => t / cpus[0][r]);
    emit({
      bench: 'shard-cost', model: name, batch: cfg.B, shardSize: sizes[k], shards: sets[k].length, rounds,
      msPerBatch: +median(times[k]).toFixed(2), relativeToOneShard: +median(ratios).toFixed(3),
      cpuMsPerBatch: +median(cpus[k]).toFixed(2), cpuRelativeToOneShard: +median(cpuRatios).toFixed(3),
    });
  }
  core.dispose();
}

// The dates task through the library's own loop (Translator#session, as Translator#train and the
// CLI use it): the pool is started by a warm-up run, then steady-state steps are timed.
async function datesRounds() {
  const data = tasks.dates({ seed: 1, trainSize: quick ? 1280 : 2560, testSize: 10 });
  const steps = quick ? 10 : 20;
  const sessions = [];
  for (const workers of WORKERS) {
    const model = await Translator.create({ pairs: data.train });
    const session = model.session(data.train, { epochs: 1000, workers });
    await session.run({ maxSteps: 3 }); // starts the pool, warms the compiled code
    sessions.push({ workers, model, session, perRound: [], cpu: [] });
  }
  for (let r = 0; r < rounds; r++) {
    for (const run of sessions) {
      const c0 = threadCpu();
      const t0 = performance.now();
      const report = await run.session.run({ maxSteps: steps });
      const ms = performance.now() - t0;
      const cpu = cpuDelta(c0, threadCpu());
      if (cpu) run.cpu.push(cpu.busiest / steps);
      run.perRound.push({ exps: (steps * 64) / (ms / 1000), transport: report.transport });
    }
  }
  const base = sessions[0];
  for (const run of sessions) {
    const ratios = run.perRound.map((x, r) => x.exps / base.perRound[r].exps);
    const cpuRatios = run.cpu.map((c, r) => base.cpu[r] / c);
    emit({
      bench: 'scaling', model: 'dates', workers: run.workers, transport: run.perRound[0].transport, shardSize: SHARD, batch: 64, rounds,
      examplesPerSec: +median(run.perRound.map((x) => x.exps)).toFixed(1),
      speedup: +median(ratios).toFixed(3), speedupMin: +Math.min(...ratios).toFixed(3), speedupMax: +Math.max(...ratios).toFixed(3),
      cpuMsPerStepBusiestThread: +median(run.cpu).toFixed(2), cpuSpeedup: +median(cpuRatios).toFixed(3),
      note: 'Translator#session (the loop train and the CLI use), steady state after a warm-up run',
    });
    await run.session.close();
    run.model.dispose();
  }
}

const Seq2Seq = await loadSeq2Seq();
emit({ bench: 'scaling-machine', cores: os.cpus().length, availableParallelism: os.availableParallelism?.() ?? null, load: os.loadavg().map((x) => +x.toFixed(2)) });
for (const name of models) {
  note(`scaling: ${name}`);
  if (name === 'dates') await datesRounds();
  else {
    if (!list.includes('--shard-cost-only')) await syntheticRounds(Seq2Seq, name);
    await shardCost(Seq2Seq, name);
  }
}
