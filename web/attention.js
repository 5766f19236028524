// attention.js: what the page's two attention pictures (heatmap.js on a canvas, lines.js in SVG)
// share: holding the attention to show (or the sentence to show without one), the read-out of
// one weight and where it goes (a caption under the picture), and measuring symbol labels to
// decide whether they fit side by side or stand upright.

import { cssVar, showSymbol } from './canvas.js';

/** The longest a label stands upright (px); longer ones are squeezed to it. */
export const MAX_UPRIGHT = 140;

export class AttentionPicture {
  /** o: caption (element for the read-outs), emptyText (what to say with nothing to show), and
   *  whatever the picture takes besides, over `defaults`. */
  constructor(o, defaults) {
    this.o = { emptyText: 'Nothing to show yet', ...defaults, ...o };
    this.attention = null;
    this.highlight = -1;
  }

  /** attention: { weights: Float32Array [rows*cols], rows, cols, source: string[], target: string[] } or null. */
  set(attention, emptyText) {
    this.attention = attention;
    if (emptyText) this.o.emptyText = emptyText;
    this.draw();
  }

  /** Marks output row `row` (the step-through's current step); -1 for none. */
  setHighlight(row) {
    this.highlight = row;
    this.draw();
  }

  /** True when there is attention to draw. */
  hasAttention() {
    const a = this.attention;
    return !!(a && a.rows && a.cols);
  }

  _caption(s) {
    if (this.o.caption) this.o.caption.textContent = s || '';
  }
}

/** "output “2” (step 1) → input “1” (position 3): weight 0.930": weight alpha_ij of `a` in words. */
export function weightText(a, i, j) {
  const w = a.weights[i * a.cols + j];
  return `output “${showSymbol(a.target[i] ?? '')}” (step ${i + 1}) → input “${showSymbol(a.source[j] ?? '')}” (position ${j + 1}): weight ${w.toFixed(3)}`;
}

let measurer = null;
/** The monospace font the pictures label symbols in, at `px` pixels. */
export function labelFont(px) {
  return `${px}px ${cssVar('--mono', 'ui-monospace, monospace')}`;
}

/** The widths (px) of `labels` (symbols, shown as showSymbol shows them) in `font`. */
export function labelWidths(labels, font) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = font;
  return labels.map((s) => measurer.measureText(showSymbol(s ?? '')).width);
}

/**
 * How a row of labels `slot` px apart fits: each label narrower than its slot (with 2 px to
 * spare) lies flat, a wider one stands upright (then it is only a line of text wide).
 * -> { upright: boolean[] (per label), any, extent }: extent is how far the labels reach from
 * the row's edge: `flat` (their height lying flat) or, with any upright, the longest of those.
 */
export function fitLabels(widths, slot, flat = 22) {
  const upright = widths.map((w) => w > slot - 2);
  const tallest = Math.max(0, ...widths.filter((w, i) => upright[i]));
  const any = upright.some(Boolean);
  return { upright, any, extent: any ? Math.max(flat, Math.ceil(Math.min(tallest, MAX_UPRIGHT)) + 8) : flat };
}
