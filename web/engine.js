// engine.js: the page's one door to the library. It loads the worker client (so a missing
// build shows as a message, not a blank page), makes TranslatorWorker instances, each running
// its own model in a Web Worker (lib/worker.js, which trains with more Web Workers when the page
// asks for more threads), and asks a small data worker (data-worker.js) for task pairs, so
// generating or parsing data never blocks the page. Both talk lib/rpc.js. A parsed file's pairs
// stay packed on this thread (lib/packed-pairs.js): the page reads the few it shows through a
// view, and TranslatorWorker sends the packed form on to the model's worker, which unpacks it.

import { RpcClient } from '../lib/rpc.js';
import { fail } from '../lib/errors.js';
import { pairsView } from '../lib/packed-pairs.js';
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

/**
 * The user's TSV bytes (moved to the data worker, not copied) -> a task as tasks.fromTSV makes
 * it, { name, description, tokenizer, train, test }, plus stats (tasks.describePairs). train
 * and test are read-only views (lib/packed-pairs.js pairsView): length, slice, at, [i].
 */
export async function tasksFromTsv(bytes, options) {
  const answer = await askData('tsv', [bytes, options], [bytes.buffer]);
  return corpusFromWorker(answer);
}

/** The data worker's answer to tsv, checked (it is a message: outside input to this thread);
 *  a malformed one is a WORKER_FAILED Error naming what is wrong. */
export function corpusFromWorker(answer) {
  const wrong = (what) => fail(`the data worker's answer is malformed: ${what}`, 'WORKER_FAILED');
  if (answer === null || typeof answer !== 'object') throw wrong('it is not an object');
  const { name, description, tokenizer, stats } = answer;
  if (typeof name !== 'string' || typeof description !== 'string') throw wrong('name and description must be strings');
  if (typeof tokenizer !== 'string' && (tokenizer === null || typeof tokenizer !== 'object')) throw wrong('tokenizer must be a name or { source, target }');
  const sizes = (side) => side && Number.isFinite(side.meanWords) && Number.isInteger(side.maxWords);
  if (!stats || !Number.isInteger(stats.pairs) || !sizes(stats.source) || !sizes(stats.target) || !Array.isArray(stats.histogram)
    || !stats.histogram.every((b) => b && ['from', 'to', 'source', 'target'].every((k) => Number.isInteger(b[k])))) {
    throw wrong('stats must be what tasks.describePairs returns');
  }
  const view = (split) => {
    try {
      return pairsView(answer[split], split);
    } catch (err) {
      throw wrong(err.message);
    }
  };
  const train = view('train');
  const test = view('test');
  if (train.length + test.length !== stats.pairs) throw wrong(`stats count ${stats.pairs} pairs, the splits ${train.length + test.length}`);
  return { name, description, tokenizer, train, test, stats };
}

/** The threads this browser offers (navigator.hardwareConcurrency). */
export function cores() {
  return availableCores();
}

/** True when training workers can share memory (the page is crossOriginIsolated). */
export function sharedMemory() {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;
}
