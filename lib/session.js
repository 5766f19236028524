// session.js: the one training loop of the library. A TrainingSession trains a Translator on
// string pairs: it encodes them once, makes each epoch's batches from one seeded generator
// (shuffled, bucketed by length), cuts every batch into fixed shards, has the shards' gradient
// SUMS computed (on this thread, or by a pool of worker replicas: pool.js) and added in shard
// order, and applies one clipped Adam step per batch. It can run, pause, continue and evaluate,
// and reports progress. Translator#train, TranslatorWorker, the CLI, the page and the experiment
// all train through it.
//
// Everything that decides what the next step does is in one plain object, state(): a checkpoint
// stores it (JSON) and `new TrainingSession(model, pairs, { ...options, resume: state })` goes on
// byte-identically. The shard size is part of it, and the number of workers is not: the same
// state trains to the same bytes with 1 or 8 workers.

import { BOS, EOS, MAX_SEQUENCE_LENGTH } from './text.js';
import { createRandom } from './random.js';
import { MAX_BATCH, MAX_BEAM } from './limits.js';
import { fail, integer, positiveNumber } from './errors.js';

/** What state().format says: a session state, resumable by this library. */
export const SESSION_FORMAT = 'seq2seq-attention/session';
/** The version of state()'s layout. */
export const SESSION_VERSION = 1;
/** Examples per shard when the options do not say: the unit of work a worker takes. */
export const DEFAULT_SHARD_SIZE = 16;
const YIELD_EVERY_MS = 25; // how often training lets other events (stop messages, UI) run

const OPTIONS = ['epochs', 'steps', 'batchSize', 'learningRate', 'schedule', 'clipNorm', 'shuffleSeed', 'bucket',
  'evaluate', 'onProgress', 'signal', 'workers', 'shardSize', 'transport', 'resume', 'workerUrl', 'allowChangedOptions'];
// what must be the same when a run is resumed: they decide the batches and the updates
const RUN_SHAPE = ['batchSize', 'shuffleSeed', 'bucket', 'shardSize', 'totalSteps'];
/** The training options a resumed run keeps from its state unless `allowChangedOptions` names them. */
export const CHANGEABLE_ON_RESUME = Object.freeze(['learningRate', 'schedule', 'clipNorm']);

/** Checks [[source, target], ...] and returns it. */
export function checkPairs(pairs, what) {
  if (!Array.isArray(pairs)) throw fail(`${what} must be an array of [source, target] string pairs`);
  if (pairs.length === 0) throw fail(`${what} is empty: give at least one [source, target] pair`);
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string') {
      throw fail(`${what}[${i}] must be a [source, target] pair of strings, got ${JSON.stringify(p)?.slice(0, 80)}`);
    }
  }
  return pairs;
}

/**
 * `workers` as given to train: a positive integer, or 'auto' (this machine's cores, at most
 * `cap`). Throws a BAD_ARGUMENT Error for anything else.
 */
export function resolveWorkers(workers, cores, cap = 16) {
  if (workers === undefined || workers === 'auto') return Math.max(1, Math.min(cap, Math.floor(cores) || 1));
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw fail(`workers must be 'auto' or an integer from 1 to 256 (1: train on this thread only), got ${JSON.stringify(workers)}`);
  }
  return workers;
}

function learningRateAt(schedule, baseRate, step, total) {
  if (schedule === 'constant') return baseRate;
  if (schedule === 'cosine') return baseRate * 0.5 * (1 + Math.cos((Math.PI * step) / total));
  const rate = schedule(step, total);
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw fail(`schedule(${step}, ${total}) returned ${rate}; it must return a finite learning rate >= 0`);
  }
  return rate;
}

