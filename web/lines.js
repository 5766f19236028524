// lines.js: the seed tutorial's own picture of attention: the input symbols in a row above, the
// output symbols in a row below, and a line from each output symbol to every input symbol whose
// thickness (and darkness) is the weight alpha_ij. Drawn as SVG, so every line and symbol is an
// element: hover or focus an output symbol to bring its lines forward and read its weights; hover
// a line for its own weight; the arrow keys move between output symbols. It only draws; the page
// decides what to show (the same attention objects as the heat map).

import { showSymbol } from './canvas.js';
import { AttentionPicture, weightText, labelFont, labelWidths, fitLabels, MAX_UPRIGHT } from './attention.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_WIDTH = 7;     // px, a weight of 1
// Lighter lines would be invisible: they are not drawn at all (the read-outs of an output symbol
// still list its weights), which keeps a 40 x 40 picture to a few hundred elements.
const MIN_SHOWN = 0.005;
const FONT_PX = 13;      // the labels' size (style.css .attn-lines text)
const MIN_STEP = 18;     // px between symbols: a line of text and a little air
const MAX_STEP = 64;     // wider labels stand upright rather than spread the picture further
const BAND = 120;        // px from the input row to the output row
const HOVER_PX = 6;      // how near a line the pointer must be to read it

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** A symbol's label at (x, y): lying flat (centred, baseline at y) or upright (reading upwards,
 *  starting at y and going up for an input, ending at y and hanging down for an output). */
function label(text, x, y, { upright, width, below }) {
  const t = svg('text', upright
    ? { x, y, 'text-anchor': below ? 'end' : 'start', 'dominant-baseline': 'middle', transform: `rotate(-90 ${x} ${y})` }
    : { x, y, 'text-anchor': 'middle' });
  if (upright && width > MAX_UPRIGHT) {
    t.setAttribute('textLength', String(MAX_UPRIGHT));
    t.setAttribute('lengthAdjust', 'spacingAndGlyphs');
  }
  t.textContent = text;
  return t;
}

/** Distance from (px, py) to the segment (x1, y1)-(x2, y2). */
function segmentDistance(px, py, { x1, y1, x2, y2 }) {
  const dx = x2 - x1, dy = y2 - y1;
  const u = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (x1 + u * dx), py - (y1 + u * dy));
}

export class AttentionLines extends AttentionPicture {
  /**
   * @param {HTMLElement} box the element to draw into (it scrolls sideways when needed)
   * @param {object} o  caption: element for the read-outs; emptyText: what to say with nothing
   *                    to show; testId: data-testid of the drawing.
   */
  constructor(box, o = {}) {
    super(o, { testId: 'attention-lines' });
    this.box = box;
    this.draw();
  }

  /** Brings output row i's lines forward (the step-through's current step); -1 for none. */
  setHighlight(row) {
    this.highlight = row;
    this._emphasise(row, false, false);
  }

  draw() {
    const root = svg('svg', { role: 'group', class: 'attn-lines', 'data-testid': this.o.testId });
    this.root = root;
    this.rowGroups = [];
    this.segments = [];
    if (!this.hasAttention()) {
      root.setAttribute('viewBox', '0 0 300 40');
      root.setAttribute('width', '300');
      root.setAttribute('height', '40');
      root.dataset.rows = '0';
      root.dataset.cols = '0';
      root.setAttribute('aria-label', `Attention lines: ${this.o.emptyText}`);
      const t = svg('text', { x: 4, y: 24, class: 'empty' });
      t.textContent = this.o.emptyText;
      root.append(t);
      this.box.replaceChildren(root);
      return;
    }
    const a = this.attention;
    const { rows, cols, weights, source, target } = a;
    // The input row sets the spacing: each symbol gets its label's width (at least MIN_STEP, at
    // most MAX_STEP); a label wider than its slot stands upright, so no two labels overlap and 40
    // symbols fit in 720 px plus margins (the box scrolls when the page is narrower).
    const font = labelFont(FONT_PX);
    const inW = labelWidths(source, font);
    const outW = labelWidths(target, font);
    const step = Math.max(MIN_STEP, Math.min(MAX_STEP, Math.ceil(Math.max(0, ...inW)) + 6));
    const inFit = fitLabels(inW, step);
    const outFit = fitLabels(outW, step);
    const n = Math.max(rows, cols);
    const width = 16 + step * n;
    const topY = inFit.extent + 4;              // where the lines start (below the input labels)
    const bottomY = topY + BAND;                // where they end (above the output labels)
    const height = bottomY + outFit.extent + 4;
    const xIn = (j) => 8 + step * (j + 0.5) + (step * (n - cols)) / 2;
    const xOut = (i) => 8 + step * (i + 0.5) + (step * (n - rows)) / 2;
    root.setAttribute('viewBox', `0 0 ${width} ${height}`);
    root.setAttribute('width', String(width));
    root.setAttribute('height', String(height));
    root.dataset.rows = String(rows);
    root.dataset.cols = String(cols);
    root.setAttribute('aria-label', `Attention as lines: ${rows} output symbols below, ${cols} input symbols above; thicker lines are larger weights. Focus an output symbol and use the arrow keys to read its weights.`);

    const lineLayer = svg('g', { class: 'lines' });
    root.append(lineLayer);
    for (let i = 0; i < rows; i++) {
      const g = svg('g', { class: 'row', 'data-row': i });
      for (let j = 0; j < cols; j++) {
        const w = weights[i * cols + j];
        if (!(w >= MIN_SHOWN)) continue;
        const seg = { x1: xOut(i), y1: bottomY, x2: xIn(j), y2: topY, i, j };
        const line = svg('line', {
          ...seg,
          'stroke-width': Math.max(0.4, w * MAX_WIDTH).toFixed(2),
          'stroke-opacity': Math.min(1, 0.12 + w).toFixed(3),
          'data-col': j,
          'data-w': w.toFixed(4),
        });
        const title = svg('title');
        title.textContent = weightText(a, i, j);
        line.append(title);
        g.append(line);
        this.segments.push({ ...seg, line, w });
      }
      lineLayer.append(g);
      this.rowGroups.push(g);
    }
    const inputs = svg('g', { class: 'symbols inputs' });
    source.forEach((s, j) => {
      const up = inFit.upright[j];
      inputs.append(label(showSymbol(s), xIn(j), up ? topY - 4 : topY - 6, { upright: up, width: inW[j] }));
    });
    const outputs = svg('g', { class: 'symbols outputs' });
    target.forEach((s, i) => {
      const up = outFit.upright[i];
      const t = label(showSymbol(s), xOut(i), up ? bottomY + 4 : bottomY + 16, { upright: up, width: outW[i], below: true });
      for (const [k, v] of Object.entries({ tabindex: i === Math.max(0, this.highlight) ? 0 : -1, role: 'button', 'data-row': i, 'aria-label': this._rowText(i) })) t.setAttribute(k, String(v));
      t.addEventListener('pointerenter', () => this._emphasise(i, true, true));
      t.addEventListener('focus', () => this._emphasise(i, true, true));
      t.addEventListener('keydown', (e) => this._key(e, i));
      outputs.append(t);
    });
    root.addEventListener('pointermove', (e) => this._hover(e));
    root.addEventListener('pointerleave', () => {
      this._hoverLine(null);
      this._emphasise(this.highlight, false, false);
    });
    root.append(inputs, outputs);
    this.outputs = [...outputs.children];
    this.box.replaceChildren(root);
    this._emphasise(this.highlight, false, false);
  }

