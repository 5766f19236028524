// experiment.js: the tutorial's two claims, measured in the page. Three fresh models that differ
// only in attention (additive, dot, none) train on the same data for the same wall-clock time,
// each in its own worker, sharing the cores fairly (each trains data-parallel on a third of the
// browser's threads, at least one); then they translate the held-out pairs, and the page plots
// (a) exact match against input length and (b) the cost: attention scores per translation (m*t)
// and the measured time per translation, against input length.

import { LineChart } from './chart.js';
import { formatDuration } from './canvas.js';
import { corpusBleu } from '../lib/metrics.js';
import { getTokenizer } from '../lib/text.js';

const $ = (id) => document.getElementById(id);
const KINDS = [
  { attention: 'additive', name: 'additive', color: '#2457c5' },
  { attention: 'dot', name: 'dot', color: '#e8590c', dash: [6, 3] },
  { attention: 'none', name: 'none', color: '#7a7f8c' },
];
const MAX_TEST = 600;

function lengthOf(text, tokenizer) {
  const t = typeof tokenizer === 'object' ? tokenizer.source : tokenizer;
  return t === 'word' ? text.trim().split(/\s+/).length : [...text].length;
}

/** Groups items by length: one group per length if few, otherwise up to 8 equal-width bins. */
function binsByLength(items) {
  const lengths = [...new Set(items.map((it) => it.len))].sort((a, b) => a - b);
  const lo = lengths[0], hi = lengths[lengths.length - 1];
  const nBins = lengths.length <= 20 ? lengths.length : 10;
  const width = lengths.length <= 20 ? null : (hi - lo + 1) / nBins;
  const bins = new Map();
  for (const it of items) {
    const key = width ? Math.min(nBins - 1, Math.floor((it.len - lo) / width)) : it.len;
    if (!bins.has(key)) bins.set(key, []);
    bins.get(key).push(it);
  }
  return [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([, its]) => ({
    items: its,
    x: its.reduce((s, it) => s + it.len, 0) / its.length,
  })).filter((b) => b.items.length >= 3);
}

export class Experiment {
  constructor({ getSettings, getData, createRemote, cores = () => 1 }) {
    this.cores = cores;
    this.getSettings = getSettings;
    this.getData = getData;
    this.createRemote = createRemote;
    this.running = false;
    this.remotes = [];
    const series = KINDS.map((k) => ({ name: k.name, color: k.color, dash: k.dash }));
    this.accChart = new LineChart($('exp-acc'), { height: 220, yMin: 0, yMax: 1, percent: true, points: true, xLabel: 'input length (symbols)', yLabel: 'exact match', series, emptyText: 'Run the experiment to fill this in' });
    this.scoreChart = new LineChart($('exp-scores'), { height: 220, yMin: 0, points: true, xLabel: 'input length m (symbols)', yLabel: 'scores m·t', series, emptyText: 'Scores computed per translation' });
    this.bleuChart = new LineChart($('exp-bleu'), { height: 220, yMin: 0, yMax: 100, points: true, xLabel: 'input length (symbols or words)', yLabel: 'BLEU', series, emptyText: 'BLEU of each length group' });
    this.timeChart = new LineChart($('exp-time'), { height: 220, yMin: 0, points: true, xLabel: 'input length (symbols)', yLabel: 'ms per translation', series, emptyText: 'Measured time per translation' });
    $('exp-btn').addEventListener('click', () => this.run());
    $('exp-stop').addEventListener('click', () => this.stop());
  }

  setState(text) {
    $('exp-state').textContent = text;
  }

  stop() {
    this.stopRequested = true;
    for (const r of this.remotes) r.stop();
    this.setState('Stopping…');
  }

  async run() {
    if (this.running) return;
    $('exp-error').hidden = true;
    let s, data;
    try {
      s = this.getSettings();
      data = await this.getData($('exp-task').value);
      if (!data) throw new Error('Pick the data first (a task, or a TSV file in 1. Train).');
    } catch (err) {
      this.fail(err);
      return;
    }
    this.running = true;
    this.stopRequested = false;
    $('exp-btn').disabled = true;
    $('exp-stop').disabled = false;
    const budgetMs = Number($('exp-seconds').value) * 1000;
    try {
      this.setState('Starting three workers…');
      this.remotes = await Promise.all(KINDS.map((k) => this.createRemote({
        pairs: data.train, tokenizer: data.tokenizer || 'char',
        cell: s.cell, attention: k.attention, scale: true,
        embed: s.embed, hidden: s.hidden, attentionSize: s.attentionSize, seed: s.seed, backend: s.backend,
      })));
      const progress = KINDS.map(() => ({ steps: 0, loss: NaN }));
      const t0 = performance.now();
      const tick = setInterval(() => {
        const el = formatDuration(performance.now() - t0);
        const threads = progress[0].workers ? ` (${progress[0].workers} thread${progress[0].workers === 1 ? '' : 's'} each)` : '';
        this.setState(`Training three models at once${threads} for ${formatDuration(budgetMs)}: ${el} so far. ` +
          KINDS.map((k, i) => `${k.name}: ${progress[i].steps} steps, loss ${Number.isFinite(progress[i].loss) ? progress[i].loss.toFixed(3) : '–'}`).join(' · '));
      }, 500);
      try {
        await Promise.all(this.remotes.map((r, i) => this.trainFor(r, data, s, budgetMs, progress[i])));
      } finally {
        clearInterval(tick);
      }
      if (this.stopRequested) {
        this.setState('Stopped.');
        return;
      }
      await this.measure(data, progress);
    } catch (err) {
      this.fail(err);
    } finally {
      for (const r of this.remotes) r.dispose().catch(() => {});
      this.remotes = [];
      this.running = false;
      $('exp-btn').disabled = false;
      $('exp-stop').disabled = true;
    }
  }

