// The Translator API on the real core: vocabularies, training (progress, stop, schedules,
// bucketing, determinism, divergence), translation and its attention labels, the decoding
// trace, evaluation, save/load, dispose, and bad input at every entry. Models are tiny so the
// whole file runs in a few seconds.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Translator, Seq2Seq, tasks, EOS } from '../lib/index.js';

const SMALL = { embed: 8, hidden: 16, attentionSize: 16 };
const data = tasks.reverse({ seed: 1, trainSize: 400, testSize: 40, minLength: 2, maxLength: 5, alphabet: 'abcd' });

async function small(options = {}) {
  return Translator.create({ pairs: data.train, ...SMALL, ...options });
}

test('create builds the vocabularies and says which backend it got', async () => {
  const model = await small();
  try {
    assert.ok(['simd', 'scalar'].includes(model.backend));
    assert.deepEqual(model.tokenizer, { source: 'char', target: 'char' });
    assert.deepEqual([...model.sourceVocabulary.symbols].sort(), ['a', 'b', 'c', 'd']);
    assert.equal(model.config.srcVocabSize, 8);
    assert.equal(model.config.tgtVocabSize, 8);
    assert.equal(model.config.cell, 'gru');
    assert.equal(model.config.attention, 'additive');
    assert.equal(model.config.hidden, 16);
    assert.ok(model.core instanceof Seq2Seq);
    const scalar = await small({ backend: 'scalar' });
    assert.equal(scalar.backend, 'scalar');
    scalar.dispose();
  } finally {
    model.dispose();
  }
});

test('train: progress every step, a report, the loss falls, and the model learns to reverse', async () => {
  const model = await small({ hidden: 32, attentionSize: 32 });
  try {
    const seen = [];
    const report = await model.train(data.train, {
      epochs: 12, batchSize: 32, learningRate: 0.01,
      onProgress: (p) => seen.push(p),
    });
    assert.equal(report.steps, 12 * Math.ceil(400 / 32));
    assert.equal(report.epochs, 12);
    assert.equal(report.stopped, false);
    assert.equal(seen.length, report.steps);
    assert.equal(report.history.length, report.steps);
    const p = seen[seen.length - 1];
    assert.equal(p.step, report.steps);
    assert.equal(p.totalSteps, report.steps);
    assert.equal(p.epoch, 12);
    for (const key of ['loss', 'examplesPerSecond', 'tokensPerSecond', 'elapsedMs', 'learningRate']) {
      assert.ok(Number.isFinite(p[key]) && p[key] >= 0, key);
    }
    const mean = (a) => a.reduce((s, x) => s + x.loss, 0) / a.length;
    assert.ok(mean(seen.slice(-10)) < 0.5 * mean(seen.slice(0, 10)), 'loss falls');
    assert.equal(model.stepCount, report.steps);
    const scores = model.evaluate(data.test);
    assert.ok(scores.exactMatch >= 0.8, `reverse exact match ${scores.exactMatch}`);
  } finally {
    model.dispose();
  }
});

test('translate: text, tokens, ids, scores, and an attention matrix labelled both ways', async () => {
  const model = await small();
  try {
    await model.train(data.train, { steps: 5 });
    const r = model.translate('abcd', { maxLength: 12 });
    assert.equal(typeof r.text, 'string');
    assert.equal(r.text, r.tokens.join(''));
    assert.ok(r.ids instanceof Int32Array);
    assert.ok(r.ids.length >= 1 && r.ids.length <= 12);
    assert.equal(r.attention.rows, r.ids.length);
    assert.equal(r.attention.cols, 4);
    assert.deepEqual(r.attention.source, ['a', 'b', 'c', 'd']);
    assert.deepEqual(r.attention.target, Array.from(r.ids, (id) => model.targetVocabulary.symbol(id)));
    // Decoding that stops at EOS labels its last row '</s>'; decoding cut at maxLength has no
    // '</s>' row (the output layer's EOS bias decides which happens).
    const bias = model.core.getParameter('out.bias').data;
    const eosBias = (value) => model.core.setParameter('out.bias', bias.map((b, i) => (i === EOS ? value : b)));
    eosBias(30);
    const stopped = model.translate('abcd', { maxLength: 12 });
    assert.deepEqual(Array.from(stopped.ids), [EOS]);
    assert.deepEqual(stopped.attention.target, ['</s>']);
    assert.deepEqual(stopped.tokens, []);
    assert.equal(stopped.text, '');
    eosBias(-30);
    const cut = model.translate('abcd', { maxLength: 12 });
    assert.equal(cut.ids.length, 12);
    assert.equal(cut.tokens.length, 12);
    assert.ok(!cut.attention.target.includes('</s>'), cut.attention.target.join(' '));
    model.core.setParameter('out.bias', bias);
    assert.equal(r.attention.weights.length, r.attention.rows * r.attention.cols);
    for (let i = 0; i < r.attention.rows; i++) {
      const row = r.attention.weights.subarray(i * 4, i * 4 + 4);
      assert.ok(Math.abs(row.reduce((s, x) => s + x, 0) - 1) < 1e-4, 'attention rows sum to 1');
    }
    assert.ok(r.logProb <= 0);
    assert.deepEqual(r.unknown, []);
    assert.equal(r.nBest.length, 1);
    assert.equal(r.nBest[0].text, r.text);
  } finally {
    model.dispose();
  }
});

