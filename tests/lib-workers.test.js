// Data-parallel training (issue 9) in Node: the same bytes for any number of workers and either
// transport, a resumed session equal to an uninterrupted one, a worker dying mid-step, bad
// `workers` values, dispose during training, and 200 create -> train -> dispose cycles leaving
// no threads and no memory behind. The reference for "the same" is the single-thread run (no
// worker at all), which itself equals trainStep's arithmetic (tests/lib-workers-core.test.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Translator, tasks } from '../lib/index.js';

const data = tasks.reverse({ seed: 2, trainSize: 150, testSize: 10 });
const SMALL = { embed: 8, hidden: 16, attentionSize: 8, seed: 4 };
// 150 pairs in batches of 40: three batches of 5 shards of 8 and a last one of 30 (4 shards)
const RUN = { epochs: 2, batchSize: 40, shardSize: 8, learningRate: 0.01 };

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const threads = () => readdirSync('/proc/self/task').length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function trainedFile(options) {
  const model = await Translator.create({ pairs: data.train, ...SMALL });
  try {
    const report = await model.train(data.train, { ...RUN, ...options });
    return { sha: sha(model.save()), report };
  } finally {
    model.dispose();
  }
}

test('1, 2 and 3 workers, shared memory or transferred buffers: byte-identical model files', async () => {
  const one = await trainedFile({ workers: 1 });
  assert.equal(one.report.workers, 1);
  assert.equal(one.report.transport, 'none');
  assert.equal(one.report.steps, 8);
  for (const [workers, transport] of [[2, 'shared'], [3, 'shared'], [2, 'transfer'], [3, 'transfer'], [5, 'auto']]) {
    const run = await trainedFile({ workers, transport });
    assert.equal(run.report.workers, workers);
    assert.equal(run.report.transport, transport === 'auto' ? 'shared' : transport);
    assert.equal(run.report.loss, one.report.loss, `${workers} workers (${transport}): the last loss`);
    assert.equal(run.sha, one.sha, `${workers} workers (${transport}): the model file differs from the single-thread run`);
  }
  // the shard size decides the arithmetic (it is stored with the run), the worker count does not
  const otherShards = await trainedFile({ workers: 2, shardSize: 16 });
  assert.notEqual(otherShards.sha, one.sha, 'another shard size adds the gradients in another order');
});

test('a session paused, saved as state() and resumed in a new session trains to the same bytes', async () => {
  const whole = await trainedFile({ workers: 2 });
  const model = await Translator.create({ pairs: data.train, ...SMALL });
  const first = model.session(data.train, { ...RUN, workers: 3 });
  const part = await first.run({ maxSteps: 3 }); // stops inside the first epoch
  assert.equal(part.steps, 3);
  assert.equal(part.done, false);
  const state = JSON.parse(JSON.stringify(first.state())); // what a checkpoint writes
  await first.close();
  assert.equal(state.step, 3);
  assert.equal(state.shardSize, 8);
  const second = model.session(data.train, { ...RUN, workers: 1, resume: state });
  const rest = await second.run();
  assert.equal(rest.steps, 8);
  assert.equal(rest.done, true);
  assert.equal(sha(model.save()), whole.sha, 'resumed with another worker count: other bytes');
  // resuming with a different run shape is refused before anything trains
  assert.throws(() => model.session(data.train, { ...RUN, batchSize: 20, resume: state }), /batchSize was 40/);
  assert.throws(() => model.session(data.train.slice(1), { ...RUN, resume: state }), /other pairs/);
  model.dispose();
});

test('a worker that dies mid-step: train rejects naming it, the model keeps the last completed step and trains again', async () => {
  const model = await Translator.create({ pairs: data.train, ...SMALL });
  const before = threads();
  const session = model.session(data.train, { ...RUN, workers: 3 });
  let kept = null;
  const error = await session.run({
    onProgress(p) {
      if (p.step === 2) {
        kept = { weights: model.core.readWeights(), steps: model.stepCount };
        session._stepper._crash(3); // ends worker 3 as a crash would
      }
    },
  }).then(() => null, (e) => e);
  assert.ok(error instanceof Error, 'train must reject');
  assert.match(error.message, /worker 3 of 3/);
  assert.match(error.message, /stopped|exit/);
  assert.equal(error.code, 'WORKER_FAILED');
  assert.equal(model.stepCount, 2);
  assert.equal(session.step, 2);
  assert.deepEqual(model.core.readWeights(), kept.weights, 'the weights changed after the failed step');
  for (let i = 0; i < 50 && threads() > before; i++) await sleep(20);
  assert.ok(threads() <= before, `worker threads left running: ${threads()} threads, ${before} before`);
  // the same session goes on (new workers), to the same bytes as a run that never failed
  const rest = await session.run();
  assert.equal(rest.steps, 8);
  const whole = await trainedFile({ workers: 1 });
  assert.equal(sha(model.save()), whole.sha);
  model.dispose();
});

test('workers that is not a positive integer or auto is refused before anything starts', async () => {
  const model = await Translator.create({ pairs: data.train, ...SMALL });
  const saved = sha(model.save());
  for (const workers of [0, -1, 1.5, '2', null, NaN, 1000, 'all']) {
    await assert.rejects(model.train(data.train, { ...RUN, workers }), (e) => e.code === 'BAD_ARGUMENT' && /workers must be 'auto' or an integer/.test(e.message), String(workers));
  }
  await assert.rejects(model.train(data.train, { ...RUN, workers: 2, transport: 'pigeon' }), /transport must be/);
  await assert.rejects(model.train(data.train, { ...RUN, shardSize: 0 }), /shardSize/);
  assert.equal(model.stepCount, 0);
  assert.equal(sha(model.save()), saved);
  model.dispose();
});

