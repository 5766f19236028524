// data.js: the training panel's Data fieldset: the task picker, the picked task's data (made in
// the data worker through engine.js), its description and held-out examples, the visitor's own
// pairs file (parsed in the data worker; corpus.js shows its options and numbers), and the data
// the experiment trains on. A newer pick wins over an older one still being made.

import { makeTask, tasksFromTsv } from './engine.js';
import { corpusOptions, renderCorpus, splitDescription } from './corpus.js';
import { TSV_LIMITS } from '../lib/tasks/tsv.js';
import { showError, errorText } from './messages.js';
import { updateButtons } from './controls.js';
import { setProbe } from './translate.js';
import { state } from './state.js';
import { DEFAULT_TASK, TASK_SIZES } from './boot.js';

const $ = (id) => document.getElementById(id);
/** The picker's value for the visitor's own pairs (a TSV file). */
export const CUSTOM = '__custom__';

// The experiment needs inputs of many lengths: strings of 4 to 20 symbols.
const EXPERIMENT_DATA = {
  copy: { seed: 1, trainSize: 8000, testSize: 600, minLength: 4, maxLength: 20 },
  reverse: { seed: 1, trainSize: 8000, testSize: 600, minLength: 4, maxLength: 20 },
  // the tutorial's length claim on translation: English sentences of 5 to 40 words (clauses joined)
  'en-fr-long': { task: 'en-fr', options: { seed: 1, trainSize: 8000, testSize: 600, minWords: 5, maxWords: 40 } },
};

/** The data the experiment trains on for its data choice `name` (the visitor's own pairs for CUSTOM). */
export function experimentData(name) {
  if (name === CUSTOM) return state.data;
  const d = EXPERIMENT_DATA[name];
  if (!d) return makeTask(name, TASK_SIZES);
  return d.task ? makeTask(d.task, d.options) : makeTask(name, d);
}

export function fillTaskPicker(names) {
  const pick = $('task');
  pick.replaceChildren();
  for (const name of names) pick.append(new Option(taskLabel(name), name));
  pick.append(new Option('Your own pairs (TSV file)…', CUSTOM));
  pick.value = names.includes(DEFAULT_TASK) ? DEFAULT_TASK : names[0];
}

export function taskLabel(name) {
  const labels = { dates: 'Dates → ISO 8601', scrambled: 'Unscramble English', 'en-fr': 'English → French (small grammar)', reverse: 'Reverse a string', sort: 'Sort letters', copy: 'Copy a string' };
  return labels[name] || name;
}

let selectSeq = 0;
/** Makes the picked task's data the page's data (state.data) and shows it. */
export async function selectTask() {
  showError('data-error', '');
  const name = $('task').value;
  const seq = ++selectSeq;
  $('tsv-box').hidden = name !== CUSTOM;
  if (name === CUSTOM) {
    state.data = state.customData;
    $('task-description').textContent = state.customData
      ? state.customData.description
      : 'Pick a text file with one pair per line: the input, a tab, the output. A tenth is held out to measure accuracy.';
  } else {
    $('task-description').textContent = 'Making the data…';
    try {
      const data = await makeTask(name, TASK_SIZES);
      if (seq !== selectSeq) return;
      state.data = data;
      $('task-description').textContent = `${data.description} ${data.train.length.toLocaleString('en-US')} pairs to train on, ${data.test.length.toLocaleString('en-US')} held out.`;
    } catch (err) {
      if (seq !== selectSeq) return;
      state.data = null;
      $('task-description').textContent = '';
      showError('data-error', `The task “${name}” could not be made: ${errorText(err)}`);
    }
  }
  renderExamples();
  setProbe();
  suggestInput();
  updateButtons();
}

/** The first four held-out pairs of the data, as examples to try. */
export function renderExamples() {
  const box = $('examples');
  box.replaceChildren();
  if (!state.data) return;
  for (const [src, tgt] of state.data.test.slice(0, 4)) {
    const row = document.createElement('div');
    const a = document.createElement('span');
    a.textContent = src;
    const arrow = document.createElement('span');
    arrow.className = 'arrow';
    arrow.textContent = '→';
    const b = document.createElement('span');
    b.textContent = tgt;
    row.append(a, arrow, b);
    row.title = `${src} → ${tgt} (held out: the model never trains on it)`;
    box.append(row);
  }
}

function suggestInput() {
  if (state.data && !$('input').value) $('input').value = state.data.test[1]?.[0] || '';
}

const MAX_TSV_BYTES = TSV_LIMITS.maxBytes; // the library's own bound on a pairs file
// One pairs file is read at a time: a change of an option while a file loads waits for it, so
// the earlier load cannot clear the later one's message or replace its data.
let tsvReading = Promise.resolve();
/** Reads the visitor's pairs file (picked, dropped, or again with other options) as the page's data. */
export function readTsvFile(file) {
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
