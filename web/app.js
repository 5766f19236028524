// app.js: wires the page's modules to its controls and starts it (boot.js, run just before it,
// has started what the first translation waits on). The state is in state.js;
// the training panel's form and read-outs in controls.js; the task picker and data in data.js;
// training in training.js; models kept, loaded, saved and pretrained in persist.js; translating
// and the attention pictures in translate.js. Drawing is in chart.js / heatmap.js / lines.js /
// stepper.js / translate-view.js / stats.js; engine.js loads the library (every model runs in a
// Web Worker) and has task data made (and TSV files parsed) in data-worker.js.

import { wireViewToggle } from './lines.js';
import { Experiment } from './experiment.js';
import { createRemote, fmaAvailable, cores } from './engine.js';
import { setupDrop } from './drop.js';
import { showError, errorText } from './messages.js';
import { syncCorpusFields } from './corpus.js';
import { state } from './state.js';
import { resetCurves, settings, validateSettings, setTrainState, updateButtons, showBackend, showThreads } from './controls.js';
import { CUSTOM, experimentData, fillTaskPicker, selectTask, readTsvFile } from './data.js';
import { retranslate, clearTranslation, showStep } from './translate.js';
import { train, pause, reset } from './training.js';
import { download, loadModelFile, restore, openPretrained } from './persist.js';
import { library, names, storedRecord, dropUnusedPretrained } from './boot.js';

const $ = (id) => document.getElementById(id);

// ---------- wiring ----------

function wire() {
  wireViewToggle($('attn-view'));
  $('task').addEventListener('change', () => {
    if (state.remote && state.steps > 0) {
      setTrainState('New data: the vocabulary is made from the training pairs, so press Reset to train a model on this task.');
    }
    selectTask().then(() => openPretrained($('task').value));
  });
  $('tsv-file').addEventListener('change', (e) => {
    const f = e.target.files[0];
    if (f) readTsvFile(f);
    e.target.value = '';
  });
  $('tsv-columns').addEventListener('change', () => {
    if (state.customFile) readTsvFile(state.customFile);
  });
  $('tsv-vocab').addEventListener('change', () => {
    if (state.customFile) readTsvFile(state.customFile);
  });
  $('tsv-tokenizer').addEventListener('change', () => {
    syncCorpusFields($);
    if (state.customFile) readTsvFile(state.customFile);
  });
  $('train-btn').addEventListener('click', train);
  $('pause-btn').addEventListener('click', pause);
  $('resume-btn').addEventListener('click', () => {
    $('resume-offer').hidden = true;
    train();
  });
  $('resume-dismiss').addEventListener('click', () => { $('resume-offer').hidden = true; });
  $('reset-btn').addEventListener('click', reset);
  $('input').addEventListener('input', () => retranslate(60));
  $('decode').addEventListener('change', () => retranslate());
  $('engine').addEventListener('change', () => showBackend());
  $('step-prev').addEventListener('click', () => showStep(state.stepIndex - 1));
  $('step-next').addEventListener('click', () => showStep(state.stepIndex + 1));
  $('step-first').addEventListener('click', () => showStep(0));
  $('step-last').addEventListener('click', () => showStep(Infinity));
  $('stepper').addEventListener('keydown', (e) => {
    if (e.target.tagName === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return;
    const moves = { ArrowLeft: -1, ArrowRight: 1 };
    if (e.key in moves) {
      e.preventDefault();
      showStep(state.stepIndex + moves[e.key]);
    } else if (e.key === 'Home') {
      e.preventDefault();
      showStep(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      showStep(Infinity);
    }
  });
  $('save-btn').addEventListener('click', download);
  $('model-file').addEventListener('change', (e) => {
    const f = e.target.files[0];
    if (f) loadModelFile(f);
    e.target.value = '';
  });
  setupDrop({
    overlay: $('drop-overlay'),
    onPairs(file) {
      $('task').value = CUSTOM;
      $('tsv-box').hidden = false;
      readTsvFile(file);
      $('train').scrollIntoView({ behavior: 'smooth', block: 'start' });
    },
    onModel: (file) => loadModelFile(file),
  });
}

async function main() {
  performance.mark('s2s:main');
  wire();
  clearTranslation('Train or load a model first.');
  const fma = fmaAvailable().catch(() => false);
  try {
    state.lib = await library; // boot.js started it, with what else the first translation needs
    performance.mark('s2s:library');
  } catch (err) {
    const e = $('fatal-error');
    e.textContent = `The library could not be loaded: ${errorText(err)} If you serve this page yourself, run “make wasm” (npm start does) so build/wasm/ exists, and serve the repository root.`;
    e.hidden = false;
    $('backend').textContent = 'engine: not available';
    updateButtons();
    return;
  }
  try {
    state.taskNames = await names;
    performance.mark('s2s:task-names');
  } catch (err) {
    showError('data-error', `The built-in tasks could not be made: ${errorText(err)}`);
    state.taskNames = [];
  }
  // the FMA build only where relaxed SIMD validates (it is never what 'automatic' picks)
  $('engine').querySelector('option[value="fma"]').disabled = !(await fma);
  showBackend();
  showThreads();
  fillTaskPicker(state.taskNames);
  await selectTask();
  performance.mark('s2s:data');
  resetCurves();
  updateButtons();
  new Experiment({
    getSettings: () => { const s = settings(); validateSettings(s); return s; },
    getData: experimentData,
    createRemote,
    cores,
  });
  await restore(storedRecord);
  performance.mark('s2s:restored');
  await openPretrained($('task').value);
  dropUnusedPretrained();
  if (!state.remote) $('model-status').textContent = 'No model yet: train one above or load a file.';
  document.body.dataset.ready = 'true';
}

main();
