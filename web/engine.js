// engine.js: the page's one door to the library. It loads the worker client (so a missing
// build shows as a message, not a blank page), makes TranslatorWorker instances, each running
// its own model in a Web Worker (lib/worker.js, which trains with more Web Workers when the page
// asks for more threads), and asks a small data worker (data-worker.js) for task pairs, so
// generating or parsing data never blocks the page. Both talk lib/rpc.js.

import { RpcClient } from '../lib/rpc.js';
import { startWorker, availableCores } from '../lib/browser/platform.js';

let lib = null;
const workerUrl = new URL('../lib/worker.js', import.meta.url);

/** -> { TranslatorWorker } */
export async function loadLibrary() {
  if (lib) return lib;
  const { TranslatorWorker } = await import('../lib/worker-client.js');
  lib = { TranslatorWorker };
  return lib;
}

/** 'simd' or 'scalar': the build a new model will run ('auto' resolved as the library does). */
export async function expectedBackend() {
  const { resolveBackend } = await import('../lib/wasm.js');
  return resolveBackend('auto');
}

/** True where the browser runs WebAssembly relaxed SIMD, which the 'fma' build needs. */
export async function fmaAvailable() {
  const { fmaSupported } = await import('../lib/wasm.js');
  return fmaSupported();
}

/** A new model in a new worker; options as Translator.create's (docs/api.md). */
export async function createRemote(options) {
  const { TranslatorWorker } = await loadLibrary();
  return TranslatorWorker.create(options, { workerUrl });
}

/** A model from a model file's bytes, in a new worker, on `backend` ('auto' | 'simd' | 'scalar' | 'fma').
 *  Throws an Error saying what is wrong. */
export async function loadRemote(bytes, backend = 'auto') {
  const { TranslatorWorker } = await loadLibrary();
  return TranslatorWorker.load(bytes, { backend }, { workerUrl });
}

/** A checkpoint's model (weights and Adam's state), on the backend it was written on, in a new
 *  worker: { remote, session, app, savedAt, backend }. Throws an Error saying what is wrong. */
export async function loadCheckpointRemote(bytes) {
  const { TranslatorWorker } = await loadLibrary();
  return TranslatorWorker.loadCheckpoint(bytes, {}, { workerUrl });
}

// ---- data, made in data-worker.js (over lib/rpc.js, the library's worker protocol) ----

let dataWorker = null;

function askData(method, args = [], transfer = []) {
  if (!dataWorker || dataWorker.failure) {
    dataWorker = new RpcClient(startWorker(new URL('./data-worker.js', import.meta.url)), { name: 'the data worker' });
  }
  return dataWorker.call(method, args, { transfer });
}

/** The built-in task names, in the library's order. */
export function taskNames() {
  return askData('names');
}

const taskCache = new Map();
/** A built-in task: { name, description, tokenizer, train, test } (cached per name and options). */
export function makeTask(name, options) {
  const key = `${name} ${JSON.stringify(options)}`;
  if (!taskCache.has(key)) {
    const p = askData('task', [name, options]);
    p.catch(() => taskCache.delete(key));
    taskCache.set(key, p);
  }
  return taskCache.get(key);
}

/** The user's TSV bytes -> a task (tasks.fromTSV in the worker). */
export function tasksFromTsv(bytes, options) {
  return askData('tsv', [bytes, options]);
}

/** The threads this browser offers (navigator.hardwareConcurrency). */
export function cores() {
  return availableCores();
}

/** True when training workers can share memory (the page is crossOriginIsolated). */
export function sharedMemory() {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;
}
