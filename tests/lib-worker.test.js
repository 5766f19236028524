// TranslatorWorker: the same API, async, in a worker (a Node worker thread here; a module Web
// Worker in browsers). Progress is forwarded, stop() aborts training, errors keep their codes,
// and a model saved in the worker loads in the main thread.
import test from 'node:test';
import assert from 'node:assert/strict';
import { TranslatorWorker, Translator, tasks } from '../lib/index.js';

const data = tasks.copy({ seed: 1, trainSize: 300, testSize: 20, minLength: 2, maxLength: 5, alphabet: 'abcd' });
const SMALL = { embed: 8, hidden: 16, attentionSize: 16 };

test('worker: create, train with progress, translate, explain, evaluate, save', async () => {
  const remote = await TranslatorWorker.create({ pairs: data.train, ...SMALL, info: { from: 'worker' } });
  try {
    assert.ok(['simd', 'scalar'].includes(remote.backend));
    assert.equal(remote.config.hidden, 16);
    assert.deepEqual(remote.tokenizer, { source: 'char', target: 'char' });
    assert.deepEqual(remote.info, { from: 'worker' });
    assert.deepEqual([...remote.sourceSymbols].sort(), ['a', 'b', 'c', 'd']);
    const progress = [];
    const report = await remote.train(data.train, { steps: 6, batchSize: 16, onProgress: (p) => progress.push(p) });
    assert.equal(report.steps, 6);
    assert.equal(remote.stepCount, 6);
    assert.ok(progress.length >= 1, 'progress is forwarded');
    assert.equal(progress.at(-1).step, 6, 'the last step is always forwarded');
    const r = await remote.translate('abc', { maxLength: 8 });
    assert.ok(r.attention.weights instanceof Float32Array);
    assert.deepEqual(r.attention.source, ['a', 'b', 'c']);
    const batch = await remote.translateBatch(['ab', 'cd'], { maxLength: 8 });
    assert.equal(batch.length, 2);
    const e = await remote.explain('abc', { maxLength: 8 });
    assert.equal(e.steps.length, e.target.length);
    const scores = await remote.evaluate(data.test.slice(0, 5));
    assert.equal(scores.count, 5);
    const bytes = await remote.save();
    assert.ok(bytes instanceof Uint8Array);
    const local = await Translator.load(bytes);
    assert.equal(local.translate('abc', { maxLength: 8 }).text, r.text, 'same model in and out of the worker');
    local.dispose();
    const again = await TranslatorWorker.load(bytes);
    assert.equal((await again.translate('abc', { maxLength: 8 })).text, r.text);
    await again.dispose();
  } finally {
    await remote.dispose();
  }
});

test('worker: stop() and an aborted signal end training after the current step', async () => {
  const remote = await TranslatorWorker.create({ pairs: data.train, ...SMALL });
  try {
    let stopping = false;
    const report = await remote.train(data.train, {
      epochs: 100000, batchSize: 4,
      onProgress: () => {
        if (!stopping) {
          stopping = true;
          remote.stop();
        }
      },
    });
    assert.equal(report.stopped, true);
    assert.ok(report.steps < 100000 * 75);
    const controller = new AbortController();
    const pending = remote.train(data.train, { epochs: 100000, batchSize: 4, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    assert.equal((await pending).stopped, true);
  } finally {
    await remote.dispose();
  }
});

test('worker: errors keep their message and code; calls after dispose reject', async () => {
  await assert.rejects(TranslatorWorker.create({ pairs: [] }), /pairs is empty/);
  const remote = await TranslatorWorker.create({ pairs: data.train, ...SMALL });
  await assert.rejects(remote.translate(''), (e) => e.code === 'BAD_ARGUMENT' && /no symbols to translate/.test(e.message));
  await assert.rejects(remote.train(data.train, { steps: 1, batchSize: 0 }), /batchSize/);
  await assert.rejects(remote.train(data.train, { onProgress: 'x' }), /onProgress must be a function/);
  await remote.dispose();
  await assert.rejects(remote.translate('ab'), /terminated|disposed/);
  assert.throws(() => remote.backend, (e) => e.code === 'DISPOSED' && /disposed: create or load a new one/.test(e.message));
  await assert.rejects(TranslatorWorker.create({ pairs: data.train }, { workerUrl: new URL('./no-such-worker.js', import.meta.url) }), /worker/);
});
