// app.js: the page's glue. It owns the page state (the chosen data, the model in its Web Worker,
// the training loop, the curves) and wires the controls to the library's TranslatorWorker
// (lib/worker-client.js). All training and translating runs in the worker; this thread only
// draws, so it stays responsive. The live numbers and curves are in stats.js; drawing in
// chart.js / heatmap.js / lines.js / stepper.js / translate-view.js; error lines in messages.js;
// the experiment in experiment.js; storage in storage.js; the pretrained models in
// pretrained.js; dropped files in drop.js; engine.js loads the library and has task data made
// (and TSV files parsed) in data-worker.js.

import { Heatmap } from './heatmap.js';
import { AttentionLines, alongside, wireViewToggle } from './lines.js';
import { renderStep } from './stepper.js';
import { saveModelRecord, loadModelRecord, forgetModelRecord } from './storage.js';
import { formatDuration, showSymbol } from './canvas.js';
import { Experiment } from './experiment.js';
import { loadLibrary, createRemote, loadRemote, loadCheckpointRemote, taskNames, makeTask, tasksFromTsv, expectedBackend, fmaAvailable, cores, sharedMemory } from './engine.js';
import { fetchPretrained, describePretrained, PRETRAINED_TASKS } from './pretrained.js';
import { setupDrop } from './drop.js';
import { TrainingStats } from './stats.js';
import { showError, errorText } from './messages.js';
import { showUnknown, showNBest } from './translate-view.js';
import { MAX_ATTN, MAX_BATCH, MAX_EMBED, MAX_FILE, MAX_HIDDEN } from '../lib/limits.js';
import { TSV_LIMITS } from '../lib/tasks/tsv.js';
import { corpusOptions, renderCorpus, splitDescription, syncCorpusFields } from './corpus.js';

const $ = (id) => document.getElementById(id);
const TASK_SIZES = { trainSize: 10000, testSize: 1000, seed: 1 };
const EVAL_SUBSET = 200;           // held-out pairs measured about once a second while training
const SESSION_EPOCHS = 100000;     // a page session trains until paused (or the target is reached)
const RUN_STEPS = 16;              // at most this many steps per call to the worker's session
const CHECK_EVERY_MS = 1000;       // how often accuracy and the probe's attention are refreshed
const CUSTOM = '__custom__';
// Two options in the page's address, for automation and tests: ?steps=N ends training at the
// N steps exactly (so a run's end does not depend on timing), and
// ?checkpointSeconds=S checkpoints to the browser every S seconds instead of every 30.
const PARAMS = new URLSearchParams(location.search);
const positiveParam = (name) => (Number(PARAMS.get(name)) > 0 ? Number(PARAMS.get(name)) : null);
const MAX_STEPS = positiveParam('steps') ?? Infinity;
const CHECKPOINT_EVERY_MS = 1000 * (positiveParam('checkpointSeconds') ?? 30);
// The experiment needs inputs of many lengths: strings of 4 to 20 symbols.
const EXPERIMENT_DATA = {
  copy: { seed: 1, trainSize: 8000, testSize: 600, minLength: 4, maxLength: 20 },
  reverse: { seed: 1, trainSize: 8000, testSize: 600, minLength: 4, maxLength: 20 },
  // the tutorial's length claim on translation: English sentences of 5 to 40 words (clauses joined)
  'en-fr-long': { task: 'en-fr', options: { seed: 1, trainSize: 8000, testSize: 600, minWords: 5, maxWords: 40 } },
};
/** The task name and generator options of an experiment data choice. */
function experimentData(name) {
  const d = EXPERIMENT_DATA[name];
  if (!d) return makeTask(name, TASK_SIZES);
  return d.task ? makeTask(d.task, d.options) : makeTask(name, d);
}

const state = {
  lib: null,
  data: null,            // { name, description, train, test, tokenizer }
  customData: null,      // the user's TSV, parsed
  customFile: null,      // ...and its File, to re-read with another tokenizer
  remote: null,          // TranslatorWorker of the current model
  model: null,           // { task, settings, source: 'trained' | 'file' | 'stored', fileName }
  training: false,
  pauseRequested: false,
  steps: 0,
  examples: 0,           // training pairs seen (for the epoch count)
  order: null,           // this epoch's seeded shuffle of the training pairs
  cursor: 0,             // how far into `order` training has got
  epoch: 0,
  trainMs: 0,
  chunk: 0,
  lossPoints: [],
  accPoints: [],
  lastEval: null,
  trace: null,
  stepIndex: 0,
  translateSeq: 0,
};

