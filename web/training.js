// training.js: the page's training loop. Train makes the visitor's model in its worker (or goes
// on with the one there is) and runs its training session there in short calls; between calls
// it checkpoints to the browser, measures held-out accuracy, redraws the probe and stops at the
// target, at Pause, or at the page address's step limit. Reset throws the model away.

import { createRemote } from './engine.js';
import { showError, errorText } from './messages.js';
import { formatDuration } from './canvas.js';
import { state, isPretrained, setModel, clearModel, stopTraining } from './state.js';
import { stats, resetCurves, settings, validateSettings, setTrainState, updateButtons, showBackend, showThreads, threadsSetting } from './controls.js';
import { retranslate, clearTranslation, clearTrace, setProbe, updateProbe } from './translate.js';
import { CUSTOM } from './data.js';
import { remember, forget, openPretrained, dropPretrained } from './persist.js';

const $ = (id) => document.getElementById(id);
const EVAL_SUBSET = 200;           // held-out pairs measured about once a second while training
const SESSION_EPOCHS = 100000;     // a page session trains until paused (or the target is reached)
const RUN_STEPS = 16;              // at most this many steps per call to the worker's session
const CHECK_EVERY_MS = 1000;       // how often accuracy and the probe's attention are refreshed
// Two options in the page's address, for automation and tests: ?steps=N ends training at the
// N steps exactly (so a run's end does not depend on timing), and
// ?checkpointSeconds=S checkpoints to the browser every S seconds instead of every 30.
const PARAMS = new URLSearchParams(location.search);
const positiveParam = (name) => (Number(PARAMS.get(name)) > 0 ? Number(PARAMS.get(name)) : null);
const MAX_STEPS = positiveParam('steps') ?? Infinity;
const CHECKPOINT_EVERY_MS = 1000 * (positiveParam('checkpointSeconds') ?? 30);

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
  setModel(remote, { task: state.data.name, settings: s, source: 'trained' });
  showBackend();
}

/** The Train button: trains until the target, Pause or an error. */
export async function train() {
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

/** What the page's buttons can do after DIVERGED: Continue when the kept weights still work, else Reset. */
function divergedAdvice(err) {
  if (err.code !== 'DIVERGED') return '';
  return err.weightsUsable === false
    ? ' The kept weights overflow too, so Continue would stop again: press Reset for fresh weights, then train with a smaller learning rate.'
    : ' Try a smaller learning rate, then Continue (the last good weights are kept).';
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

/** The Pause button: training stops after its current call. */
export function pause() {
  if (!state.training) return;
  state.pauseRequested = true;
  setTrainState('Pausing after the current step…');
  state.remote?.stop();
  $('pause-btn').disabled = true;
}

/** The Reset button: the model (and the checkpoint kept of it) goes; the pretrained one comes back. */
export async function reset() {
  await stopTraining();
  const old = clearModel();
  if (old) await old.dispose().catch(() => {});
  resetCurves();
  setProbe();
  $('resume-offer').hidden = true;
  clearTrace();
  clearTranslation('Train or load a model first.');
  showError('train-error', '');
  $('model-status').textContent = 'No model yet.';
  showBackend();
  setTrainState('Press Train to start.');
  // forget the stored checkpoint before the buttons say the model is gone: a reload right after
  // must not bring it back
  await forget();
  updateButtons();
  await openPretrained($('task').value);
}
