// chart.js: a line chart drawn on a <canvas> (loss curve, held-out accuracy, the experiment's
// accuracy-by-length and cost plots). Series of {x, y} points, linear or log y axis, a legend,
// and redrawing when the canvas's container changes width. Nothing else.

import { fitCanvas, watchWidth, cssVar, formatNumber } from './canvas.js';

export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {object} o
   *   xLabel, yLabel: axis titles; height: CSS px; logY: log-scale y; yMin, yMax: fixed range
   *   (otherwise from the data); percent: y in [0,1] shown as %; series: [{ name, color, dash }];
   *   points: draw markers on each point; xInteger: integer x ticks.
   */
  constructor(canvas, o) {
    this.canvas = canvas;
    this.o = { height: 200, ...o };
    this.data = this.o.series.map(() => []);
    this.emptyText = o.emptyText || 'No data yet';
    this._scheduled = false;
    this.box = watchWidth(canvas, () => this.draw());
    this.draw();
  }

  set(seriesIndex, points) {
    this.data[seriesIndex] = points;
    // How many points each series has, for tests and tools that cannot read pixels.
    this.canvas.dataset.points = this.data.map((d) => d.length).join(',');
    this.describe();
    this.requestDraw();
  }

  /** A text version for screen readers: each series' latest point. */
  describe() {
    const { o } = this;
    const fmt = (y) => (o.percent ? `${(y * 100).toFixed(1)} %` : formatNumber(y, 3));
    const parts = o.series.map((s, i) => {
      const last = this.data[i][this.data[i].length - 1];
      return last ? `${s.name}: ${fmt(last.y)} at ${o.xLabel} ${formatTick(Number(last.x.toFixed(1)))}` : `${s.name}: no data yet`;
    });
    this.canvas.setAttribute('aria-label', `${o.yLabel} by ${o.xLabel}. ${parts.join('; ')}.`);
  }

  clear() {
    this.data = this.o.series.map(() => []);
    this.requestDraw();
  }

  /** Redraw at the next animation frame (many pushes in one frame draw once). */
  requestDraw() {
    if (this._scheduled) return;
    this._scheduled = true;
    requestAnimationFrame(() => {
      this._scheduled = false;
      this.draw();
    });
  }

  draw() {
    const { canvas, o } = this;
    const width = this.box.width;
    const height = o.height;
    const ctx = fitCanvas(canvas, width, height);
    const text = cssVar('--text', '#1d2330');
    const muted = cssVar('--muted', '#5d6678');
    const grid = cssVar('--grid', '#e4e8f0');
    ctx.font = '12px system-ui, sans-serif';

    const all = this.data.flat().filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.logY || p.y > 0));
    const left = 52, right = 12, top = o.series.length > 1 ? 26 : 12, bottom = 38;
    const pw = width - left - right, ph = height - top - bottom;
    if (pw < 20 || ph < 20) return;

    const { xMin, xMax, yMin, yMax, xTicks, yTicks } = axes(o, all, pw, ph);
    const ty = o.logY ? (y) => Math.log10(y) : (y) => y;
    const y0 = ty(yMin), y1 = ty(yMax);
    const X = (x) => left + ((x - xMin) / (xMax - xMin)) * pw;
    const Y = (y) => top + ph - ((ty(y) - y0) / (y1 - y0 || 1)) * ph;

    // Grid and ticks.
    ctx.strokeStyle = grid;
    ctx.fillStyle = muted;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const { value, label } of yTicks) {
      const py = Math.round(Y(value)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, py);
      ctx.lineTo(left + pw, py);
      ctx.stroke();
      ctx.fillText(label, left - 6, py);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const { value, label } of xTicks) {
      const px = Math.round(X(value)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, top + ph);
      ctx.lineTo(px, top + ph + 4);
      ctx.stroke();
      ctx.fillText(label, px, top + ph + 6);
    }
    ctx.strokeStyle = muted;
    ctx.beginPath();
    ctx.moveTo(left + 0.5, top);
    ctx.lineTo(left + 0.5, top + ph + 0.5);
    ctx.lineTo(left + pw, top + ph + 0.5);
    ctx.stroke();

    // Axis titles.
    ctx.fillStyle = muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    if (o.xLabel) ctx.fillText(o.xLabel, left + pw / 2, height - 2);
    if (o.yLabel) {
      ctx.save();
      ctx.translate(12, top + ph / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = 'middle';
      ctx.fillText(o.yLabel, 0, 0);
      ctx.restore();
    }

    if (!all.length) {
      ctx.fillStyle = muted;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(this.emptyText, left + pw / 2, top + ph / 2);
    }

    // Series.
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top - 4, pw + 4, ph + 8);
    ctx.clip();
    this.o.series.forEach((s, i) => {
      const pts = this.data[i].filter((p) => Number.isFinite(p.y) && (!o.logY || p.y > 0));
      if (!pts.length) return;
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = s.width || 2;
      ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      pts.forEach((p, k) => (k ? ctx.lineTo(X(p.x), Y(p.y)) : ctx.moveTo(X(p.x), Y(p.y))));
      ctx.stroke();
      ctx.setLineDash([]);
      if (o.points || pts.length === 1) {
        for (const p of pts) {
          ctx.beginPath();
          ctx.arc(X(p.x), Y(p.y), 3, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    });
    ctx.restore();

    // Legend.
    if (o.series.length > 1) {
      ctx.font = '12px system-ui, sans-serif';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      let x = left;
      for (const s of o.series) {
        ctx.strokeStyle = s.color;
        ctx.lineWidth = 3;
        ctx.setLineDash(s.dash || []);
        ctx.beginPath();
        ctx.moveTo(x, 10);
        ctx.lineTo(x + 18, 10);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = text;
        ctx.fillText(s.name, x + 22, 10);
        x += 30 + ctx.measureText(s.name).width + 12;
      }
    }
  }
}

/** The empty log axis: the range a loss usually spans (cross-entropy per symbol). */
const EMPTY_LOG_RANGE = [1e-3, 10];

/**
 * The axes of a chart, without drawing: ranges and labelled ticks. With no data an axis whose
 * range is not fixed gets no ticks (no made-up 0-1 scale), except a log axis, which shows
 * EMPTY_LOG_RANGE; every label of one axis has one format.
 * @param {object} o the chart's options (logY, yMin, yMax, xMin, xMax, percent, xInteger)
 * @param {{x: number, y: number}[]} points the finite points to show
 * @param {number} pw plot width, CSS px
 * @param {number} ph plot height, CSS px
 */
export function axes(o, points, pw = 600, ph = 150) {
  const empty = points.length === 0;
  let xMin = o.xMin ?? (empty ? 0 : Math.min(...points.map((p) => p.x)));
  let xMax = o.xMax ?? (empty ? 1 : Math.max(...points.map((p) => p.x)));
  if (xMax <= xMin) xMax = xMin + 1;
  let yMin, yMax;
  if (o.logY) {
    yMin = Math.max(o.yMin ?? (empty ? EMPTY_LOG_RANGE[0] : Math.min(...points.map((p) => p.y))), 1e-6);
    yMax = o.yMax ?? (empty ? EMPTY_LOG_RANGE[1] : Math.max(...points.map((p) => p.y)));
    yMax = Math.max(yMax, yMin * 10);
  } else {
    yMin = o.yMin ?? (empty ? 0 : Math.min(...points.map((p) => p.y)));
    yMax = o.yMax ?? (empty ? 1 : Math.max(...points.map((p) => p.y)));
    if (yMax <= yMin) yMax = yMin + 1;
  }
  const xKnown = !empty || (o.xMin !== undefined && o.xMax !== undefined);
  const yKnown = !empty || o.logY || (o.yMin !== undefined && o.yMax !== undefined);
  let xs = xKnown ? niceTicks(xMin, xMax, Math.max(2, Math.floor(pw / 70))) : [];
  if (o.xInteger) xs = xs.filter((t) => Number.isInteger(t));
  const ys = !yKnown ? [] : o.logY ? logTicks(yMin, yMax) : niceTicks(yMin, yMax, Math.max(2, Math.floor(ph / 36)));
  const yLabels = o.percent ? ys.map((t) => `${Math.round(t * 100)}%`) : o.logY ? logLabels(ys) : linearLabels(ys);
  return {
    xMin, xMax, yMin, yMax,
    xTicks: xs.map((value) => ({ value, label: formatTick(value) })),
    yTicks: ys.map((value, i) => ({ value, label: yLabels[i] })),
  };
}

/** Log-axis labels in one format: plain decimals down to 0.001 (1, 0.1, 0.01, 0.001), else
 *  all as powers of ten (1e0, 1e-1, ... 1e-6). */
export function logLabels(ticks) {
  if (ticks.every((t) => t >= 1e-3 && t < 1e5)) return ticks.map((t) => String(Number(t.toPrecision(3))));
  return ticks.map((t) => {
    const e = Math.floor(Math.log10(t) + 1e-9);
    const m = Number((t / 10 ** e).toPrecision(3));
    return m === 1 ? `1e${e}` : `${m}e${e}`;
  });
}

/** Linear-axis labels with the fewest decimals that show every tick exactly, the same for all. */
export function linearLabels(ticks) {
  if (ticks.every((t) => Number.isInteger(t))) return ticks.map(formatTick);
  for (let d = 1; d <= 6; d++) {
    const labels = ticks.map((t) => t.toFixed(d));
    if (labels.every((l, i) => Math.abs(Number(l) - ticks[i]) <= Math.abs(ticks[i]) * 1e-9)) return labels;
  }
  return ticks.map((t) => t.toExponential(2));
}

function formatTick(t) {
  if (Math.abs(t) >= 1e4) return `${Math.round(t / 1000)}k`;
  if (Number.isInteger(t)) return String(t);
  return String(Number(t.toPrecision(3)));
}

function niceTicks(min, max, count) {
  const span = max - min;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  const ticks = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function logTicks(min, max) {
  const ticks = [];
  const decades = Math.log10(max / min);
  const mantissas = decades > 2 ? [1] : decades > 1 ? [1, 3] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of mantissas) {
      const t = m * 10 ** e;
      if (t >= min * 0.999 && t <= max * 1.001) ticks.push(t);
    }
  }
  return ticks.length >= 2 ? ticks : [min, max];
}
