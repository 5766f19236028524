// boot.js: starts what the page's first translation waits on, side by side, as soon as the page
// is parsed: the default task's pretrained model (its file, then a worker with the wasm compiled
// there and one warm-up translation), the default task's data and the task list (in the data
// worker), the library, and the model kept in this browser. index.html runs it as a module
// script of its own ahead of app.js, whose module graph is much larger; the page's modules take
// the results from here.

import { loadLibrary, loadRemote, taskNames, makeTask } from './engine.js';
import { fetchPretrained, PRETRAINED_TASKS } from './pretrained.js';
import { loadModelRecord } from './storage.js';

/** The task the page opens with (when the library has it), and the size its tasks are made at. */
export const DEFAULT_TASK = 'dates';
export const TASK_SIZES = { trainSize: 10000, testSize: 1000, seed: 1 };

performance.mark('s2s:boot');
// each is reported where it is used
const quiet = (promise) => {
  promise.catch(() => {});
  return promise;
};
/** The library (engine.js loadLibrary). */
export const library = quiet(loadLibrary());
/** The built-in task names. */
export const names = quiet(taskNames());
/** The model kept in this browser (storage.js), for persist.js restore. */
export const storedRecord = quiet(loadModelRecord());
quiet(makeTask(DEFAULT_TASK, TASK_SIZES)); // engine.js keeps it: data.js selectTask finds it made

// Pretrained models on their way: task -> Promise<TranslatorWorker>.
const early = new Map();

/** Starts fetching the pretrained model of `task` and loading it in a worker. */
export function startPretrained(task) {
  if (!PRETRAINED_TASKS.includes(task) || early.has(task)) return;
  const remote = fetchPretrained(task).then(async (bytes) => {
    performance.mark('s2s:pretrained-bytes');
    const r = await loadRemote(bytes, document.getElementById('engine')?.value || 'auto');
    performance.mark('s2s:pretrained-ready');
    // One translation while the page waits for its data: an engine that compiles the wasm
    // lazily (WebKit) does it now instead of on the visitor's first input.
    await r.translate('a', { beam: 1 }).catch(() => {});
    return r;
  });
  early.set(task, quiet(remote));
}

/** The pretrained model of `task` in its worker (started now if it was not): it is the caller's. */
export function takePretrained(task) {
  startPretrained(task);
  const remote = early.get(task);
  early.delete(task);
  return remote;
}

/** Disposes of the pretrained models started but not taken (the visitor has a model). */
export function dropUnusedPretrained() {
  for (const remote of early.values()) remote.then((r) => r.dispose()).catch(() => {});
  early.clear();
}

startPretrained(DEFAULT_TASK);
