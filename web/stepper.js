// stepper.js: renders one decoding step of a trace from Translator.explain() the way the seed
// tutorial's steps a), b), c) describe it: the scores a_j of s_{i-1} against every encoder
// state h_j, their softmax alpha_j, the context c_{i-1}, the new state s_i and the output
// distribution with the chosen symbol. Pure rendering into a container; app.js owns the trace.

import { divergingColor, weightColor, showSymbol, formatNumber } from './canvas.js';

const BOS_LABEL = '<s>';

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'style') e.setAttribute('style', v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function symbolLabel(s) {
  if (s === '</s>' || s === '<s>' || s === '<unk>') return s;
  return showSymbol(s);
}

/** A vector as a strip of coloured cells (blue positive, red negative), scaled by max |v|. */
function vectorStrip(v, label) {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  const strip = el('div', { class: 'vec', role: 'img', 'aria-label': `${label}: ${v.length} numbers, largest magnitude ${formatNumber(max)}` });
  for (const x of v) {
    strip.append(el('span', { style: `background:${divergingColor(max ? x / max : 0)}`, title: formatNumber(x, 4) }));
  }
  let min = Infinity, hi = -Infinity;
  for (const x of v) { min = Math.min(min, x); hi = Math.max(hi, x); }
  const first = Array.from(v.slice(0, 4), (x) => formatNumber(x, 3)).join(', ');
  const cap = el('div', { class: 'vec-caption', text: `${v.length} numbers from ${formatNumber(min)} to ${formatNumber(hi)}: [${first}${v.length > 4 ? ', …' : ''}]` });
  return [strip, cap];
}

/**
 * @param {HTMLElement} body  where to render
 * @param {object} trace      { source: string[], steps: [{ symbol, scores, weights, context, state, top: [{symbol,p}] }] }
 * @param {number} i          0-based step index
 * @param {object} cfg        { cell, attention } of the model (for the formulas), may be partial
 */
export function renderStep(body, trace, i, cfg = {}) {
  body.replaceChildren();
  const step = trace.steps[i];
  const src = trace.source;
  const n = i + 1; // the tutorial counts steps from 1
  const attention = step.weights && step.weights.length ? (cfg.attention || 'additive') : 'none';
  const cell = (cfg.cell || 'gru').toUpperCase().replace('RNN', 'RNN');
  const prev = i === 0 ? BOS_LABEL : symbolLabel(trace.steps[i - 1].symbol);

  // The two sequences, with the current step marked.
  const srcRow = el('div', { class: 'seq', 'aria-label': 'Input symbols, shaded by this step’s attention weight' });
  src.forEach((s, j) => {
    const w = attention === 'none' ? 0 : step.weights[j];
    const span = el('span', { text: symbolLabel(s), title: attention === 'none' ? '' : `α${j + 1} = ${w.toFixed(3)}` });
    span.style.background = weightColor(w);
    if (w > 0.55) span.style.color = '#fff';
    srcRow.append(span);
  });
  const outRow = el('div', { class: 'seq', 'aria-label': 'Output symbols; the current one is outlined' });
  trace.steps.forEach((s, k) => {
    outRow.append(el('span', { class: k === i ? 'current' : k > i ? 'future' : '', text: symbolLabel(s.symbol) }));
  });
  body.append(el('p', { class: 'hint', text: 'Input (shaded by this step’s weights α):' }), srcRow,
    el('p', { class: 'hint', text: 'Output so far (this step outlined):' }), outRow);

  const grid = el('div', { class: 'step-grid' });
  const left = el('div');
  const right = el('div');
  grid.append(left, right);
  body.append(grid);

  // a) scores and softmax, context.
  if (attention === 'none') {
    left.append(el('h3', { text: `a) No attention` }),
      el('p', { text: `This model has no attention: the decoder never looks back at h1…hm. All it knows about the input is s0 = h${src.length}, the encoder’s last state, carried forward in its own state. That is the bottleneck the tutorial describes.` }));
  } else {
    const formula = attention === 'dot'
      ? `aⱼ = (W_Q s${sub(n - 1)}) · (W_K hⱼ) / √A`
      : `aⱼ = vᵀ tanh(Wₕ hⱼ + Wₛ s${sub(n - 1)} + b)`;
    left.append(el('h3', { text: `a) Score s${sub(n - 1)} against every encoder state hⱼ` }),
      el('p', { class: 'formula', text: `${formula}    α = softmax(a)` }));
    const table = el('table', { class: 'scores' });
    table.append(el('thead', {}, el('tr', {}, el('th', { text: 'input' }), el('th', { text: 'j' }), el('th', { text: 'score aⱼ' }), el('th', { text: 'weight αⱼ' }), el('th', { text: '' }))));
    const tbody = el('tbody');
    let best = 0;
    step.weights.forEach((w, j) => { if (w > step.weights[best]) best = j; });
    src.forEach((s, j) => {
      const w = step.weights[j];
      const tr = el('tr', {},
        el('td', { text: symbolLabel(s) }),
        el('td', { text: String(j + 1) }),
        el('td', { text: formatNumber(step.scores[j], 3) }),
        el('td', { text: w.toFixed(3) }),
        el('td', { class: 'bar' }, el('span', { class: 'barfill', style: `width:${(w * 100).toFixed(1)}%` })));
      if (j === best) tr.style.fontWeight = '700';
      tbody.append(tr);
    });
    table.append(tbody);
    left.append(el('div', { class: 'table-scroll' }, table));
    left.append(el('p', { class: 'formula', text: `c${sub(n - 1)} = Σⱼ αⱼ hⱼ   (weights sum to ${sum(step.weights).toFixed(3)})` }),
      ...vectorStrip(step.context, `context c${sub(n - 1)}`));
    left.append(el('p', { class: 'hint', text: `The largest weight, ${step.weights[best].toFixed(3)}, is on “${symbolLabel(src[best])}” (position ${best + 1}): to write this symbol the decoder mostly reads that part of the input.` }));
  }

  // b) new state, c) output.
  const inputs = attention === 'none' ? `x'${sub(n)}` : `[x'${sub(n)} ; c${sub(n - 1)}]`;
  right.append(el('h3', { text: `b) New decoder state s${sub(n)}` }),
    el('p', { class: 'formula', text: `s${sub(n)} = ${cell}(${inputs}, s${sub(n - 1)})   x'${sub(n)} = embed(“${prev}”)` }),
    ...vectorStrip(step.state, `state s${sub(n)}`));
  const outFormula = attention === 'none' ? `p(y${sub(n)}) = softmax(W s${sub(n)} + b)` : `p(y${sub(n)}) = softmax(W [s${sub(n)} ; c${sub(n - 1)}] + b)`;
  right.append(el('h3', { text: `c) Choose output symbol ${n}` }), el('p', { class: 'formula', text: outFormula }));
  const top = el('table', { class: 'scores' });
  top.append(el('thead', {}, el('tr', {}, el('th', { text: 'symbol' }), el('th', { text: 'p' }), el('th', { text: '' }))));
  const tb = el('tbody');
  for (const t of (step.top || []).slice(0, 6)) {
    const tr = el('tr', {},
      el('td', { text: symbolLabel(t.symbol) }),
      el('td', { text: t.p >= 0.001 || t.p === 0 ? t.p.toFixed(3) : t.p.toExponential(1) }),
      el('td', { class: 'bar' }, el('span', { class: 'barfill p', style: `width:${(t.p * 100).toFixed(1)}%` })));
    if (t.symbol === step.symbol) tr.style.fontWeight = '700';
    tb.append(tr);
  }
  top.append(tb);
  right.append(top);
  const chosen = el('p', {}, `Greedy decoding takes the most likely symbol: `, el('span', { class: 'chosen', 'data-testid': 'step-chosen', text: symbolLabel(step.symbol) }));
  right.append(chosen);
  if (step.symbol === '</s>') {
    right.append(el('p', { class: 'hint', text: 'The end-of-sequence symbol: decoding stops here.' }));
  } else if (i + 1 < trace.steps.length) {
    right.append(el('p', { class: 'hint', text: `Next step: “${symbolLabel(step.symbol)}” becomes x'${sub(n + 1)}, and s${sub(n)} is scored against the hⱼ again.` }));
  }
}

function sum(a) {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

const SUBS = '₀₁₂₃₄₅₆₇₈₉';
function sub(k) {
  return String(k).split('').map((d) => SUBS[Number(d)] ?? d).join('');
}