// ---------- small UI helpers ----------

function setTrainState(text, done = false) {
  const e = $('train-state');
  e.textContent = text;
  e.classList.toggle('done', done);
}

function settings() {
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

function validateSettings(s) {
  const check = (ok, msg) => { if (!ok) throw new Error(msg); };
  const int = (v, lo, hi, name) => check(Number.isInteger(v) && v >= lo && v <= hi, `${name} must be a whole number from ${lo} to ${hi}.`);
  int(s.embed, 1, MAX_EMBED, 'Embedding size');
  int(s.hidden, 1, MAX_HIDDEN, 'Hidden size');
  int(s.attentionSize, 1, MAX_ATTN, 'Attention size');
  int(s.seed, 0, 2 ** 31 - 1, 'Seed');
  int(s.batchSize, 1, MAX_BATCH, 'Batch size');
  check(Number.isFinite(s.learningRate) && s.learningRate > 0 && s.learningRate <= 1, 'Learning rate must be a number above 0 and at most 1 (try 0.005).');
}

function setArchLocked(locked) {
  for (const id of ['cell', 'attention', 'embed', 'hidden', 'attn-size', 'seed', 'engine']) $(id).disabled = locked;
  $('arch-hint').textContent = locked
    ? 'The model’s shape is fixed once it exists: press Reset to change these.'
    : 'These fix the model’s shape; press Reset to change them after training starts.';
}

function updateButtons() {
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

// ---------- charts and maps ----------

// The live numbers and the loss and accuracy curves (web/stats.js).
const stats = new TrainingStats(() => state);
// Each attention picture twice: the heat map and the tutorial's lines (web/lines.js), as picked.
const probeMap = alongside(new Heatmap($('probe-map'), { maxCell: 24, emptyText: 'Starts updating when training starts' }),
  new AttentionLines($('probe-lines'), { testId: 'probe-lines', caption: $('probe-lines-caption'), emptyText: 'Starts updating when training starts' }));
const mainMap = alongside(new Heatmap($('map'), { maxCell: 32, caption: $('map-caption'), emptyText: 'Type an input above' }),
  new AttentionLines($('lines'), { caption: $('lines-caption'), emptyText: 'Type an input above' }));
wireViewToggle($('attn-view'));

function resetCurves() {
  state.steps = 0;
  state.examples = 0;
  state.session = null;             // the training session in the model's worker (ensureSession)
  state.resumeSession = null;       // a checkpoint's session state, resumed by the next Train
  state.trainMs = 0;
  state.lossPoints = [];
  state.accPoints = [];
  state.lastEval = null;
  stats.reset();
}

// ---------- data ----------

function fillTaskPicker(names) {
  const pick = $('task');
  pick.replaceChildren();
  for (const name of names) pick.append(new Option(taskLabel(name), name));
  pick.append(new Option('Your own pairs (TSV file)…', CUSTOM));
  pick.value = names.includes('dates') ? 'dates' : names[0];
}

function taskLabel(name) {
  const labels = { dates: 'Dates → ISO 8601', scrambled: 'Unscramble English', 'en-fr': 'English → French (small grammar)', reverse: 'Reverse a string', sort: 'Sort letters', copy: 'Copy a string' };
  return labels[name] || name;
}

let selectSeq = 0;
async function selectTask() {
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

function renderExamples() {
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

function setProbe() {
  const probe = state.data?.test?.[0]?.[0] || '';
  state.probe = probe;
  $('probe-text').textContent = probe;
  $('probe-out').textContent = '';
  probeMap.set(null, 'Starts updating when training starts');
}

function suggestInput() {
  if (state.data && !$('input').value) $('input').value = state.data.test[1]?.[0] || '';
}

// ---------- training ----------

function tokenizerOf(data) {
  return data.tokenizer || 'char';
}

async function ensureModel() {
  if (state.remote) return;
  const s = settings();
  validateSettings(s);
  setTrainState('Starting the WebAssembly engine in a worker…');
  const remote = await createRemote({
    pairs: state.data.train,
    tokenizer: tokenizerOf(state.data),
    ...(tokenizerOf(state.data) === 'bpe' ? { vocabSize: state.data.vocabSize ?? undefined } : {}),
    cell: s.cell, attention: s.attention, scale: true,
    embed: s.embed, hidden: s.hidden, attentionSize: s.attentionSize, seed: s.seed, backend: s.backend,
    info: { task: state.data.name, madeBy: 'seq2seq-attention web page' },
  });
  state.remote = remote;
  state.model = { task: state.data.name, settings: s, source: 'trained' };
  showBackend();
}

/** The badge in the header: the WebAssembly build the model runs (or will run). */
async function showBackend() {
  // A pretrained model is replaced when the visitor trains: the badge says what theirs will run.
  let b = isPretrained() ? null : state.remote?.backend;
  if (!b) b = $('engine').value === 'auto' ? await expectedBackend().catch(() => '') : $('engine').value;
  const names = { simd: 'SIMD', scalar: 'scalar', fma: 'SIMD + FMA' };
  $('backend').textContent = b ? `engine: WebAssembly ${names[b] ?? b}` : 'engine: ready';
  $('backend').dataset.backend = b || '';
}

async function train() {
  if (state.training) return;
  showError('train-error', '');
  if (!state.data) {
    showError('train-error', $('task').value === CUSTOM ? 'Choose a TSV file of pairs first (or pick a built-in task).' : 'Pick a task first.');
    return;
  }
  try {
    validateSettings(settings());
  } catch (err) {
    showError('train-error', err.message);
    return;
  }
  if (isPretrained()) await dropPretrained();
  if (state.remote && state.model && state.model.task !== state.data.name) {
    // The vocabularies come from the data the model was made with: other data would be mostly
    // unknown symbols to it.
    showError('train-error', `This model was made for “${state.model.task}”, not “${state.data.name}”: press Reset to train a new model on this data, or pick “${state.model.task}” again to continue.`);
    return;
  }
  state.training = true;
  state.pauseRequested = false;
  $('resume-offer').hidden = true;
  updateButtons();
  try {
    await ensureModel();
    await trainLoop();
  } catch (err) {
    showError('train-error', `Training stopped: ${errorText(err)}${divergedAdvice(err)}`);
    setTrainState('Stopped by an error.');
  } finally {
    state.training = false;
    updateButtons();
    retranslate();
    if (state.remote) await remember();
  }
}

// The page's "Threads" control. 'auto' trains on every core but one: the page's own thread must
// stay free to draw and answer input while training (tests/web-train.test.js measures it), and
// on a 2-core machine under load a second training thread made its long tasks exceed 5 % of the
// time. (Node's 'auto' takes every core: nothing there needs to stay responsive.)
function threadsSetting() {
  const v = $('threads').value;
  return v === 'auto' ? Math.max(1, cores() - 1) : Number(v);
}

/** What the page's buttons can do after DIVERGED: Continue when the kept weights still work, else Reset. */
function divergedAdvice(err) {
  if (err.code !== 'DIVERGED') return '';
  return err.weightsUsable === false
    ? ' The kept weights overflow too, so Continue would stop again: press Reset for fresh weights, then train with a smaller learning rate.'
    : ' Try a smaller learning rate, then Continue (the last good weights are kept).';
}

/** Says how many threads train and how gradients move between them. */
function showThreads(workers, transport) {
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

// The model trains through one resumable session in its worker (lib/session.js): the training
// pairs go over once, the seeded batch order lives there, and every call trains RUN_STEPS steps
// (or a second), so the page can checkpoint, measure held-out accuracy and redraw the probe in
// between. A new learning rate or thread count resumes the same session's state (the same batch
// order, and the same weights whatever the threads); a new batch size starts a new order. A
// checkpoint keeps the session's state (remember), so a reload resumes the run bit for bit.
async function ensureSession(s) {
  const workers = threadsSetting();
  const cur = state.session;
  if (cur && cur.batchSize === s.batchSize && cur.learningRate === s.learningRate && cur.workers === workers && !cur.done) return;
  const options = { epochs: SESSION_EPOCHS, batchSize: s.batchSize, learningRate: s.learningRate, clipNorm: 5, shuffleSeed: s.seed >>> 0, bucket: true, workers };
  let resume = null;
  if (cur && cur.batchSize === s.batchSize && !cur.done) resume = await state.remote.sessionState();
  else if (!cur && state.resumeSession?.batchSize === s.batchSize) resume = state.resumeSession;
  // the learning rate may be a new one: the page lets it change between runs of one session
  await state.remote.startSession(state.data.train, resume ? { ...options, resume, allowChangedOptions: ['learningRate'] } : options);
  state.resumeSession = null;
  const start = resume ? resume.step : 0;
  state.session = {
    batchSize: s.batchSize, learningRate: s.learningRate, workers, done: false,
    base: state.steps - start, examplesBase: state.examples - (resume ? resume.examples : 0),
  };
}

async function trainLoop() {
  let target = Number($('target').value);
  const evalPairs = state.data.test.slice(0, EVAL_SUBSET);
  const startMs = state.trainMs;
  let lastCheck = -Infinity;
  let lastCheckpoint = -Infinity; // the first run boundary checkpoints, then every CHECKPOINT_EVERY_MS
  setTrainState('Training…');
  if (state.lastEval && state.lastEval.count === state.data.test.length && state.lastEval.exactMatch >= target) {
    // Continuing a model that already reached the target: go on until paused.
    target = Infinity;
    setTrainState('The target is already reached: training goes on until you press Pause.');
  }
  while (!state.pauseRequested) {
    const s = settings();
    validateSettings(s);
    state.model.settings = { ...state.model.settings, learningRate: s.learningRate, batchSize: s.batchSize };
    await ensureSession(s);
    const session = state.session;
    const runStart = state.steps;
    const t0 = performance.now();
    // a run of at most RUN_STEPS steps (and a second): between runs the page can checkpoint
    const limits = { maxMs: CHECK_EVERY_MS, maxSteps: Math.max(1, Math.min(RUN_STEPS, MAX_STEPS - state.steps)) };
    const report = await state.remote.runSession(limits, {
      onProgress: (p) => {
        state.lossPoints.push({ x: session.base + p.step, y: p.loss });
        showThreads(p.workers, p.transport);
        stats.render({ chunkStep: session.base + p.step - runStart, batchSize: s.batchSize, loss: p.loss, speed: p.examplesPerSecond, chunkMs: performance.now() - t0 });
      },
    });
    session.done = report.done;
    state.steps = session.base + report.steps;
    state.examples = session.examplesBase + report.state.examples;
    state.trainMs += performance.now() - t0;
    stats.live.chunkStep = 0;
    stats.live.chunkMs = 0;
    if (Number.isFinite(report.loss)) stats.live.loss = report.loss;
    showThreads(report.workers, report.transport);
    if (report.stopped) break;
    if (state.steps >= MAX_STEPS) {
      setTrainState(`Done: ${state.steps.toLocaleString('en-US')} steps, the limit the page's address sets (steps=${MAX_STEPS}).`, true);
      return;
    }
    if (performance.now() - lastCheckpoint >= CHECKPOINT_EVERY_MS) {
      // Between runs the page's state, the session's and the worker's model agree exactly: a checkpoint taken
      // here resumes (after a reload or a crash) into the same run, bit for bit.
      await remember({ interrupted: true });
      lastCheckpoint = performance.now();
    }
    if (performance.now() - lastCheck < CHECK_EVERY_MS) {
      stats.render({});
      continue;
    }
    lastCheck = performance.now();

    const tEval = performance.now();
    const ev = await state.remote.evaluate(evalPairs, { beam: 1 });
    state.lastEval = ev;
    state.accPoints.push({ x: state.steps, y: ev.exactMatch });
    stats.accChart.set(0, state.accPoints);
    await updateProbe();
    state.trainMs += performance.now() - tEval;
    stats.render({});
    // Keep the translation current while training, but leave the step-through (hundreds of
    // elements) until training pauses or the user asks: rebuilding it every second costs layout.
    retranslate(0, { withTrace: false });

    if (ev.exactMatch >= target) {
      const tFull = performance.now();
      const full = await state.remote.evaluate(state.data.test, { beam: 1 });
      state.trainMs += performance.now() - tFull;
      state.lastEval = full;
      stats.render({});
      if (full.exactMatch >= target) {
        const took = formatDuration(state.trainMs - startMs);
        setTrainState(`Done: ${(full.exactMatch * 100).toFixed(1)} % exact match on all ${full.count ?? state.data.test.length} held-out pairs after ${state.steps.toLocaleString('en-US')} steps (${took}${startMs ? ' in this session' : ''}). Try your own input below.`, true);
        return;
      }
    }
    setTrainState(`Training… ${(ev.exactMatch * 100).toFixed(1)} % of ${evalPairs.length} held-out pairs right at the last check.`);
  }
  setTrainState(`Paused after ${state.steps.toLocaleString('en-US')} steps. Press Continue training to go on.`);
}

async function updateProbe() {
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

function pause() {
  if (!state.training) return;
  state.pauseRequested = true;
  setTrainState('Pausing after the current step…');
  state.remote?.stop();
  $('pause-btn').disabled = true;
}

async function reset() {
  state.pauseRequested = true;
  if (state.training) {
    state.remote?.stop();
    while (state.training) await new Promise((r) => setTimeout(r, 50));
  }
  const old = state.remote;
  state.remote = null;
  state.model = null;
  if (old) await old.dispose().catch(() => {});
  resetCurves();
  setProbe();
  $('resume-offer').hidden = true;
  state.trace = null;
  clearTranslation('Train or load a model first.');
  showError('train-error', '');
  $('model-status').textContent = 'No model yet.';
  showBackend();
  setTrainState('Press Train to start.');
  // forget the stored checkpoint before the buttons say the model is gone: a reload right after
  // must not bring it back
  try {
    await forgetModelRecord();
  } catch { /* nothing stored, or no IndexedDB: nothing to forget */ }
  updateButtons();
  await openPretrained($('task').value);
}

// ---------- translate ----------

let translateTimer = 0;
function retranslate(delay = 0, { withTrace = true } = {}) {
  clearTimeout(translateTimer);
  translateTimer = setTimeout(() => translateNow({ withTrace }), delay);
}

function clearTranslation(message) {
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

// ---------- step through ----------

function showStep(i) {
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

// ---------- save, load, remember ----------

/** Everything of the page's training besides the model: kept in checkpoints as their app object. */
function pageState() {
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

/**
 * Keeps a checkpoint (the model, Adam's state and the page's training state) in IndexedDB.
 * interrupted: taken while training runs, so a reload offers to resume from it. A failure (a full
 * storage quota, private mode) is reported and changes nothing else: training goes on.
 */
async function remember({ interrupted = false } = {}) {
  if (isPretrained()) return; // it comes with the page; the visitor's own model is what is kept
  try {
    const session = state.session ? await state.remote.sessionState() : state.resumeSession;
    const bytes = await state.remote.checkpoint({ session, app: pageState() });
    await saveModelRecord({
      kind: 'checkpoint', bytes, savedAt: Date.now(), interrupted,
      summary: { steps: state.steps, trainMs: state.trainMs, exactMatch: state.lastEval?.exactMatch ?? null },
    });
    $('model-status').textContent = interrupted
      ? `Checkpoint kept in this browser at step ${state.steps.toLocaleString('en-US')} (${(bytes.length / 1024).toFixed(0)} KB): if this tab closes or crashes, reload to resume from there.`
      : `Remembered in this browser (${(bytes.length / 1024).toFixed(0)} KB): it comes back when you reload.`;
  } catch (err) {
    const why = err?.name === 'QuotaExceededError' ? 'the browser\'s storage quota for this page is used up.' : errorText(err);
    $('model-status').textContent = `Could not keep ${interrupted ? 'a checkpoint' : 'the model'} in this browser: ${why} ${interrupted ? 'Training goes on; download' : 'Download'} the model to keep it.`;
  }
}

function thin(pts, max) {
  if (pts.length <= max) return pts;
  const k = Math.ceil(pts.length / max);
  return pts.filter((_, i) => i % k === 0);
}

function fileName() {
  const m = state.model || {};
  const s = m.settings || {};
  const parts = ['seq2seq', m.task || 'model', s.cell, s.attention].filter(Boolean);
  return `${parts.join('-').replace(/[^\w.-]+/g, '_')}.s2s`;
}

async function download() {
  showError('model-error', '');
  try {
    const bytes = await state.remote.save();
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName();
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $('model-status').textContent = `Saved ${a.download} (${(bytes.length / 1024).toFixed(0)} KB).`;
  } catch (err) {
    showError('model-error', `Could not save the model: ${errorText(err)}`);
  }
}

/** Replace the current model by one read from bytes. Throws (with a message for the user). */
async function adoptModelBytes(bytes, how) {
  if (!bytes || !bytes.length) throw new Error('The file is empty.');
  return adoptRemote(await loadRemote(bytes, $('engine').value), how);
}

/** Replace the current model by `remote` (a TranslatorWorker already holding its model). */
async function adoptRemote(remote, how) {
  $('resume-offer').hidden = true;
  if (state.training) {
    state.pauseRequested = true;
    state.remote?.stop();
    while (state.training) await new Promise((r) => setTimeout(r, 50));
  }
  const old = state.remote;
  state.remote = remote;
  if (old) old.dispose().catch(() => {});
  resetCurves();
  const cfg = remote.config || {};
  state.model = { task: remote.info?.task || how.task || 'loaded', settings: { ...cfg }, source: how.source, fileName: how.fileName };
  if (how.source === 'pretrained') return cfg; // the form keeps the visitor's settings for their own model
  showSettings(cfg);
  if (state.taskNames.includes(state.model.task) && $('task').value !== state.model.task) {
    $('task').value = state.model.task;
    await selectTask();
  }
  showBackend();
  return cfg;
}

/** Shows a model's settings in the form (the shape fields lock while a model exists). */
function showSettings(s) {
  for (const [id, key] of [['cell', 'cell'], ['attention', 'attention'], ['embed', 'embed'], ['hidden', 'hidden'], ['attn-size', 'attentionSize'], ['seed', 'seed'], ['lr', 'learningRate'], ['batch', 'batchSize'], ['engine', 'backend']]) {
    if (s[key] !== undefined) $(id).value = s[key];
  }
}

async function loadModelFile(file) {
  showError('model-error', '');
  $('model-status').textContent = `Reading ${file.name}…`;
  try {
    if (file.size > MAX_FILE) throw new Error(`The file is larger than ${MAX_FILE / 2 ** 20} MB; that is not a model this page made.`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const cfg = await adoptModelBytes(bytes, { source: 'file', fileName: file.name });
    $('model-status').textContent = `Loaded ${file.name}${describeConfig(cfg)}.`;
    setTrainState(`Loaded ${file.name}. Translate below, or continue training it on the picked task.`);
    updateButtons();
    await remember();
    retranslate();
    $('model-status').textContent = `Loaded ${file.name}${describeConfig(cfg)}; remembered in this browser.`;
  } catch (err) {
    $('model-status').textContent = state.remote ? 'The previous model is still loaded.' : 'No model loaded.';
    showError('model-error', `Could not load “${file.name}”: ${errorText(err)} Pick a .s2s model file saved by this page or the library.`);
  }
}

function describeConfig(cfg) {
  if (!cfg || !cfg.cell) return '';
  return ` (${String(cfg.cell).toUpperCase()}, ${cfg.attention} attention, hidden ${cfg.hidden})`;
}

/** Puts back the page's training state kept with a model (pageState()). */
function applyPageState(info) {
  if (info.model?.settings) state.model.settings = { ...info.model.settings, ...state.model.settings };
  state.steps = info.steps || 0;
  state.examples = info.examples || 0;
  state.trainMs = info.trainMs || 0;
  state.lossPoints = info.lossPoints || [];
  state.accPoints = info.accPoints || [];
  state.lastEval = info.lastEval || null;
  if (info.model?.settings) showSettings(info.model.settings);
  stats.accChart.set(0, state.accPoints);
  stats.render({ loss: state.lossPoints.at(-1)?.y });
}

async function restore() {
  let rec;
  try {
    rec = await loadModelRecord();
  } catch {
    return; // no IndexedDB here: nothing to restore
  }
  if (!rec || !rec.bytes) return;
  let resumeSession = null;
  try {
    let info;
    if (rec.kind === 'checkpoint') {
      // the checkpoint's app object is the page state; its backend is the one it trained on
      const loaded = await loadCheckpointRemote(rec.bytes);
      info = loaded.app || {};
      resumeSession = loaded.session || null;
      if (info.model?.settings?.backend) $('engine').value = info.model.settings.backend;
      await adoptRemote(loaded.remote, { source: 'stored', task: info.model?.task });
    } else {
      info = rec.info || {};
      if (info.model?.settings?.backend) $('engine').value = info.model.settings.backend;
      await adoptModelBytes(rec.bytes, { source: 'stored', task: info.model?.task });
    }
    applyPageState(info);
    state.resumeSession = resumeSession; // the next Train goes on with this run's batch order
    await updateProbe();
    const when = new Date(rec.savedAt).toLocaleString();
    $('model-status').textContent = `Restored the model remembered on ${when}${info.model?.task ? ` (${info.model.task} task, ${state.steps.toLocaleString('en-US')} steps)` : ''}.`;
    setTrainState(`Restored the model you had (${state.steps.toLocaleString('en-US')} steps). Translate below or continue training.`);
    if (rec.kind === 'checkpoint' && rec.interrupted) offerResume(rec, info);
    updateButtons();
    retranslate();
  } catch (err) {
    $('model-status').textContent = '';
    showError('model-error', `The model remembered in this browser could not be loaded (${errorText(err)}); it was forgotten.`);
    try { await forgetModelRecord(); } catch { /* ignore */ }
  }
}

/** Training was interrupted (a reload, a closed tab, a crash): offer to go on from its checkpoint. */
function offerResume(rec, info) {
  const acc = info.lastEval ? `${(info.lastEval.exactMatch * 100).toFixed(1)} % held-out exact match` : 'no accuracy measured yet';
  $('resume-text').textContent = `Training was interrupted. The last checkpoint is from ${new Date(rec.savedAt).toLocaleString()}: step ${state.steps.toLocaleString('en-US')}, ${formatDuration(state.trainMs)} of training, ${acc}. Resume from there?`;
  $('resume-offer').hidden = false;
  setTrainState(`Restored the checkpoint at step ${state.steps.toLocaleString('en-US')}. Press Resume training to go on exactly where training stopped.`);
}

// ---------- pretrained models (web/pretrained.js) ----------

function isPretrained() {
  return state.model?.source === 'pretrained' && !!state.remote;
}

/** Opens the pretrained model of `task` when the visitor has no model of their own. */
async function openPretrained(task) {
  if ((state.remote && !isPretrained()) || state.training || !PRETRAINED_TASKS.includes(task)) return;
  if (isPretrained() && state.model.task === task) return;
  try {
    const bytes = await fetchPretrained(task);
    if ((state.remote && !isPretrained()) || state.training || $('task').value !== task) return;
    const cfg = await adoptModelBytes(bytes, { source: 'pretrained', task });
    const note = `Pretrained model for “${taskLabel(task)}”, ${describePretrained(state.remote.info, cfg)}. Press Train to train your own: it replaces this one.`;
    $('pretrained-note').textContent = `Pretrained: ${note}`;
    $('model-status').textContent = `A pretrained model is loaded (${task}); it comes with the page and is not remembered. Train or load your own to replace it.`;
    setTrainState('A pretrained model is loaded: translate below, or press Train your own.');
    updateButtons();
    await updateProbe();
    retranslate();
  } catch (err) {
    $('model-status').textContent = `The pretrained model could not be loaded (${errorText(err)}); train one above.`;
  }
}

/** The visitor is training their own model: the pretrained one goes. */
async function dropPretrained() {
  const old = state.remote;
  state.remote = null;
  state.model = null;
  if (old) await old.dispose().catch(() => {});
  resetCurves();
  updateButtons();
}

// ---------- wiring ----------

function wire() {
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
  wire();
  clearTranslation('Train or load a model first.');
  try {
    state.lib = await loadLibrary();
  } catch (err) {
    const e = $('fatal-error');
    e.textContent = `The library could not be loaded: ${errorText(err)} If you serve this page yourself, run “make wasm” (npm start does) so build/wasm/ exists, and serve the repository root.`;
    e.hidden = false;
    $('backend').textContent = 'engine: not available';
    updateButtons();
    return;
  }
  try {
    state.taskNames = await taskNames();
  } catch (err) {
    showError('data-error', `The built-in tasks could not be made: ${errorText(err)}`);
    state.taskNames = [];
  }
  // the FMA build only where relaxed SIMD validates (it is never what 'automatic' picks)
  $('engine').querySelector('option[value="fma"]').disabled = !(await fmaAvailable().catch(() => false));
  showBackend();
  showThreads();
  fillTaskPicker(state.taskNames);
  await selectTask();
  resetCurves();
  updateButtons();
  new Experiment({
    getSettings: () => { const s = settings(); validateSettings(s); return s; },
    getData: (name) => (name === CUSTOM ? state.data : experimentData(name)),
    createRemote,
    cores,
  });
  await restore();
  await openPretrained($('task').value);
  if (!state.remote) $('model-status').textContent = 'No model yet: train one above or load a file.';
  document.body.dataset.ready = 'true';
}

main();
