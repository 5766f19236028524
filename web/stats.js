// stats.js: the training panel's live numbers (steps, epoch, loss, held-out scores, examples per
// second, training time) and its loss and accuracy curves. It reads the page's state through
// getState() and redraws at most four times a second: each redraw costs a frame's style, layout
// and paint, and progress messages arrive up to twenty times a second.

import { LineChart } from './chart.js';
import { formatDuration } from './canvas.js';
import { scoresText } from './corpus.js';

const $ = (id) => document.getElementById(id);
const STATS_EVERY_MS = 250;
const MAX_LOSS_POINTS = 1500;

export class TrainingStats {
  /**
   * @param {() => { steps: number, examples: number, trainMs: number, lossPoints: {x: number, y: number}[],
   *   lastEval: object|null, data: object|null }} getState the page's state
   */
  constructor(getState) {
    this.getState = getState;
    /** What the current training run reports between the page's own counts (chunkStep, batchSize, loss, speed, chunkMs). */
    this.live = {};
    this.timer = 0;
    this.lastAt = 0;
    this.lossChart = new LineChart($('loss-chart'), {
      height: 190, logY: true, xLabel: 'training step', yLabel: 'loss', emptyText: 'The loss appears here while training',
      series: [{ name: 'loss', color: '#2457c5', width: 1.5 }],
    });
    this.accChart = new LineChart($('acc-chart'), {
      height: 170, yMin: 0, yMax: 1, percent: true, xLabel: 'training step', yLabel: 'exact match',
      emptyText: 'Measured on held-out pairs after every second of training',
      series: [{ name: 'held-out exact match', color: '#1c7c3a' }],
    });
  }

  /** Merges `patch` into the live numbers and schedules a redraw. */
  render(patch) {
    Object.assign(this.live, patch);
    if (this.timer) return;
    const wait = Math.max(0, STATS_EVERY_MS - (performance.now() - this.lastAt));
    this.timer = setTimeout(() => requestAnimationFrame(() => {
      this.timer = 0;
      this.lastAt = performance.now();
      this._draw();
    }), wait);
  }

  _draw() {
    const state = this.getState();
    const s = this.live;
    const steps = state.steps + (s.chunkStep || 0);
    $('stat-steps').textContent = steps.toLocaleString('en-US');
    if (state.data && state.data.train.length) {
      const seen = state.examples + (s.chunkStep || 0) * (s.batchSize || 0);
      $('stat-epoch').textContent = (seen / state.data.train.length).toFixed(2);
    }
    if (Number.isFinite(s.loss)) $('stat-loss').textContent = s.loss.toFixed(4);
    if (Number.isFinite(s.speed)) $('stat-speed').textContent = Math.round(s.speed).toLocaleString('en-US');
    $('stat-time').textContent = formatDuration(state.trainMs + (s.chunkMs || 0));
    if (state.lastEval) $('stat-acc').textContent = `${(state.lastEval.exactMatch * 100).toFixed(1)} %`;
    $('stat-bleu').textContent = scoresText(state.lastEval);
    this._drawLoss(state.lossPoints);
  }

  // Thousands of points draw fine; past that, neighbours are averaged so the canvas stays cheap.
  _drawLoss(pts) {
    if (pts.length <= MAX_LOSS_POINTS) {
      this.lossChart.set(0, pts);
      return;
    }
    const k = Math.ceil(pts.length / MAX_LOSS_POINTS);
    const out = [];
    for (let i = 0; i < pts.length; i += k) {
      let sx = 0, sy = 0, n = 0;
      for (let j = i; j < Math.min(pts.length, i + k); j++) { sx += pts[j].x; sy += pts[j].y; n++; }
      out.push({ x: sx / n, y: sy / n });
    }
    this.lossChart.set(0, out);
  }

  /** Empties the curves and the numbers (a new model). */
  reset() {
    this.live = {};
    this.lossChart.clear();
    this.accChart.clear();
    for (const id of ['stat-loss', 'stat-acc', 'stat-speed']) $(id).textContent = '–';
    $('stat-steps').textContent = '0';
    $('stat-epoch').textContent = '0';
    $('stat-time').textContent = formatDuration(0);
  }
}