test('translate: unknown symbols become <unk> and are reported; beam gives an n-best list', async () => {
  const model = await small();
  try {
    const r = model.translate('a😀bz');
    assert.deepEqual(r.unknown, [{ symbol: '😀', index: 1 }, { symbol: 'z', index: 3 }]);
    assert.deepEqual(r.attention.source, ['a', '😀', 'b', 'z']);
    const beam = model.translate('abc', { beam: 4, nBest: 3, maxLength: 8 });
    assert.equal(beam.nBest.length, 3);
    for (let k = 1; k < beam.nBest.length; k++) assert.ok(beam.nBest[k - 1].score >= beam.nBest[k].score, 'best first');
    assert.equal(beam.nBest[0].text, beam.text);
    const batch = model.translateBatch(['ab', 'ba'], { maxLength: 6 });
    assert.equal(batch.length, 2);
    assert.equal(batch[0].text, model.translate('ab', { maxLength: 6 }).text);
  } finally {
    model.dispose();
  }
});

test('explain: every step with symbols, weights summing to 1 and the top outputs', async () => {
  const model = await small();
  try {
    const e = model.explain('dcba', { maxLength: 8, top: 3 });
    assert.deepEqual(e.source, ['d', 'c', 'b', 'a']);
    assert.equal(e.target.length, e.steps.length);
    assert.equal(e.text, model.translate('dcba', { maxLength: 8 }).text);
    for (const s of e.steps) {
      assert.equal(s.scores.length, 4);
      assert.equal(s.weights.length, 4);
      assert.ok(Math.abs(s.weights.reduce((a, x) => a + x, 0) - 1) < 1e-4);
      assert.equal(s.context.length, 16);
      assert.equal(s.state.length, 16);
      assert.equal(s.probs.length, model.targetVocabulary.size);
      assert.equal(s.top.length, 3);
      assert.ok(s.top[0].p >= s.top[1].p && s.top[1].p >= s.top[2].p);
      assert.equal(s.symbol, model.targetVocabulary.symbol(s.token));
      assert.equal(s.top[0].symbol, s.symbol, 'greedy picks the most likely symbol');
    }
  } finally {
    model.dispose();
  }
});

test('evaluate agrees with translate and the metric definitions', async () => {
  const model = await small();
  try {
    await model.train(data.train, { steps: 10 });
    const pairs = data.test.slice(0, 15);
    const scores = model.evaluate(pairs);
    const outputs = pairs.map(([src]) => model.translate(src).text);
    const exact = outputs.filter((o, i) => o === pairs[i][1]).length / pairs.length;
    assert.equal(scores.exactMatch, exact);
    assert.equal(scores.count, 15);
    assert.ok(scores.tokenAccuracy >= 0 && scores.tokenAccuracy <= 1);
    assert.ok(scores.bleu >= 0 && scores.bleu <= 100);
    assert.ok(scores.chrf >= 0 && scores.chrf <= 100);
    assert.equal(scores.mistakes.length, Math.min(10, pairs.length - Math.round(exact * pairs.length)));
  } finally {
    model.dispose();
  }
});