// Lets queued events (a worker's 'stop' message, the page's input) run between training steps.
// Browsers clamp chained setTimeout(0) to 4 ms, so there a MessageChannel message is the yield.
/** Resolves after other queued events (a stop message, a page's input) had their turn. */
export const yieldToEventLoop = (() => {
  if (typeof setImmediate === 'function') return () => new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const waiting = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return () => new Promise((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
  }
  return () => new Promise((resolve) => setTimeout(resolve, 0));
})();

/** FNV-1a over the pairs: a resumed run must see the same data (its state's `data`). */
export function fingerprint(pairs) {
  let h = 0x811c9dc5;
  const mix = (s) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x1f, 0x01000193);
  };
  for (const [s, t] of pairs) {
    mix(s);
    mix(t);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Pads encoded examples ({ src, tgt } id arrays) into the core's batch layout. */
export function makeBatch(examples) {
  const batchSize = examples.length;
  let srcLength = 1;
  let tgtLength = 1;
  for (const e of examples) {
    srcLength = Math.max(srcLength, e.src.length);
    tgtLength = Math.max(tgtLength, e.tgt.length + 1);
  }
  const src = new Int32Array(batchSize * srcLength); // PAD = 0
  const srcLengths = new Int32Array(batchSize);
  const tgtIn = new Int32Array(batchSize * tgtLength);
  const tgtOut = new Int32Array(batchSize * tgtLength);
  let tokens = 0;
  examples.forEach((e, b) => {
    src.set(e.src, b * srcLength);
    srcLengths[b] = e.src.length;
    tgtIn[b * tgtLength] = BOS;
    tgtIn.set(e.tgt, b * tgtLength + 1);
    tgtOut.set(e.tgt, b * tgtLength);
    tgtOut[b * tgtLength + e.tgt.length] = EOS;
    tokens += e.src.length + e.tgt.length + 1;
  });
  // Row b: tgtIn = BOS y_1 .. y_T, tgtOut = y_1 .. y_T EOS (docs/design.md's teacher forcing), PAD after.
  return { batch: { src, srcLengths, tgtIn, tgtOut, batchSize, srcLength, tgtLength }, tokens };
}

/**
 * Training on this thread: each shard's gradient sums in turn, added in shard order, one Adam
 * step. The pool (pool.js) computes exactly the same numbers with the shards spread over workers.
 */
export class LocalStepper {
  constructor(core) {
    this.core = core;
    this.workers = 1;
    this.transport = 'none';
  }

  async step(shards, { learningRate, clipNorm }) {
    let lossSum = 0;
    let count = 0;
    // the sums are added in shard order inside the module (core.accumulateGradientSums), without
    // copying the gradients out
    shards.forEach((shard, k) => {
      const r = this.core.accumulateGradientSums(shard, { first: k === 0 });
      lossSum += r.lossSum;
      count += r.count;
    });
    return this.core.applyAccumulated({ count, lossSum, learningRate, clipNorm });
  }

  close() {}
}

/**
 * Whether a model's weights still give a finite loss and finite gradients on every shard of a
 * batch. After a diverging step (the kept weights are those from before it) this says whether a
 * lower learning rate can continue from them, or whether they overflow by themselves and only a
 * fresh model helps.
 * @param {import('./core.js').Seq2Seq} core
 * @param {object[]} shards batches in the core's layout
 */
export function weightsUsable(core, shards) {
  try {
    return shards.every((shard) => {
      const { loss, gradients } = core.lossAndGradients(shard);
      return Number.isFinite(loss) && Object.values(gradients).every((g) => g.every(Number.isFinite));
    });
  } catch {
    return false;
  }
}

/** The DIVERGED Error of training, with advice that fits whether the kept weights are usable. */
export function divergedError({ step, learningRate, weightsUsable: usable, report, cause }) {
  const what = `training diverged at step ${step} (the loss or a gradient became NaN/Inf)`;
  const message = usable
    ? `${what}; the weights are those from before that step: lower learningRate (it was ${learningRate}) or set clipNorm`
    : `${what}; the weights from before that step are kept but overflow too (this batch's loss or gradients are not finite with them), so a lower learning rate cannot continue from them: start again from a fresh model (Translator.create) or a saved one, with a lower learningRate (it was ${learningRate}) or clipNorm set`;
  return fail(message, 'DIVERGED', { step, weightsUsable: usable, report, cause });
}

/**
 * A resumable training run of a Translator on pairs (docs/api.md, "Training sessions").
 */
export class TrainingSession {
  #model;
  #pairs;
  #examples;
  #options;
  #state;
  #epochBatches = null; // the current epoch's batches (example indices), rebuilt from #state
  #stepper = null;
  #running = false;
  #pauseRequested = false;
  #closed = false;
  #makeStepper;
  #used = { workers: null, transport: null }; // what the last run trained with

  /**
   * @param {import('./translator.js').Translator} model
   * @param {[string, string][]} pairs
   * @param {object} options as Translator#train, plus workers, shardSize, transport and resume
   * @param {(core, options) => Promise<object>} [makeStepper] how a pool is made (translator.js)
   */
  constructor(model, pairs, options = {}, makeStepper = null) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw fail('train: options must be an object');
    for (const key of Object.keys(options)) {
      if (!OPTIONS.includes(key)) throw fail(`train: unknown option ${JSON.stringify(key)}; known options: ${OPTIONS.join(', ')}`);
    }
    checkPairs(pairs, 'pairs');
    const {
      epochs, steps, batchSize = 64, learningRate = 3e-3, schedule = 'constant', clipNorm = 5,
      shuffleSeed = 1, bucket = true, evaluate = null, onProgress = null, signal = null,
      workers = 'auto', shardSize, transport = 'auto', resume = null, workerUrl, allowChangedOptions = [],
    } = options;
    if (epochs !== undefined && steps !== undefined) throw fail('train: give epochs or steps, not both');
    integer(batchSize, 'batchSize', 1, MAX_BATCH);
    positiveNumber(learningRate, 'learningRate');
    positiveNumber(clipNorm, 'clipNorm', { allowZero: true });
    integer(shuffleSeed, 'shuffleSeed', 0, 0xffffffff);
    if (!(schedule === 'constant' || schedule === 'cosine' || typeof schedule === 'function')) {
      throw fail("schedule must be 'constant', 'cosine' or a function (step, totalSteps) => learningRate");
    }
    if (onProgress !== null && typeof onProgress !== 'function') throw fail('onProgress must be a function');
    if (typeof bucket !== 'boolean') throw fail('bucket must be true or false');
    if (signal !== null && (typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
      throw fail('signal must be an AbortSignal (from new AbortController().signal)');
    }
    if (workers !== 'auto') resolveWorkers(workers, 1);
    if (!Array.isArray(allowChangedOptions) || allowChangedOptions.some((k) => !CHANGEABLE_ON_RESUME.includes(k))) {
      throw fail(`allowChangedOptions must be an array of option names from ${CHANGEABLE_ON_RESUME.join(', ')}, got ${JSON.stringify(allowChangedOptions)}`);
    }
    if (!['auto', 'shared', 'transfer'].includes(transport)) {
      throw fail(`transport must be 'auto', 'shared' (SharedArrayBuffer) or 'transfer' (transferred ArrayBuffers), got ${JSON.stringify(transport)}`);
    }
    let evaluation = null;
    if (evaluate !== null) {
      if (typeof evaluate !== 'object' || Array.isArray(evaluate)) throw fail('train: evaluate must be an object { pairs, every, beam, maxLength }');
      for (const key of Object.keys(evaluate)) {
        if (!['pairs', 'every', 'beam', 'maxLength'].includes(key)) throw fail(`train: evaluate: unknown option ${JSON.stringify(key)}; known options: pairs, every, beam, maxLength`);
      }
      checkPairs(evaluate.pairs, 'evaluate.pairs');
      evaluation = {
        pairs: evaluate.pairs,
        every: integer(evaluate.every ?? 200, 'evaluate.every', 1, 1e9),
        beam: integer(evaluate.beam ?? 1, 'evaluate.beam', 1, MAX_BEAM),
        maxLength: evaluate.maxLength === undefined ? undefined : integer(evaluate.maxLength, 'evaluate.maxLength', 1, MAX_SEQUENCE_LENGTH),
      };
    }

    this.#model = model;
    this.#pairs = pairs;
    this.#examples = pairs.map((p, i) => ({
      src: model.encodeSource(p[0], `pairs[${i}][0]`).ids,
      tgt: model._encodeTarget(p[1], `pairs[${i}][1]`),
    }));
    const batchesPerEpoch = Math.ceil(this.#examples.length / batchSize);
    const totalSteps = steps !== undefined ? integer(steps, 'steps', 1, 1e9) : integer(epochs ?? 10, 'epochs', 1, 1e6) * batchesPerEpoch;
    const shard = shardSize === undefined ? Math.min(DEFAULT_SHARD_SIZE, batchSize) : integer(shardSize, 'shardSize', 1, MAX_BATCH);
    this.#options = {
      learningRate, schedule, clipNorm, evaluation, onProgress, signal, workers, transport, workerUrl,
      batchesPerEpoch,
    };
    const fresh = {
      format: SESSION_FORMAT,
      version: SESSION_VERSION,
      pairs: this.#examples.length,
      data: fingerprint(pairs),
      batchSize,
      shuffleSeed,
      bucket,
      shardSize: shard,
      totalSteps,
      learningRate,
      schedule: typeof schedule === 'function' ? 'custom' : schedule,
      clipNorm,
      step: 0,
      epoch: 0, // epochs started
      batchInEpoch: 0, // batches of the current epoch done
      epochRandom: shuffleSeed >>> 0, // the generator's state when the current epoch's batches were drawn
      random: shuffleSeed >>> 0, // its state now
      loss: null,
      examples: 0,
      tokens: 0,
      elapsedMs: 0,
    };
    if (resume !== null) {
      this.#state = TrainingSession.#checkResume(resume, fresh, options, allowChangedOptions);
      // a resumed run trains with its state's options (the same ones, or the changes allowed),
      // and its batch size (the state's even when the call left it out)
      Object.assign(this.#options, {
        learningRate: this.#state.learningRate, clipNorm: this.#state.clipNorm,
        schedule: typeof schedule === 'function' ? schedule : this.#state.schedule,
        batchesPerEpoch: Math.ceil(this.#examples.length / this.#state.batchSize),
      });
    } else {
      this.#state = fresh;
    }
    this.#makeStepper = makeStepper;
  }

  static #checkResume(resume, fresh, options, allowChanged) {
    if (resume === null || typeof resume !== 'object' || resume.format !== SESSION_FORMAT) {
      throw fail('resume must be the object a TrainingSession\'s state() returned');
    }
    if (resume.version !== SESSION_VERSION) {
      throw fail(`this session state is version ${resume.version}; this library resumes version ${SESSION_VERSION}`);
    }
    if (resume.stream !== undefined) {
      // the Python trainer's streamed runs draw their batches buffer by buffer as they read the
      // file (docs/model-format.md); this library draws in-memory epochs, so it cannot go on
      throw fail('resume: this run streamed its file in the Python trainer, which draws its batches as it reads the file: resume it there (python3 -m seq2seq_attention.train --resume CHECKPOINT), or start a new run from its model');
    }
    if (resume.pairs !== fresh.pairs || resume.data !== fresh.data) {
      throw fail(`resume: the run was on other pairs (${resume.pairs} pairs, fingerprint ${resume.data}; these are ${fresh.pairs}, ${fresh.data}): give the same training pairs`);
    }
    const state = { ...fresh };
    for (const key of RUN_SHAPE) {
      const given = key === 'totalSteps' ? (options.steps ?? options.epochs) : options[key];
      if (given !== undefined && resume[key] !== fresh[key]) {
        throw fail(`resume: ${key} was ${resume[key]} in the run being resumed, not ${fresh[key]}: leave it out or give the same value`);
      }
    }
    for (const key of Object.keys(fresh)) {
      if (!(key in resume)) throw fail(`resume: the session state has no ${key}`);
      if (CHANGEABLE_ON_RESUME.includes(key) && options[key] !== undefined) continue; // checked below
      state[key] = resume[key];
    }
    // learningRate, schedule and clipNorm decide the updates: left out, they are the run's; given,
    // they must be the run's unless the caller allows the change (the new value is then kept)
    for (const key of CHANGEABLE_ON_RESUME) {
      if (options[key] === undefined || fresh[key] === resume[key] || allowChanged.includes(key)) continue;
      throw fail(`resume: ${key} was ${JSON.stringify(resume[key])} in the run being resumed, not ${JSON.stringify(fresh[key])}: leave it out or give the same value, or allow the change with allowChangedOptions: ['${key}']`);
    }
    if (state.schedule === 'custom' && typeof options.schedule !== 'function') {
      throw fail('resume: the run being resumed used a schedule function (schedule "custom"): give the same function as schedule again');
    }
    for (const key of ['step', 'epoch', 'batchInEpoch', 'examples', 'tokens', 'totalSteps', 'shardSize', 'batchSize']) {
      integer(state[key], `resume.${key}`, 0, Number.MAX_SAFE_INTEGER);
    }
    for (const key of ['epochRandom', 'random']) integer(state[key], `resume.${key}`, 0, 0xffffffff);
    positiveNumber(state.learningRate, 'resume.learningRate');
    positiveNumber(state.clipNorm, 'resume.clipNorm', { allowZero: true });
    if (!['constant', 'cosine', 'custom'].includes(state.schedule)) throw fail(`resume.schedule must be 'constant', 'cosine' or 'custom', got ${JSON.stringify(state.schedule)}`);
    if (state.step > state.totalSteps) throw fail(`resume: step ${state.step} is past totalSteps ${state.totalSteps}`);
    return state;
  }

  /** The run's state as a plain JSON-able object (a copy): what a checkpoint stores to resume. */
  state() {
    return { ...this.#state };
  }

  /** Steps done, of totalSteps. */
  get step() { return this.#state.step; }
  get totalSteps() { return this.#state.totalSteps; }
  /** True once every step has been taken. */
  get done() { return this.#state.step >= this.#state.totalSteps; }
  /** True while run() runs. */
  get running() { return this.#running; }
  /** Threads computing gradients (1: this thread only) and how gradients move ('shared', 'transfer' or 'none'). */
  get workers() { return this.#used.workers; }
  get transport() { return this.#used.transport; }

  /** @private test hook: the stepper (LocalStepper or ReplicaPool) of the current run. */
  get _stepper() { return this.#stepper; }

  /** Stops a running run() after its current step; it resolves with stopped: true. */
  pause() {
    if (this.#running) this.#pauseRequested = true;
  }

  /** Ends the session's workers (a later run() starts new ones). */
  close() {
    this.#closed = true;
    const stepper = this.#stepper;
    this.#stepper = null;
    return stepper?.close();
  }

  /** Scores the model on pairs (as Translator#evaluate). */
  evaluate(pairs, options) {
    return this.#model.evaluate(pairs, options);
  }

  // This epoch's batches: a seeded shuffle; with bucketing, sorted by length first so little is
  // padding, then the batches shuffled. Drawn from the generator state at the epoch's start, so
  // a resumed run rebuilds exactly the batches it was in.
  #batchesOfEpoch() {
    const s = this.#state;
    const rng = createRandom(s.epochRandom);
    const examples = this.#examples;
    const order = rng.shuffle(Array.from(examples.keys()));
    if (s.bucket) order.sort((a, b) => examples[a].src.length - examples[b].src.length || examples[a].tgt.length - examples[b].tgt.length);
    const groups = [];
    for (let i = 0; i < order.length; i += s.batchSize) groups.push(order.slice(i, i + s.batchSize));
    if (s.bucket) rng.shuffle(groups);
    return { groups, after: rng.state() };
  }

  #nextBatch() {
    const s = this.#state;
    if (s.epoch === 0 || s.batchInEpoch >= this.#options.batchesPerEpoch) {
      // a new epoch: its batches come from the generator where the last epoch left it
      s.epochRandom = s.random;
      s.epoch++;
      s.batchInEpoch = 0;
    }
    if (this.#epochBatches?.epoch !== s.epoch) {
      const drawn = this.#batchesOfEpoch();
      s.random = drawn.after;
      this.#epochBatches = { epoch: s.epoch, groups: drawn.groups };
    }
    const group = this.#epochBatches.groups[s.batchInEpoch];
    const shards = [];
    let tokens = 0;
    for (let i = 0; i < group.length; i += s.shardSize) {
      const made = makeBatch(group.slice(i, i + s.shardSize).map((k) => this.#examples[k]));
      shards.push(made.batch);
      tokens += made.tokens;
    }
    return { shards, size: group.length, tokens };
  }

  async #ensureStepper() {
    if (this.#stepper) return this.#stepper;
    const o = this.#options;
    const core = this.#model.core;
    if (this.#makeStepper && o.workers !== 1) {
      this.#stepper = await this.#makeStepper(core, {
        workers: o.workers, transport: o.transport, workerUrl: o.workerUrl,
        shardsPerBatch: Math.ceil(this.#state.batchSize / this.#state.shardSize),
      });
    } else {
      this.#stepper = new LocalStepper(core);
    }
    this.#used = { workers: this.#stepper.workers, transport: this.#stepper.transport };
    return this.#stepper;
  }

  /**
   * Trains until the last step, a pause() or abort, or one of the limits.
   * @param {{ maxSteps?: number, maxMs?: number, signal?: AbortSignal, onProgress?: Function }} [limits]
   * @returns {Promise<{ steps, epochs, loss, elapsedMs, stopped, done, history, workers, transport }>}
   */
  async run(limits = {}) {
    if (limits === null || typeof limits !== 'object') throw fail('run: limits must be an object');
    if (this.#running) throw fail('train is already running on this model: wait for it to finish or stop it with its signal');
    const o = this.#options;
    const s = this.#state;
    const maxSteps = limits.maxSteps === undefined ? Infinity : integer(limits.maxSteps, 'maxSteps', 1, 1e9);
    const maxMs = limits.maxMs === undefined ? Infinity : positiveNumber(limits.maxMs, 'maxMs');
    const signal = limits.signal ?? o.signal;
    const onProgress = limits.onProgress ?? o.onProgress;
    this.#running = true;
    this.#pauseRequested = false;
    this.#closed = false;
    const history = [];
    const started = performance.now();
    const elapsedBefore = s.elapsedMs;
    let lastYield = started;
    let runExamples = 0;
    let runTokens = 0;
    let stepsThisRun = 0;
    let stopped = false;
    const report = () => ({
      steps: s.step, epochs: s.step / o.batchesPerEpoch, loss: s.loss ?? NaN, elapsedMs: s.elapsedMs, stopped,
      done: this.done, history, workers: this.workers ?? 1, transport: this.transport ?? 'none', shardSize: s.shardSize,
    });
    try {
      const stepper = await this.#ensureStepper();
      while (s.step < s.totalSteps) {
        if (this.#closed) {
          throw fail('training stopped: the session was closed (or its model disposed) while it ran', 'DISPOSED');
        }
        if (signal?.aborted || this.#pauseRequested) {
          stopped = true;
          break;
        }
        if (stepsThisRun >= maxSteps || performance.now() - started >= maxMs) break;
        const batch = this.#nextBatch();
        const rate = learningRateAt(o.schedule, o.learningRate, s.step, s.totalSteps);
        let loss;
        try {
          ({ loss } = await stepper.step(batch.shards, { learningRate: rate, clipNorm: o.clipNorm }));
        } catch (error) {
          if (error?.code !== 'DIVERGED') throw error;
          throw divergedError({
            step: s.step + 1, learningRate: rate, weightsUsable: weightsUsable(this.#model.core, batch.shards), report: report(), cause: error,
          });
        }
        s.step++;
        s.batchInEpoch++;
        s.loss = loss;
        s.examples += batch.size;
        s.tokens += batch.tokens;
        runExamples += batch.size;
        runTokens += batch.tokens;
        stepsThisRun++;
        const entry = { step: s.step, loss };
        if (o.evaluation && (s.step % o.evaluation.every === 0 || s.step === s.totalSteps)) {
          entry.eval = this.#model.evaluate(o.evaluation.pairs, { beam: o.evaluation.beam, maxLength: o.evaluation.maxLength });
        }
        history.push(entry);
        const now = performance.now();
        s.elapsedMs = elapsedBefore + (now - started);
        const seconds = Math.max((now - started) / 1000, 1e-9);
        onProgress?.({
          step: s.step, totalSteps: s.totalSteps, epoch: s.epoch, loss, learningRate: rate,
          examplesPerSecond: runExamples / seconds, tokensPerSecond: runTokens / seconds,
          elapsedMs: s.elapsedMs, eval: entry.eval, workers: stepper.workers, transport: stepper.transport,
        });
        if (now - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
    } catch (error) {
      // a failed step (a worker died, the model was disposed): end the workers, keep the state
      // of the last completed step so the session (or a new one from state()) can go on
      await this.close();
      throw error;
    } finally {
      s.elapsedMs = elapsedBefore + (performance.now() - started);
      this.#running = false;
      this.#pauseRequested = false;
    }
    if (this.done) await this.close();
    return report();
  }
}
