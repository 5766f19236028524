// state.js: the page's state, one object, and the few transitions that change more than one of
// its fields at once. Nothing here touches the page: the modules that draw read `state`, and
// the ones that act (training.js, persist.js, translate.js, data.js) change it through these.
//
// The model: `remote` (the TranslatorWorker holding it) and `model` (what it is) change together
// (setModel / clearModel). The progress of its training (steps, curves, the last evaluation, the
// session in the worker) goes back to zero with resetProgress, and is what a checkpoint keeps
// besides the weights (progressRecord / applyProgress).

export const state = {
  lib: null,             // the library (engine.js loadLibrary), once loaded
  taskNames: [],         // the built-in tasks
  data: null,            // the picked data: { name, description, train, test, tokenizer }
  customData: null,      // the user's TSV, parsed
  customFile: null,      // ...and its File, to re-read with another tokenizer
  probe: '',             // the held-out input whose attention is redrawn while training
  remote: null,          // TranslatorWorker of the current model
  model: null,           // { task, settings, source: 'trained' | 'file' | 'stored' | 'pretrained', fileName }
  training: false,
  pauseRequested: false,
  // the model's training progress (resetProgress)
  steps: 0,
  examples: 0,           // training pairs seen (for the epoch count)
  trainMs: 0,
  lossPoints: [],
  accPoints: [],
  lastEval: null,
  session: null,         // the training session in the model's worker (training.js ensureSession)
  resumeSession: null,   // a checkpoint's session state, resumed by the next Train
  // the translate panel
  trace: null,           // the step-through of the current translation (explain), with its text
  stepIndex: 0,
  translateSeq: 0,       // the latest translation asked for; older answers are dropped
};

/** True while the model is the pretrained one the page opened with. */
export function isPretrained() {
  return state.model?.source === 'pretrained' && !!state.remote;
}

/** The model's training progress back to zero (a new model). */
export function resetProgress() {
  state.steps = 0;
  state.examples = 0;
  state.session = null;
  state.resumeSession = null;
  state.trainMs = 0;
  state.lossPoints = [];
  state.accPoints = [];
  state.lastEval = null;
}

/** Makes `remote` (described by `model`) the page's model; returns the one it replaces. */
export function setModel(remote, model) {
  const old = state.remote;
  state.remote = remote;
  state.model = model;
  return old;
}

/** No model any more; returns the one there was (the caller disposes of it). */
export function clearModel() {
  return setModel(null, null);
}

/** Asks training to stop after its current call and waits until it has. */
export async function stopTraining() {
  state.pauseRequested = true;
  if (!state.training) return;
  state.remote?.stop();
  while (state.training) await new Promise((r) => setTimeout(r, 50));
}

/** Everything of the page's training besides the model: kept in checkpoints as their app object. */
export function progressRecord() {
  return {
    model: state.model,
    steps: state.steps,
    examples: state.examples,
    trainMs: state.trainMs,
    lossPoints: thin(state.lossPoints, 1500),
    accPoints: state.accPoints,
    lastEval: state.lastEval,
  };
}

/** Puts back the progress kept with a model (progressRecord()). */
export function applyProgress(info) {
  if (info.model?.settings) state.model.settings = { ...info.model.settings, ...state.model.settings };
  state.steps = info.steps || 0;
  state.examples = info.examples || 0;
  state.trainMs = info.trainMs || 0;
  state.lossPoints = info.lossPoints || [];
  state.accPoints = info.accPoints || [];
  state.lastEval = info.lastEval || null;
}

function thin(pts, max) {
  if (pts.length <= max) return pts;
  const k = Math.ceil(pts.length / max);
  return pts.filter((_, i) => i % k === 0);
}
