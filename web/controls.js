// controls.js: the training panel's form and read-outs. It reads the model settings from the
// form (and checks them), puts a model's settings back into it, enables the buttons that fit the
// state, and shows the training state line, the engine badge, the threads line and the live
// numbers and curves (stats.js). It changes nothing but the page.

import { MAX_ATTN, MAX_BATCH, MAX_EMBED, MAX_HIDDEN } from '../lib/limits.js';
import { expectedBackend, cores, sharedMemory } from './engine.js';
import { TrainingStats } from './stats.js';
import { state, isPretrained, resetProgress } from './state.js';

const $ = (id) => document.getElementById(id);

/** The live numbers and the loss and accuracy curves (web/stats.js). */
export const stats = new TrainingStats(() => state);

/** A new model: its progress, numbers and curves back to zero. */
export function resetCurves() {
  resetProgress();
  stats.reset();
}

export function setTrainState(text, done = false) {
  const e = $('train-state');
  e.textContent = text;
  e.classList.toggle('done', done);
}

/** The model settings in the form. */
export function settings() {
  const num = (id) => Number($(id).value);
  return {
    cell: $('cell').value,
    attention: $('attention').value,
    embed: num('embed'),
    hidden: num('hidden'),
    attentionSize: num('attn-size'),
    seed: num('seed'),
    learningRate: num('lr'),
    batchSize: num('batch'),
    backend: $('engine').value,
  };
}

/** Throws an Error with a sentence for the visitor when a setting is out of range. */
export function validateSettings(s) {
  const check = (ok, msg) => { if (!ok) throw new Error(msg); };
  const int = (v, lo, hi, name) => check(Number.isInteger(v) && v >= lo && v <= hi, `${name} must be a whole number from ${lo} to ${hi}.`);
  int(s.embed, 1, MAX_EMBED, 'Embedding size');
  int(s.hidden, 1, MAX_HIDDEN, 'Hidden size');
  int(s.attentionSize, 1, MAX_ATTN, 'Attention size');
  int(s.seed, 0, 2 ** 31 - 1, 'Seed');
  int(s.batchSize, 1, MAX_BATCH, 'Batch size');
  check(Number.isFinite(s.learningRate) && s.learningRate > 0 && s.learningRate <= 1, 'Learning rate must be a number above 0 and at most 1 (try 0.005).');
}

/** Shows a model's settings in the form (the shape fields lock while a model exists). */
export function showSettings(s) {
  for (const [id, key] of [['cell', 'cell'], ['attention', 'attention'], ['embed', 'embed'], ['hidden', 'hidden'], ['attn-size', 'attentionSize'], ['seed', 'seed'], ['lr', 'learningRate'], ['batch', 'batchSize'], ['engine', 'backend']]) {
    if (s[key] !== undefined) $(id).value = s[key];
  }
}

function setArchLocked(locked) {
  for (const id of ['cell', 'attention', 'embed', 'hidden', 'attn-size', 'seed', 'engine']) $(id).disabled = locked;
  $('arch-hint').textContent = locked
    ? 'The model’s shape is fixed once it exists: press Reset to change these.'
    : 'These fix the model’s shape; press Reset to change them after training starts.';
}

export function updateButtons() {
  const pretrained = isPretrained();
  const hasModel = !!state.remote && !pretrained;
  $('train-btn').disabled = state.training || !state.lib;
  $('train-btn').textContent = hasModel && state.steps > 0 ? 'Continue training' : pretrained ? 'Train your own' : 'Train';
  $('pause-btn').disabled = !state.training;
  $('save-btn').disabled = !hasModel || state.training;
  $('task').disabled = state.training;
  setArchLocked(hasModel);
  $('pretrained-note').hidden = !pretrained;
  $('input').placeholder = hasModel ? 'Type an input, e.g. one of the examples' : 'Train or load a model first';
}

/** The badge in the header: the WebAssembly build the model runs (or will run). */
export async function showBackend() {
  // A pretrained model is replaced when the visitor trains: the badge says what theirs will run.
  let b = isPretrained() ? null : state.remote?.backend;
  if (!b) b = $('engine').value === 'auto' ? await expectedBackend().catch(() => '') : $('engine').value;
  const names = { simd: 'SIMD', scalar: 'scalar', fma: 'SIMD + FMA' };
  $('backend').textContent = b ? `engine: WebAssembly ${names[b] ?? b}` : 'engine: ready';
  $('backend').dataset.backend = b || '';
}

// The page's "Threads" control. 'auto' trains on every core but one: the page's own thread must
// stay free to draw and answer input while training (tests/web-train.test.js measures it), and
// on a 2-core machine under load a second training thread made its long tasks exceed 5 % of the
// time. (Node's 'auto' takes every core: nothing there needs to stay responsive.)
export function threadsSetting() {
  const v = $('threads').value;
  return v === 'auto' ? Math.max(1, cores() - 1) : Number(v);
}

/** Says how many threads train and how gradients move between them. */
export function showThreads(workers, transport) {
  const e = $('threads-state');
  if (workers && e.dataset.workers === String(workers) && e.dataset.transport === transport) return; // no relayout per event
  const how = transport === 'shared'
    ? 'gradients shared in memory (SharedArrayBuffer: the page is cross-origin isolated)'
    : transport === 'transfer'
      ? 'gradients passed as transferred buffers (the page is not cross-origin isolated, so no SharedArrayBuffer)'
      : 'no extra thread';
  e.textContent = workers
    ? `Training on ${workers} thread${workers === 1 ? '' : 's'}: ${how}.`
    : `This browser offers ${cores()} threads; ${sharedMemory() ? 'gradients would be shared in memory' : 'gradients would be passed as transferred buffers (no SharedArrayBuffer here)'}.`;
  e.dataset.workers = workers || '';
  e.dataset.transport = transport || '';
}
