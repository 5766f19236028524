// worker-client.js: TranslatorWorker, the Translator API made async and run in a worker
// (lib/worker.js), over lib/rpc.js. In a browser it starts a module Web Worker; in Node a worker
// thread ('#platform': lib/browser/platform.js, lib/node/platform.js). train's onProgress is
// forwarded from the worker; stop() (or train's signal) pauses training after its current step.
// startSession / runSession / sessionState / closeSession drive one resumable TrainingSession in
// the worker (lib/session.js), so a page can train in slices without sending the data again.
// Wherever pairs go to the worker they may also be packed (lib/packed-pairs.js: packPairs' form
// or a pairsView), which crosses as two buffers instead of one cloned object per string.

import { startWorker } from '#platform';
import { RpcClient } from './rpc.js';
import { fail } from './errors.js';
import { pairsForWorker, withOptionPairs } from './packed-pairs.js';

/** A Translator that lives in a worker; every method returns a Promise. */
export class TranslatorWorker {
  /** @private use TranslatorWorker.create or TranslatorWorker.load */
  constructor(port) {
    this._rpc = new RpcClient(port, { name: 'the worker' });
    this._state = null;
  }

  static async _start(workerOptions = {}) {
    if (workerOptions === null || typeof workerOptions !== 'object') {
      throw new TypeError('the second argument must be an object like { workerUrl }');
    }
    return new TranslatorWorker(startWorker(workerOptions.workerUrl));
  }

  _call(method, args, onEvent) {
    return this._rpc.call(method, args, { onEvent });
  }

  /**
   * Starts a worker and creates a Translator in it (same options as Translator.create).
   * @param {object} options
   * @param {{workerUrl?: string|URL}} [workerOptions] where lib/worker.js is served
   */
  static async create(options, workerOptions) {
    const remote = await TranslatorWorker._start(workerOptions);
    try {
      remote._state = await remote._call('create', [withOptionPairs(options, pairsForWorker)]);
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

  /**
   * Starts a worker and loads a checkpoint in it (as Translator.loadCheckpoint).
   * @returns {Promise<{ remote: TranslatorWorker, session: object|null, app: object|null, savedAt: string, backend: string }>}
   */
  static async loadCheckpoint(bytes, options = {}, workerOptions) {
    const remote = await TranslatorWorker._start(workerOptions);
    try {
      const { checkpoint, ...state } = await remote._call('loadCheckpoint', [bytes, options]);
      remote._state = state;
      return { remote, ...checkpoint };
    } catch (error) {
      remote.terminate();
      throw error;
    }
  }

  _known(name) {
    if (!this._state) throw fail('this TranslatorWorker was disposed: create or load a new one', 'DISPOSED');
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
      const promise = this._call('train', [pairsForWorker(pairs), rest], onProgress);
      if (signal?.aborted) this.stop();
      const { report, stepCount } = await promise;
      this._state.stepCount = stepCount;
      return report;
    } finally {
      signal?.removeEventListener?.('abort', onAbort);
    }
  }

  /** Stops a running train (or runSession) after its current step (it then resolves with stopped: true). */
  stop() {
    return this._call('stop', []);
  }

  /**
   * Starts a resumable training session in the worker (Translator#session): the pairs are sent
   * once. options as train's, without onProgress and signal. -> the session's state().
   */
  startSession(pairs, options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('startSession: options must be an object');
    return this._call('sessionStart', [pairsForWorker(pairs), options]);
  }

  /**
   * Runs the session until it is done, stop() is called, or a limit: { maxSteps, maxMs }.
   * onProgress gets the progress events. -> the run's report, with the session's state.
   */
  async runSession(limits = {}, { onProgress, signal } = {}) {
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('onProgress must be a function');
    const onAbort = () => this.stop();
    signal?.addEventListener?.('abort', onAbort, { once: true });
    try {
      const promise = this._call('sessionRun', [limits], onProgress);
      if (signal?.aborted) this.stop();
      const { report, stepCount, state } = await promise;
      this._state.stepCount = stepCount;
      return { ...report, state };
    } finally {
      signal?.removeEventListener?.('abort', onAbort);
    }
  }

  /** The session's state() (what a checkpoint stores). */
  sessionState() { return this._call('sessionState', []); }
  /** Ends the session and its worker threads. */
  closeSession() { return this._call('sessionClose', []); }

  translate(text, options) { return this._call('translate', [text, options]); }
  translateBatch(texts, options) { return this._call('translateBatch', [texts, options]); }
  explain(text, options) { return this._call('explain', [text, options]); }
  evaluate(pairs, options) { return this._call('evaluate', [pairsForWorker(pairs), options]); }
  /** The model file, as Translator#save. */
  save() { return this._call('save', []); }
  /** A checkpoint, as Translator#checkpoint ({ session: a state from sessionState(), app }). */
  checkpoint(parts) { return this._call('checkpoint', [parts]); }

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
    this._state = null;
    return this._rpc.terminate('it was terminated');
  }
}