  /** The pointer over the lines: the nearest line (within HOVER_PX) is marked and its weight read out. */
  _hover(e) {
    if (!this.segments.length || e.target.closest?.('.outputs')) return;
    const r = this.root.getBoundingClientRect();
    const scale = r.width > 0 ? Number(this.root.getAttribute('width')) / r.width : 1;
    const x = (e.clientX - r.left) * scale, y = (e.clientY - r.top) * scale;
    let best = null, bestD = HOVER_PX;
    for (const s of this.segments) {
      const d = segmentDistance(x, y, s) - Number(s.line.getAttribute('stroke-width')) / 2;
      if (d <= bestD) { best = s; bestD = d; }
    }
    this._hoverLine(best);
  }

  _hoverLine(seg) {
    if (this.hovered === seg) return;
    this.hovered?.line.classList.remove('hover');
    this.hovered = seg;
    if (!seg) return;
    seg.line.classList.add('hover');
    this._caption(weightText(this.attention, seg.i, seg.j));
  }

  /** "output “2” (step 1) looks at: “1” 0.93, “8” 0.05, …" — the three largest weights. */
  _rowText(i) {
    const { cols, weights, source, target } = this.attention;
    const order = Array.from({ length: cols }, (_, j) => j).sort((p, q) => weights[i * cols + q] - weights[i * cols + p]);
    const top = order.slice(0, 3).map((j) => `“${showSymbol(source[j] ?? '')}” ${weights[i * cols + j].toFixed(3)}`);
    return `output “${showSymbol(target[i] ?? '')}” (step ${i + 1}) looks at ${top.join(', ')}${cols > 3 ? ', …' : ''}`;
  }

  /** Colours output row `row`'s lines (the step-through's step, or the symbol under the pointer
   *  or focus); `dim` also fades every other row, for reading one row's weights. */
  _emphasise(row, announce, dim) {
    if (!this.rowGroups) return;
    this.rowGroups.forEach((g, i) => g.classList.toggle('dim', dim && row >= 0 && i !== row));
    this.rowGroups.forEach((g, i) => g.classList.toggle('on', i === row));
    if (row >= 0 && this.rowGroups[row]) this.rowGroups[row].parentNode.append(this.rowGroups[row]); // draw on top
    if (announce && row >= 0) this._caption(this._rowText(row));
  }

  _key(e, i) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -1, ArrowDown: 1 };
    let next = null;
    if (e.key in moves) next = i + moves[e.key];
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = this.outputs.length - 1;
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation();
    next = Math.max(0, Math.min(this.outputs.length - 1, next));
    this.outputs[i].setAttribute('tabindex', '-1');
    this.outputs[next].setAttribute('tabindex', '0');
    this.outputs[next].focus();
  }
}

/** One object that shows the same attention in a heat map and a lines view (set, setHighlight). */
export function alongside(heatmap, lines) {
  return {
    set(attention, emptyText) {
      heatmap.set(attention, emptyText);
      lines.set(attention, emptyText);
    },
    setHighlight(row) {
      heatmap.setHighlight(row);
      lines.setHighlight(row);
    },
  };
}

/**
 * The view picker: 'both' | 'heatmap' | 'lines' shows or hides the elements with
 * data-attn-view="heatmap" / "lines" (kept in localStorage so a reload keeps the choice).
 */
export function wireViewToggle(select) {
  const KEY = 'seq2seq-attention:attention-view';
  const apply = () => {
    for (const e of document.querySelectorAll('[data-attn-view]')) {
      e.hidden = select.value !== 'both' && select.value !== e.dataset.attnView;
    }
  };
  try {
    const saved = localStorage.getItem(KEY);
    if (saved && [...select.options].some((o) => o.value === saved)) select.value = saved;
  } catch { /* no storage: the default view */ }
  select.addEventListener('change', () => {
    apply();
    try { localStorage.setItem(KEY, select.value); } catch { /* not kept */ }
  });
  apply();
}
