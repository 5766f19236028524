// worker-client.js: TranslatorWorker, the Translator API made async and run in a worker
// (lib/worker.js). In a browser it starts a module Web Worker; in Node a worker thread.
// train's onProgress is forwarded from the worker; stop() (or train's signal) aborts training.
// The worker is started through '#platform' (lib/browser/platform.js, lib/node/platform.js).

import { startWorker } from '#platform';

function rebuildError(error) {
  const e = new Error(error.message);
  if (error.code !== undefined) e.code = error.code;
  if (error.step !== undefined) e.step = error.step;
  return e;
}

/** A Translator that lives in a worker; every method returns a Promise. */
export class TranslatorWorker {
  /** @private use TranslatorWorker.create or TranslatorWorker.load */
  constructor(channel) {
    this._channel = channel;
    this._nextId = 1;
    this._pending = new Map();
    this._failure = null;
    this._state = null;
    channel.listen(
      (message) => this._onMessage(message),
      (error) => this._fail(error),
    );
  }

  static async _start(workerOptions = {}) {
    if (workerOptions === null || typeof workerOptions !== 'object') {
      throw new TypeError('the second argument must be an object like { workerUrl }');
    }
    return new TranslatorWorker(startWorker(workerOptions.workerUrl));
  }

  /**
   * Starts a worker and creates a Translator in it (same options as Translator.create).
   * @param {object} options
   * @param {{workerUrl?: string|URL}} [workerOptions] where lib/worker.js is served
   */
  static async create(options, workerOptions) {
    const remote = await TranslatorWorker._start(workerOptions);
    try {
      remote._state = await remote._call('create', [options]);
    } catch (error) {
      remote.terminate();
      throw error;
    }
    return remote;
  }

  /** Starts a worker and loads a model file in it (same as Translator.load). */
  static async load(bytes, options = {}, workerOptions) {
    const remote = await TranslatorWorker._start(workerOptions);
    try {
      remote._state = await remote._call('load', [bytes, options]);
    } catch (error) {
      remote.terminate();
      throw error;
    }
    return remote;
  }

  _onMessage(message) {
    const pending = this._pending.get(message?.id);
    if (!pending) return;
    if ('progress' in message) {
      pending.onProgress?.(message.progress);
      return;
    }
    this._pending.delete(message.id);
    if (message.error) pending.reject(rebuildError(message.error));
    else pending.resolve(message.result);
  }

  _fail(error) {
    if (this._failure) return;
    this._failure = error;
    for (const pending of this._pending.values()) pending.reject(error);
    this._pending.clear();
  }

  _call(method, args, onProgress) {
    if (this._failure) return Promise.reject(this._failure);
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject, onProgress });
      this._channel.post({ id, method, args });
    });
  }

  _known(name) {
    if (!this._state) throw new Error('this TranslatorWorker was disposed: create or load a new one');
    return this._state[name];
  }

  /** 'simd' or 'scalar'. */
  get backend() { return this._known('backend'); }
  /** The network's configuration. */
  get config() { return this._known('config'); }
  /** { source, target } tokenizer names. */
  get tokenizer() { return this._known('tokenizer'); }
  /** The `info` saved with the model. */
  get info() { return this._known('info'); }
  /** Adam steps taken (updated after each train). */
  get stepCount() { return this._known('stepCount'); }
  /** The source symbols after the four specials, in id order. */
  get sourceSymbols() { return this._known('sourceVocabulary'); }
  /** The target symbols after the four specials, in id order. */
  get targetSymbols() { return this._known('targetVocabulary'); }

  /**
   * Trains in the worker. options as Translator#train; onProgress is called with the worker's
   * progress messages, and aborting options.signal stops training like stop().
   */
  async train(pairs, options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('train: options must be an object');
    const { onProgress, signal, ...rest } = options;
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('onProgress must be a function');
    const onAbort = () => this.stop();
    signal?.addEventListener?.('abort', onAbort, { once: true });
    try {
      const promise = this._call('train', [pairs, rest], onProgress);
      if (signal?.aborted) this.stop();
      const { report, stepCount } = await promise;
      this._state.stepCount = stepCount;
      return report;
    } finally {
      signal?.removeEventListener?.('abort', onAbort);
    }
  }

  /** Stops a running train after its current step (its promise then resolves with stopped: true). */
  stop() {
    return this._call('stop', []);
  }

  translate(text, options) { return this._call('translate', [text, options]); }
  translateBatch(texts, options) { return this._call('translateBatch', [texts, options]); }
  explain(text, options) { return this._call('explain', [text, options]); }
  evaluate(pairs, options) { return this._call('evaluate', [pairs, options]); }
  /** The model file, as Translator#save. */
  save() { return this._call('save', []); }

  /** Frees the model and ends the worker. */
  async dispose() {
    if (!this._state) return;
    try {
      await this._call('dispose', []);
    } finally {
      this._state = null;
      this.terminate();
    }
  }

  /** Ends the worker at once (pending calls reject). */
  terminate() {
    this._fail(new Error('the worker was terminated'));
    this._channel.terminate();
  }
}
