// canvas.js: small helpers shared by the page's drawings (line charts, heat maps, bars).
// Sizing a <canvas> for the device's pixel ratio, colours, and number formatting. No drawing
// library: everything the page shows is drawn with the 2D context here and in its callers.

/** Size `canvas` to `cssWidth` x `cssHeight` CSS pixels at the device pixel ratio; returns the
 *  2D context scaled so callers draw in CSS pixels. */
export function fitCanvas(canvas, cssWidth, cssHeight) {
  const ratio = Math.min(window.devicePixelRatio || 1, 3);
  const w = Math.max(1, Math.round(cssWidth));
  const h = Math.max(1, Math.round(cssHeight));
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

/**
 * Tracks the width available to a canvas (its parent's content box) with a ResizeObserver and
 * calls onChange when it changes. Drawing reads the cached width, so a redraw never forces the
 * browser to lay out the page in the middle of a task.
 */
export function watchWidth(canvas, onChange, fallback = 600) {
  const parent = canvas.parentElement;
  const box = { width: fallback };
  if (!parent) return box;
  const style = getComputedStyle(parent);
  const w = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  if (w > 0) box.width = w;
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver((entries) => {
      const width = entries[entries.length - 1].contentRect.width;
      if (width > 0 && Math.abs(width - box.width) > 1) {
        box.width = width;
        onChange();
      }
    }).observe(parent);
  }
  return box;
}

const cssCache = new Map();
/** Reads a CSS custom property of the document (colours live in style.css), once. */
export function cssVar(name, fallback) {
  if (!cssCache.has(name)) {
    cssCache.set(name, getComputedStyle(document.documentElement).getPropertyValue(name).trim());
  }
  return cssCache.get(name) || fallback;
}

/** Sequential colour for a weight in [0, 1]: from the page background to a deep blue. */
export function weightColor(w) {
  const t = Math.max(0, Math.min(1, w));
  // Interpolate in a perceptually gentle way: light -> blue -> deep indigo.
  const stops = [
    [0.0, [247, 250, 255]],
    [0.25, [190, 215, 245]],
    [0.55, [90, 150, 225]],
    [0.8, [35, 85, 185]],
    [1.0, [20, 30, 110]],
  ];
  for (let k = 1; k < stops.length; k++) {
    if (t <= stops[k][0]) {
      const [t0, c0] = stops[k - 1];
      const [t1, c1] = stops[k];
      const u = (t - t0) / (t1 - t0);
      const c = c0.map((v, i) => Math.round(v + u * (c1[i] - v)));
      return `rgb(${c[0]},${c[1]},${c[2]})`;
    }
  }
  return 'rgb(20,30,110)';
}

/** Diverging colour for a value in [-1, 1] (state and context vectors): red - white - blue. */
export function divergingColor(v) {
  const t = Math.max(-1, Math.min(1, v));
  const a = Math.abs(t);
  const base = [250, 250, 250];
  const end = t >= 0 ? [33, 102, 172] : [178, 24, 43];
  const c = base.map((b, i) => Math.round(b + a * (end[i] - b)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Makes whitespace visible in labels. */
export function showSymbol(s) {
  if (s === ' ') return '␣';
  if (s === '\t') return '⇥';
  if (s === '') return '∅';
  return s.replaceAll(' ', '▁'); // a subword piece's spaces (docs/tokenizers.md, "Shown to people")
}

export function formatNumber(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return x.toFixed(digits);
}

export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return '–';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}