test('same seeds give the same training and translations; bucketing cuts padding', async () => {
  const runs = [];
  for (let k = 0; k < 2; k++) {
    const model = await small({ seed: 5 });
    const losses = [];
    await model.train(data.train, { steps: 8, shuffleSeed: 3, onProgress: (p) => losses.push(p.loss) });
    runs.push({ losses, text: model.translate('abcd').text });
    model.dispose();
  }
  assert.deepEqual(runs[0], runs[1]);

  const padding = async (bucket) => {
    const model = await small();
    const original = model.core.accumulateGradientSums.bind(model.core);
    let real = 0;
    let cells = 0;
    model.core.accumulateGradientSums = (batch, o) => {
      real += batch.srcLengths.reduce((s, x) => s + x, 0);
      cells += batch.batchSize * batch.srcLength;
      return original(batch, o);
    };
    await model.train(data.train, { epochs: 1, batchSize: 16, bucket, workers: 1 });
    model.dispose();
    return 1 - real / cells;
  };
  const bucketed = await padding(true);
  const unbucketed = await padding(false);
  assert.ok(bucketed < 0.05, `padding with buckets ${bucketed}`);
  assert.ok(unbucketed > 0.15, `padding without buckets ${unbucketed}`);
});

test('train: stops on the signal, follows the schedule, reports held-out scores', async () => {
  const model = await small();
  try {
    const controller = new AbortController();
    const report = await model.train(data.train, {
      epochs: 100, onProgress: (p) => p.step === 3 && controller.abort(), signal: controller.signal,
    });
    assert.equal(report.stopped, true);
    assert.equal(report.steps, 3);

    const rates = [];
    await model.train(data.train, { steps: 4, learningRate: 0.01, schedule: 'cosine', onProgress: (p) => rates.push(p.learningRate) });
    assert.equal(rates[0], 0.01);
    for (let k = 1; k < 4; k++) assert.ok(rates[k] < rates[k - 1]);
    const calls = [];
    await model.train(data.train, { steps: 2, schedule: (step, total) => (calls.push([step, total]), 0.001) });
    assert.deepEqual(calls, [[0, 2], [1, 2]]);

    const evaluated = await model.train(data.train, { steps: 4, evaluate: { pairs: data.test.slice(0, 5), every: 2 } });
    assert.deepEqual(evaluated.history.map((h) => Boolean(h.eval)), [false, true, false, true]);
    assert.equal(evaluated.history[1].eval.count, 5);
  } finally {
    model.dispose();
  }
});

test('save/load keeps weights, vocabularies, tokenizers and info', async () => {
  const pairs = tasks['en-fr']({ seed: 2, trainSize: 200, testSize: 0 }).train;
  const model = await Translator.create({ pairs, tokenizer: 'word', ...SMALL, info: { task: 'en-fr', note: 'été' } });
  try {
    await model.train(pairs, { steps: 3 });
    const before = model.translate('the red car', { maxLength: 10 });
    const bytes = model.save();
    assert.ok(bytes instanceof Uint8Array && bytes.length > 100);
    const loaded = await Translator.load(bytes);
    try {
      assert.deepEqual(loaded.tokenizer, { source: 'word', target: 'word' });
      assert.deepEqual(loaded.sourceVocabulary.symbols, model.sourceVocabulary.symbols);
      assert.deepEqual(loaded.targetVocabulary.symbols, model.targetVocabulary.symbols);
      assert.deepEqual(loaded.info, { task: 'en-fr', note: 'été' });
      const after = loaded.translate('the red car', { maxLength: 10 });
      assert.equal(after.text, before.text);
      assert.deepEqual(Array.from(after.ids), Array.from(before.ids));
      assert.ok(Math.abs(after.logProb - before.logProb) < 1e-5);
    } finally {
      loaded.dispose();
    }
    const fromBuffer = await Translator.load(bytes.slice().buffer);
    fromBuffer.dispose();
  } finally {
    model.dispose();
  }
});

test('every cell and attention kind trains, translates, explains and round-trips through a file', async () => {
  for (const cell of ['rnn', 'gru', 'lstm']) {
    for (const attention of ['additive', 'dot', 'none']) {
      const model = await small({ cell, attention });
      try {
        await model.train(data.train, { steps: 2 });
        const r = model.translate('abc', { maxLength: 6, beam: 2 });
        assert.equal(r.attention.weights.length, r.attention.rows * r.attention.cols, `${cell}/${attention}`);
        const e = model.explain('abc', { maxLength: 6 });
        assert.equal(e.steps[0].weights.length, attention === 'none' ? 0 : 3, `${cell}/${attention}: trace weights`);
        const loaded = await Translator.load(model.save());
        assert.equal(loaded.config.cell, cell);
        assert.equal(loaded.config.attention, attention);
        assert.equal(loaded.translate('abc', { maxLength: 6, beam: 2 }).text, r.text);
        loaded.dispose();
      } finally {
        model.dispose();
      }
    }
  }
});