  // One resumable session per model (lib/session.js in its worker) for the whole budget: the
  // pairs cross once, and the three share the cores (a third of the threads each).
  async trainFor(remote, data, s, budgetMs, progress) {
    const workers = Math.max(1, Math.floor(this.cores() / KINDS.length));
    await remote.startSession(data.train, {
      epochs: 100000, batchSize: s.batchSize, learningRate: s.learningRate, clipNorm: 5,
      shuffleSeed: s.seed >>> 0, bucket: true, workers,
    });
    const rep = await remote.runSession({ maxMs: budgetMs }, {
      onProgress: (p) => {
        progress.steps = p.step;
        progress.loss = p.loss;
        progress.workers = p.workers;
      },
    });
    progress.steps = rep.steps;
    progress.loss = rep.loss;
    progress.workers = rep.workers;
    await remote.closeSession();
  }

  async measure(data, progress) {
    this.setState('Translating the held-out pairs with each model…');
    const test = data.test.slice(0, MAX_TEST);
    const items = test.map(([src, tgt]) => ({ src, tgt, len: lengthOf(src, data.tokenizer || 'char') }));
    const bins = binsByLength(items);
    const rows = [];
    for (let i = 0; i < KINDS.length; i++) {
      const remote = this.remotes[i];
      const results = await remote.translateBatch(items.map((it) => it.src), { beam: 1 });
      const right = results.map((r, k) => r.text === items[k].tgt);
      // Without attention no scores are computed (m*t = 0), whatever the attention field holds.
      const scoresOf = (r) => (KINDS[i].attention === 'none' ? 0 : r.attention.rows * r.attention.cols);
      const byItem = new Map(items.map((it, k) => [it, { ok: right[k], scores: scoresOf(results[k]) }]));
      this.accChart.set(i, bins.map((b) => ({ x: b.x, y: b.items.filter((it) => byItem.get(it).ok).length / b.items.length })));
      this.scoreChart.set(i, bins.map((b) => ({ x: b.x, y: b.items.reduce((a, it) => a + byItem.get(it).scores, 0) / b.items.length })));
      // BLEU of each length group (sacreBLEU's corpus BLEU over the group, target tokens).
      const tok = getTokenizer(typeof data.tokenizer === 'object' ? data.tokenizer.target : data.tokenizer || 'char');
      const outText = new Map(items.map((it, k) => [it, results[k].text]));
      this.bleuChart.set(i, bins.map((b) => ({
        x: b.x,
        y: corpusBleu(b.items.map((it) => tok.tokenize(outText.get(it))), b.items.map((it) => tok.tokenize(it.tgt))).score,
      })));
      // Time: each length group's inputs, repeated to 100 translations per call so the call
      // is long enough to time, three times (the first warms up the compiled code); the
      // fastest, per translation.
      const times = [];
      for (const b of bins) {
        const srcs = [];
        while (srcs.length < 100) srcs.push(...b.items.map((it) => it.src));
        let best = Infinity;
        for (let rep = 0; rep < 3; rep++) {
          const t0 = performance.now();
          await remote.translateBatch(srcs, { beam: 1 });
          best = Math.min(best, (performance.now() - t0) / srcs.length);
        }
        times.push({ x: b.x, y: best });
      }
      this.timeChart.set(i, times);
      const total = results.reduce((a, r) => a + scoresOf(r), 0);
      rows.push({
        name: KINDS[i].name,
        exact: right.filter(Boolean).length / right.length,
        scores: total / results.length,
        ms: times.reduce((a, t, k) => a + t.y * bins[k].items.length, 0) / bins.reduce((a, b) => a + b.items.length, 0),
        steps: progress[i].steps,
        loss: progress[i].loss,
      });
      this.renderTable(rows, test.length);
    }
    const [add, , none] = rows;
    this.setState(`Done on ${test.length} held-out pairs: additive ${(add.exact * 100).toFixed(1)} %, none ${(none.exact * 100).toFixed(1)} % exact match. ` +
      'Read (a) left to right: where the plain model’s line drops with length, attention’s holds. (b) shows the price: m·t scores per translation, and the time they take.');
  }

  renderTable(rows, count) {
    const table = document.createElement('table');
    const head = ['attention', 'steps', 'final loss', `exact match (${count})`, 'scores per translation', 'ms per translation'];
    const thead = table.createTHead().insertRow();
    for (const h of head) {
      const th = document.createElement('th');
      th.textContent = h;
      thead.append(th);
    }
    const body = table.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      for (const v of [r.name, r.steps.toLocaleString('en-US'), Number.isFinite(r.loss) ? r.loss.toFixed(3) : '–', `${(r.exact * 100).toFixed(1)} %`, Math.round(r.scores).toLocaleString('en-US'), r.ms.toFixed(2)]) {
        tr.insertCell().textContent = v;
      }
    }
    $('exp-table').replaceChildren(table);
  }

  fail(err) {
    const e = $('exp-error');
    e.textContent = `The experiment stopped: ${err && err.message ? err.message : err}`;
    e.hidden = false;
    this.setState('');
  }
}
