// app.js: wires the page's modules to its controls and starts it (boot.js, run just before it,
// has started what the first translation waits on). The state is in state.js;
// the training panel's form and read-outs in controls.js; the task picker and data in data.js;
// training in training.js; models kept, loaded, saved and pretrained in persist.js; translating
// and the attention pictures in translate.js. Drawing is in chart.js / heatmap.js / lines.js /
// stepper.js / translate-view.js / stats.js; engine.js loads the library (every model runs in a
// Web Worker) and has task data made (and TSV files parsed) in data-worker.js.

import { wireViewToggle } from './lines.js';
import { Experiment } from './experiment.js';
import { createRemote, tasksFromTsv, fmaAvailable, cores } from './engine.js';
import { setupDrop } from './drop.js';
import { showError, errorText } from './messages.js';
import { TSV_LIMITS } from '../lib/tasks/tsv.js';
import { corpusOptions, renderCorpus, splitDescription, syncCorpusFields } from './corpus.js';
import { state } from './state.js';
import { resetCurves, settings, validateSettings, setTrainState, updateButtons, showBackend, showThreads } from './controls.js';
import { CUSTOM, experimentData, fillTaskPicker, selectTask, renderExamples } from './data.js';
import { retranslate, clearTranslation, showStep } from './translate.js';
import { train, pause, reset } from './training.js';
import { download, loadModelFile, restore, openPretrained } from './persist.js';
import { library, names, storedRecord, dropUnusedPretrained } from './boot.js';

const $ = (id) => document.getElementById(id);

const MAX_TSV_BYTES = TSV_LIMITS.maxBytes; // the library's own bound on a pairs file
// One pairs file is read at a time: a change of an option while a file loads waits for it, so
// the earlier load cannot clear the later one's message or replace its data.
let tsvReading = Promise.resolve();
function readTsvFile(file) {
  tsvReading = tsvReading.then(() => readTsvFileNow(file));
  return tsvReading;
}

async function readTsvFileNow(file) {
  showError('data-error', '');
  try {
    if (file.size > MAX_TSV_BYTES) throw new Error(`The file is ${(file.size / 1e6).toFixed(1)} MB; the page takes up to ${MAX_TSV_BYTES / 1024 / 1024} MB.`);
    const { tokenizer, vocabSize, columns } = corpusOptions($);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const data = await tasksFromTsv(bytes, { name: file.name, seed: 1, testFraction: 0.1, tokenizer, columns });
    if (data.test.length < 1 || data.train.length < 10) {
      throw new Error(`it has ${data.train.length + data.test.length} distinct pairs; the page needs at least 20 to train on some and hold some out to measure`);
    }
    data.description = `${file.name}: ${data.train.length.toLocaleString('en-US')} pairs to train on, ${data.test.length.toLocaleString('en-US')} held out; split into ${splitDescription(tokenizer, vocabSize)}.`;
    data.vocabSize = vocabSize;
    renderCorpus($('corpus-stats'), data.stats, { name: file.name, bytes: file.size, train: data.train.length, test: data.test.length });
    state.customData = data;
    state.customFile = file;
    $('task').value = CUSTOM;
    await selectTask();
  } catch (err) {
    // Nothing loaded before is lost: the pairs that were in use stay in use.
    const kept = state.customData && state.customFile ? ` The pairs loaded before (“${state.customFile.name}”) are still in use.` : '';
    if (!kept) {
      state.customData = null;
      if ($('task').value === CUSTOM) state.data = null;
    }
    renderExamples();
    updateButtons();
    showError('data-error', `Could not use “${file.name}”: ${errorText(err)} Each line must be: input, a tab, output.${kept}`);
  }
}

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
