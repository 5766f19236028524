// worker.js: runs inside a Web Worker (or a Node worker thread) and serves one Translator to
// lib/worker-client.js over messages, so a page can train without freezing.
//
// Protocol: the client posts { id, method, args }; the worker answers { id, result } or
// { id, error: { message, code, step } }, and during train posts { id, progress } (at most every
// 50 ms, plus every step that carries an evaluation and the last step). 'stop' is answered at
// once and aborts the running train after its current step; every other call runs in order.

import { Translator } from './translator.js';
import { parentPort } from '#platform';

const PROGRESS_EVERY_MS = 50;

let model = null;
let controller = null;
let queue = Promise.resolve();

function describe() {
  return {
    backend: model.backend,
    config: model.config,
    tokenizer: model.tokenizer,
    sourceVocabulary: model.sourceVocabulary.symbols,
    targetVocabulary: model.targetVocabulary.symbols,
    info: model.info,
    stepCount: model.stepCount,
  };
}

function needModel() {
  if (!model) {
    const error = new Error('no model in this worker: call TranslatorWorker.create or TranslatorWorker.load first');
    error.code = 'DISPOSED';
    throw error;
  }
  return model;
}

const methods = {
  async create(options) {
    model?.dispose();
    model = null;
    model = await Translator.create(options);
    return describe();
  },
  async load(bytes, options) {
    model?.dispose();
    model = null;
    model = await Translator.load(bytes, options);
    return describe();
  },
  async train(post, id, pairs, options = {}) {
    const m = needModel();
    controller = new AbortController();
    let last = 0;
    try {
      const report = await m.train(pairs, {
        ...options,
        signal: controller.signal,
        onProgress(progress) {
          const now = performance.now();
          if (now - last >= PROGRESS_EVERY_MS || progress.eval || progress.step === progress.totalSteps) {
            last = now;
            post({ id, progress });
          }
        },
      });
      return { report, stepCount: m.stepCount };
    } finally {
      controller = null;
    }
  },
  translate: (text, options) => needModel().translate(text, options),
  translateBatch: (texts, options) => needModel().translateBatch(texts, options),
  explain: (text, options) => needModel().explain(text, options),
  evaluate: (pairs, options) => needModel().evaluate(pairs, options),
  save: () => needModel().save(),
  dispose() {
    model?.dispose();
    model = null;
    return null;
  },
};

function onMessage(data, post) {
  const { id, method, args = [] } = data ?? {};
  if (method === 'stop') {
    controller?.abort();
    post({ id, result: null });
    return;
  }
  queue = queue.then(async () => {
    try {
      if (!Object.hasOwn(methods, method)) throw new Error(`unknown worker method ${JSON.stringify(method)}`);
      const result = method === 'train' ? await methods.train(post, id, ...args) : await methods[method](...args);
      if (result instanceof Uint8Array) post({ id, result }, [result.buffer]);
      else post({ id, result });
    } catch (error) {
      post({ id, error: { message: String(error?.message ?? error), code: error?.code, step: error?.step } });
    }
  });
}

// A Web Worker or a Node worker thread: '#platform' gives the port either way, with no top-level
// await (Vite bundles workers as IIFE files, which cannot have it).
const port = parentPort();
port.listen((data) => onMessage(data, port.post));
