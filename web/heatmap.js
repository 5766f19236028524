// heatmap.js: the attention weight picture, drawn on a <canvas>. Rows are output symbols, columns
// input symbols, each cell alpha_ij (how much output i looked at input j), darker = more. Labels
// on both axes, an optional highlighted row (the step-through's current step), and the weight
// under the pointer shown in a caption. It only draws; the page decides what to show.

import { fitCanvas, watchWidth, cssVar, weightColor, showSymbol } from './canvas.js';
import { AttentionPicture, weightText, labelFont, labelWidths, fitLabels, MAX_UPRIGHT } from './attention.js';

export class Heatmap extends AttentionPicture {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {object} o  maxCell: largest cell size in CSS px; caption: element for hover read-outs;
   *                    emptyText: what to say with nothing to show.
   */
  constructor(canvas, o = {}) {
    super(o, { maxCell: 30, minCell: 12 });
    this.canvas = canvas;
    this.layout = null;
    canvas.addEventListener('pointermove', (e) => this._hover(e));
    canvas.addEventListener('pointerleave', () => this._caption(''));
    this.box = watchWidth(canvas, () => this.draw());
    this.draw();
  }

  draw() {
    const { canvas, o } = this;
    const a = this.attention;
    const width = this.box.width;
    const muted = cssVar('--muted', '#5d6678');
    const text = cssVar('--text', '#1d2330');
    if (!this.hasAttention()) {
      const ctx = fitCanvas(canvas, width, 80);
      ctx.fillStyle = muted;
      ctx.font = '13px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(o.emptyText, width / 2, 40);
      canvas.dataset.rows = '0';
      canvas.dataset.cols = '0';
      canvas.setAttribute('aria-label', `Attention heat map: ${o.emptyText}`);
      this.layout = null;
      return;
    }
    const { rows, cols, weights, source, target } = a;
    const labelW = Math.ceil(Math.max(24, ...labelWidths(target, labelFont(13)))) + 10;
    // Cells as large as fit (up to maxCell); never below minCell: then the container scrolls.
    const cell = Math.max(o.minCell, Math.min(o.maxCell, Math.floor((width - labelW - 4) / cols)));
    const fontPx = Math.max(10, Math.min(14, cell - 4));
    // Source labels wider than a cell (subword pieces, words) stand upright instead of overlapping.
    const fit = fitLabels(labelWidths(source, labelFont(fontPx)), cell);
    const upright = fit.any;
    const labelH = fit.extent;
    const cssW = labelW + cell * cols + 4;
    const cssH = labelH + cell * rows + 4;
    const ctx = fitCanvas(canvas, cssW, cssH);
    this.layout = { labelW, labelH, cell, rows, cols };

    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        ctx.fillStyle = weightColor(weights[i * cols + j]);
        ctx.fillRect(labelW + j * cell, labelH + i * cell, cell - 1, cell - 1);
      }
    }
    ctx.font = labelFont(fontPx);
    ctx.fillStyle = text;
    if (upright) {
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      for (let j = 0; j < cols; j++) {
        ctx.save();
        ctx.translate(labelW + j * cell + cell / 2, labelH - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(showSymbol(source[j] ?? ''), 0, 0, MAX_UPRIGHT);
        ctx.restore();
      }
    } else {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      for (let j = 0; j < cols; j++) ctx.fillText(showSymbol(source[j] ?? ''), labelW + j * cell + cell / 2, labelH - 4);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i < rows; i++) ctx.fillText(showSymbol(target[i] ?? ''), labelW - 6, labelH + i * cell + cell / 2);

    if (this.highlight >= 0 && this.highlight < rows) {
      ctx.strokeStyle = cssVar('--accent-2', '#e8590c');
      ctx.lineWidth = 2;
      ctx.strokeRect(labelW - 1, labelH + this.highlight * cell - 1, cols * cell + 1, cell + 1);
    }
    canvas.dataset.rows = String(rows);
    canvas.dataset.cols = String(cols);
    // Where the cells are (CSS px from the canvas's corner), for tools that point at a cell.
    canvas.dataset.cell = String(cell);
    canvas.dataset.left = String(labelW);
    canvas.dataset.top = String(labelH);
    canvas.setAttribute('aria-label',
      `Attention heat map, ${rows} output symbols by ${cols} input symbols. ` +
      target.map((t, i) => {
        let best = 0;
        for (let j = 1; j < cols; j++) if (weights[i * cols + j] > weights[i * cols + best]) best = j;
        return `${showSymbol(t)} looks most at ${showSymbol(source[best] ?? '')}`;
      }).join('; '));
  }

  _hover(e) {
    const L = this.layout;
    if (!L || !this.attention) return;
    const r = this.canvas.getBoundingClientRect();
    // The page's CSS may shrink the canvas to fit (max-width): pointer positions scale back.
    const scale = r.width > 0 ? parseFloat(this.canvas.style.width) / r.width : 1;
    const x = (e.clientX - r.left) * scale - L.labelW, y = (e.clientY - r.top) * scale - L.labelH;
    const j = Math.floor(x / L.cell), i = Math.floor(y / L.cell);
    if (i < 0 || j < 0 || i >= L.rows || j >= L.cols) {
      this._caption('');
      return;
    }
    this._caption(weightText(this.attention, i, j));
  }
}
