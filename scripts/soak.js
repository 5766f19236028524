#!/usr/bin/env node
// Soak test (issue 6; not part of `npm test`): trains one model for many steps and checks that the
// wasm heap stays flat and that speed does not decay.
//
//   nice node scripts/soak.js [--steps 100000] [--backend simd|scalar] [--every 5000]
//
// Every step trains on a fresh seeded batch of the reverse task whose shape varies (batch 8-32,
// lengths 2-12), so the core's workspaces are resized again and again; every 500 steps it also
// decodes (greedy and beam 4), saves, and sets and reads metadata. Every --every steps it prints a
// JSON line { step, heapBytes, stepsPerSecond, cpuMsPerStep, loss } over the last window.
// At the end it prints a summary line and exits 1 when
//   - the wasm heap grew after the first window (memory.grow is the only way it can grow: a leak
//     of even a few bytes per call shows within 100 000 steps), or
//   - the last window's CPU time per step is more than 25 % above the first window's (CPU time,
//     not wall time: the machines are shared), or
//   - the loss is not finite or did not fall.
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';
import { randomSequence, makeBatch } from '../tests/helpers/reverse.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const STEPS = Number(option('steps', 100000));
const EVERY = Number(option('every', 5000));
const BACKEND = option('backend', 'simd');
if (!(STEPS >= 2 * EVERY)) throw new Error('--steps must be at least twice --every');

const random = createRandom(12345).next;
const SYMBOLS = 10;
function batch() {
  const B = 8 + Math.floor(random() * 25);
  const pairs = [];
  for (let b = 0; b < B; b++) {
    const s = randomSequence(random, 2, 12, SYMBOLS);
    pairs.push([s, s.slice().reverse()]);
  }
  return makeBatch(pairs);
}

const model = await Seq2Seq.create({
  cell: 'gru', attention: 'additive', embed: 16, hidden: 32, attentionSize: 32,
  srcVocabSize: 4 + SYMBOLS, tgtVocabSize: 4 + SYMBOLS, seed: 1, backend: BACKEND,
});
const windows = [];
let windowStart = performance.now(), cpuStart = process.cpuUsage(), lossSum = 0, firstLoss;
for (let step = 1; step <= STEPS; step++) {
  const { loss } = model.trainStep(batch(), { learningRate: 2e-3, clipNorm: 5 });
  if (!Number.isFinite(loss)) throw new Error(`loss ${loss} at step ${step}`);
  lossSum += loss;
  if (step % 500 === 0) {
    const src = Int32Array.from({ length: 2 + (step / 500) % 11 }, (_, i) => 4 + ((i * 7 + step) % SYMBOLS));
    model.translateTokens(src, { maxLength: 20 });
    model.translateTokens(src, { beam: 4, nBest: 2, maxLength: 20 });
    model.setMetadata(new TextEncoder().encode(JSON.stringify({ step })));
    model.getMetadata();
    model.save();
  }
  if (step % EVERY === 0) {
    const now = performance.now(), cpu = process.cpuUsage(cpuStart);
    const w = {
      step, heapBytes: model.memoryBytes(), stepsPerSecond: +(EVERY / ((now - windowStart) / 1000)).toFixed(1),
      cpuMsPerStep: +((cpu.user + cpu.system) / 1000 / EVERY).toFixed(4), loss: +(lossSum / EVERY).toFixed(4),
    };
    firstLoss ??= w.loss;
    windows.push(w);
    console.log(JSON.stringify(w));
    windowStart = performance.now();
    cpuStart = process.cpuUsage();
    lossSum = 0;
  }
}
const first = windows[0], last = windows[windows.length - 1];
const problems = [];
if (last.heapBytes > first.heapBytes) problems.push(`the wasm heap grew from ${first.heapBytes} to ${last.heapBytes} bytes`);
if (last.cpuMsPerStep > 1.25 * first.cpuMsPerStep) problems.push(`CPU time per step rose from ${first.cpuMsPerStep} to ${last.cpuMsPerStep} ms`);
if (!(last.loss < firstLoss)) problems.push(`the loss did not fall (${firstLoss} -> ${last.loss})`);
console.log(JSON.stringify({
  summary: true, steps: STEPS, backend: model.backend,
  heapBytesStart: first.heapBytes, heapBytesEnd: last.heapBytes,
  stepsPerSecondStart: first.stepsPerSecond, stepsPerSecondEnd: last.stepsPerSecond,
  cpuMsPerStepStart: first.cpuMsPerStep, cpuMsPerStepEnd: last.cpuMsPerStep,
  lossStart: firstLoss, lossEnd: last.loss, ok: problems.length === 0, problems,
}));
model.dispose();
process.exit(problems.length ? 1 : 0);
