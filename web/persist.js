// persist.js: where the page's model comes from and goes to: a checkpoint kept in the browser
// (IndexedDB, storage.js) and restored on the next visit, with an offer to resume an interrupted
// run; a model file downloaded or loaded (picked or dropped); and the pretrained model of the
// picked task (pretrained.js) while the visitor has none of their own. Each replaces the model
// through adoptRemote, which stops training and resets the progress first.

import { saveModelRecord, loadModelRecord, forgetModelRecord } from './storage.js';
import { formatDuration } from './canvas.js';
import { loadRemote, loadCheckpointRemote } from './engine.js';
import { describePretrained, PRETRAINED_TASKS } from './pretrained.js';
import { takePretrained } from './boot.js';
import { showError, errorText } from './messages.js';
import { MAX_FILE } from '../lib/limits.js';
import { state, isPretrained, setModel, clearModel, stopTraining, progressRecord, applyProgress } from './state.js';
import { stats, resetCurves, setTrainState, showSettings, showBackend, updateButtons } from './controls.js';
import { retranslate, updateProbe } from './translate.js';
import { selectTask, taskLabel } from './data.js';

const $ = (id) => document.getElementById(id);

/**
 * Keeps a checkpoint (the model, Adam's state and the page's training state) in IndexedDB.
 * interrupted: taken while training runs, so a reload offers to resume from it. A failure (a full
 * storage quota, private mode) is reported and changes nothing else: training goes on.
 */
export async function remember({ interrupted = false } = {}) {
  if (isPretrained()) return; // it comes with the page; the visitor's own model is what is kept
  try {
    const session = state.session ? await state.remote.sessionState() : state.resumeSession;
    const bytes = await state.remote.checkpoint({ session, app: progressRecord() });
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

/** Forgets the checkpoint kept in the browser (nothing stored, or no IndexedDB: nothing to do). */
export async function forget() {
  try {
    await forgetModelRecord();
  } catch { /* nothing to forget */ }
}

function fileName() {
  const m = state.model || {};
  const s = m.settings || {};
  const parts = ['seq2seq', m.task || 'model', s.cell, s.attention].filter(Boolean);
  return `${parts.join('-').replace(/[^\w.-]+/g, '_')}.s2s`;
}

/** Saves the model as a .s2s file (the browser's download). */
export async function download() {
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
  await stopTraining();
  const cfg = remote.config || {};
  const old = setModel(remote, { task: remote.info?.task || how.task || 'loaded', settings: { ...cfg }, source: how.source, fileName: how.fileName });
  if (old) old.dispose().catch(() => {});
  resetCurves();
  if (how.source === 'pretrained') return cfg; // the form keeps the visitor's settings for their own model
  showSettings(cfg);
  if (state.taskNames.includes(state.model.task) && $('task').value !== state.model.task) {
    $('task').value = state.model.task;
    await selectTask();
  }
  showBackend();
  return cfg;
}

/** Loads a .s2s model file (picked or dropped) as the page's model, and remembers it. */
export async function loadModelFile(file) {
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

/** Brings back the model remembered in this browser, if any (and offers to resume its run);
 *  record: its read from IndexedDB (storage.js loadModelRecord), when already started. */
export async function restore(record = loadModelRecord()) {
  let rec;
  try {
    rec = await record;
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
    applyProgress(info);
    if (info.model?.settings) showSettings(info.model.settings);
    stats.accChart.set(0, state.accPoints);
    stats.render({ loss: state.lossPoints.at(-1)?.y });
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
    await forget();
  }
}

/** Training was interrupted (a reload, a closed tab, a crash): offer to go on from its checkpoint. */
function offerResume(rec, info) {
  const acc = info.lastEval ? `${(info.lastEval.exactMatch * 100).toFixed(1)} % held-out exact match` : 'no accuracy measured yet';
  $('resume-text').textContent = `Training was interrupted. The last checkpoint is from ${new Date(rec.savedAt).toLocaleString()}: step ${state.steps.toLocaleString('en-US')}, ${formatDuration(state.trainMs)} of training, ${acc}. Resume from there?`;
  $('resume-offer').hidden = false;
  setTrainState(`Restored the checkpoint at step ${state.steps.toLocaleString('en-US')}. Press Resume training to go on exactly where training stopped.`);
}

/** Opens the pretrained model of `task` when the visitor has no model of their own. */
export async function openPretrained(task) {
  if ((state.remote && !isPretrained()) || state.training || !PRETRAINED_TASKS.includes(task)) return;
  if (isPretrained() && state.model.task === task) return;
  try {
    const remote = await takePretrained(task);
    performance.mark('s2s:pretrained-model');
    if ((state.remote && !isPretrained()) || state.training || $('task').value !== task) {
      remote.dispose().catch(() => {});
      return;
    }
    const cfg = await adoptRemote(remote, { source: 'pretrained', task });
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
export async function dropPretrained() {
  const old = clearModel();
  if (old) await old.dispose().catch(() => {});
  resetCurves();
  updateButtons();
}