test('dispose() during training ends every worker; train rejects', async () => {
  const before = threads();
  const model = await Translator.create({ pairs: data.train, ...SMALL });
  let disposed = false;
  const error = await model.train(data.train, {
    ...RUN, epochs: 50, workers: 3,
    onProgress(p) {
      if (p.step === 3 && !disposed) {
        disposed = true;
        model.dispose();
      }
    },
  }).then(() => null, (e) => e);
  assert.ok(error instanceof Error, 'train must reject after dispose');
  assert.throws(() => model.translate('abc'), (e) => e.code === 'DISPOSED');
  for (let i = 0; i < 50 && threads() > before; i++) await sleep(20);
  assert.ok(threads() <= before, `worker threads left running: ${threads()} threads, ${before} before`);
});

test('200 create -> train (2 workers) -> dispose cycles leave no threads behind and no growth in memory', { timeout: 240000 }, async () => {
  const pairs = data.train.slice(0, 40);
  const cycle = async () => {
    const model = await Translator.create({ pairs, ...SMALL });
    await model.train(pairs, { steps: 2, batchSize: 20, shardSize: 10, workers: 2 });
    model.dispose();
  };
  const baseThreads = threads();
  const measure = async () => {
    for (let i = 0; i < 50 && threads() > baseThreads; i++) await sleep(20);
    globalThis.gc?.();
    await sleep(50);
    globalThis.gc?.();
    return process.memoryUsage();
  };
  for (let i = 0; i < 20; i++) await cycle(); // warm up: compiled wasm, JIT, allocator pools
  const early = await measure();
  for (let i = 0; i < 180; i++) await cycle();
  const late = await measure();
  assert.ok(threads() <= baseThreads, `threads left running after 200 cycles: ${threads()}, ${baseThreads} before`);
  const growth = (late.rss - early.rss) / 2 ** 20;
  const heapGrowth = (late.heapUsed - early.heapUsed) / 2 ** 20;
  console.log(`# 180 cycles after warm-up: rss ${(early.rss / 2 ** 20).toFixed(1)} -> ${(late.rss / 2 ** 20).toFixed(1)} MiB, heap ${(early.heapUsed / 2 ** 20).toFixed(1)} -> ${(late.heapUsed / 2 ** 20).toFixed(1)} MiB`);
  // one leaked replica would be a wasm memory of several MiB per cycle: 180 cycles would add > 500 MiB
  assert.ok(growth < 64, `rss grew by ${growth.toFixed(1)} MiB over 180 cycles`);
  assert.ok(heapGrowth < 16, `the JS heap grew by ${heapGrowth.toFixed(1)} MiB over 180 cycles`);
});

test('an error inside a worker (here a shard it cannot compute) rejects the step naming that worker; the model is unchanged and the pool closed', async () => {
  const { ReplicaPool } = await import('../lib/pool.js');
  const { makeBatch } = await import('../lib/session.js');
  const model = await Translator.create({ pairs: data.train, ...SMALL });
  const before = threads();
  const core = model.core;
  const good = makeBatch([{ src: [4, 5, 6], tgt: [6, 5, 4] }]).batch;
  const bad = makeBatch([{ src: [4, 5, 6], tgt: [6, 5, 4] }]).batch;
  bad.src[1] = 10 ** 6; // not a token id: the core refuses it (as it would a trap or NO_MEMORY, an Error in the worker)
  const pool = await ReplicaPool.start(core, { workers: 2, transport: 'shared' });
  const weights = core.readWeights();
  await assert.rejects(pool.step([good, bad], { learningRate: 0.01, clipNorm: 5 }), (e) => e.code === 'WORKER_FAILED' && /worker 2 of 2: .*src\[1\]/.test(e.message));
  assert.deepEqual(core.readWeights(), weights);
  assert.equal(core.stepCount, 0);
  await assert.rejects(pool.step([good, good], { learningRate: 0.01, clipNorm: 5 }), /closed/);
  for (let i = 0; i < 50 && threads() > before; i++) await sleep(20);
  assert.ok(threads() <= before, `worker threads left running: ${threads()} threads, ${before} before`);
  model.dispose();
});

test('with shared memory the workers answer through their done signals (no message on the critical path), with the bytes of the single thread', async () => {
  const { ReplicaPool } = await import('../lib/pool.js');
  const { LocalStepper, makeBatch } = await import('../lib/session.js');
  const { Seq2Seq } = await import('../lib/core.js');
  const model = await Translator.create({ pairs: data.train, ...SMALL });
  const alone = await Seq2Seq.load(model.core.save());
  const shardsOf = (i) => [0, 1, 2].map((k) => makeBatch([{ src: [4 + k, 5, 6 + i], tgt: [6, 5 + k, 4, 7] }, { src: [5, 4 + i], tgt: [4, 5 + k] }]).batch);
  for (const transport of ['shared', 'transfer']) {
    const pool = await ReplicaPool.start(model.core, { workers: 2, transport });
    const local = new LocalStepper(alone);
    for (let i = 0; i < 3; i++) {
      const a = await pool.step(shardsOf(i), { learningRate: 0.01, clipNorm: 5 });
      const b = await local.step(shardsOf(i), { learningRate: 0.01, clipNorm: 5 });
      assert.equal(a.loss, b.loss);
    }
    // (a worker not done within 50 ms of this thread, on a very busy machine, goes by message)
    if (transport === 'shared') assert.ok(pool.stats.signalled > 0, 'no step went through the done signals');
    else assert.equal(pool.stats.signalled, 0);
    assert.equal(sha(model.core.save()), sha(alone.save()));
    await pool.close();
  }
  alone.dispose();
  model.dispose();
});
