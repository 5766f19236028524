// translate.js: what the page shows of the model's translations: the translate panel (the
// output, its cost, the attention as a heat map and as lines, the step-through) and the training
// panel's probe (one held-out input whose attention is redrawn while training). Translations
// run in the model's worker; an answer that arrives after a newer question is dropped.

import { Heatmap } from './heatmap.js';
import { AttentionLines, alongside } from './lines.js';
import { renderStep } from './stepper.js';
import { showSymbol } from './canvas.js';
import { showError, errorText } from './messages.js';
import { showUnknown, showNBest } from './translate-view.js';
import { state } from './state.js';

const $ = (id) => document.getElementById(id);

// Each attention picture twice: the heat map and the tutorial's lines (web/lines.js), as picked.
const probeMap = alongside(new Heatmap($('probe-map'), { maxCell: 24, emptyText: 'Starts updating when training starts' }),
  new AttentionLines($('probe-lines'), { testId: 'probe-lines', caption: $('probe-lines-caption'), emptyText: 'Starts updating when training starts' }));
const mainMap = alongside(new Heatmap($('map'), { maxCell: 32, caption: $('map-caption'), emptyText: 'Type an input above' }),
  new AttentionLines($('lines'), { caption: $('lines-caption'), emptyText: 'Type an input above' }));

/** The probe: the first held-out input of the picked data; its picture waits for training. */
export function setProbe() {
  const probe = state.data?.test?.[0]?.[0] || '';
  state.probe = probe;
  $('probe-text').textContent = probe;
  $('probe-out').textContent = '';
  probeMap.set(null, 'Starts updating when training starts');
}

/** Translates the probe with the current model and redraws its attention. */
export async function updateProbe() {
  if (!state.remote || !state.probe) return;
  const r = await state.remote.translate(state.probe, { beam: 1 });
  $('probe-out').textContent = r.text;
  probeMap.set(attentionOrNull(r.attention), 'This model has no attention (plain seq2seq)');
}

/** The attention to draw, or null for a model without attention (nothing was computed). */
function attentionOrNull(a) {
  if (state.remote?.config?.attention === 'none') return null;
  return a && a.rows && a.cols && a.weights && a.weights.length ? a : null;
}

let translateTimer = 0;
/** Translates the input after `delay` ms (typing restarts the wait); withTrace: also the step-through. */
export function retranslate(delay = 0, { withTrace = true } = {}) {
  clearTimeout(translateTimer);
  translateTimer = setTimeout(() => translateNow({ withTrace }), delay);
}

/** Empties the translate panel, saying `message` where the output goes. */
export function clearTranslation(message) {
  const out = $('output');
  out.textContent = message || '';
  out.classList.toggle('placeholder', !!message);
  $('nbest').hidden = true;
  $('unknown').hidden = true;
  $('cost').textContent = '';
  mainMap.set(null, message || 'Type an input above');
  $('step-body').replaceChildren(Object.assign(document.createElement('p'), { className: 'hint', textContent: message || 'Type an input above.' }));
  $('step-title').textContent = '–';
}

/** Forgets the step-through (the model it came from is gone). */
export function clearTrace() {
  state.trace = null;
}

async function translateNow({ withTrace = true } = {}) {
  const text = $('input').value;
  const seq = ++state.translateSeq;
  showError('translate-error', '');
  if (!state.remote) {
    clearTranslation('Train or load a model first.');
    return;
  }
  if (!text.trim()) {
    clearTranslation('Type an input.');
    return;
  }
  const beam = Number($('decode').value);
  try {
    const t0 = performance.now();
    const r = await state.remote.translate(text, { beam, nBest: beam > 1 ? Math.min(beam, 5) : 1 });
    const ms = performance.now() - t0;
    if (seq !== state.translateSeq) return;
    const out = $('output');
    out.classList.remove('placeholder');
    out.textContent = r.text;
    out.dataset.source = text;
    if (!performance.getEntriesByName('s2s:first-translation').length) performance.mark('s2s:first-translation');
    showUnknown($('unknown'), r.unknown || []);
    showNBest($('nbest'), beam > 1 ? r.nBest || [] : []);
    const a = attentionOrNull(r.attention);
    const waited = state.training ? ', including the wait for the worker to finish its current training call' : '';
    const m = r.attention?.cols ?? [...text].length;
    const t = r.attention?.rows ?? (r.tokens?.length || 0) + 1;
    $('cost').textContent = a
      ? `Cost: m = ${m} input symbols × t = ${t} output steps (including the end symbol) = ${(m * t).toLocaleString('en-US')} attention scores${beam > 1 ? ` per hypothesis (beam ${beam})` : ''}; translated in ${ms.toFixed(1)} ms (round trip to the worker${waited}).`
      : `No attention: 0 scores; m = ${m} input symbols, t = ${t} output steps; translated in ${ms.toFixed(1)} ms (round trip to the worker${waited}).`;
    mainMap.set(a, 'This model has no attention (plain seq2seq): nothing to draw');
    if (!withTrace) return;
    const trace = await state.remote.explain(text, { top: 5 });
    if (seq !== state.translateSeq) return;
    const keep = state.trace && state.trace.text === text ? state.stepIndex : 0;
    state.trace = { ...trace, text };
    showStep(Math.min(keep, trace.steps.length - 1));
  } catch (err) {
    if (seq !== state.translateSeq) return;
    showError('translate-error', `Could not translate: ${errorText(err)}`);
  }
}

/** Shows step i of the step-through (clamped to its steps) and marks its row in the pictures. */
export function showStep(i) {
  const tr = state.trace;
  if (!tr || !tr.steps.length) return;
  state.stepIndex = Math.max(0, Math.min(tr.steps.length - 1, i));
  $('step-title').textContent = `Step ${state.stepIndex + 1} of ${tr.steps.length}: output “${symbolText(tr.steps[state.stepIndex].symbol)}”`;
  renderStep($('step-body'), tr, state.stepIndex, state.model?.settings || {});
  mainMap.setHighlight(state.stepIndex);
  $('step-prev').disabled = state.stepIndex === 0;
  $('step-first').disabled = state.stepIndex === 0;
  $('step-next').disabled = state.stepIndex === tr.steps.length - 1;
  $('step-last').disabled = state.stepIndex === tr.steps.length - 1;
}

function symbolText(s) {
  return s.length > 1 ? s : showSymbol(s);
}
