// worker.js: runs inside a Web Worker (or a Node worker thread). It serves, over lib/rpc.js:
//  - one Translator for lib/worker-client.js (TranslatorWorker), so a page can train without
//    freezing: create, load, loadCheckpoint, train (progress events), a resumable session
//    (sessionStart, sessionRun, sessionState, sessionClose), stop, translate, translateBatch,
//    explain, evaluate, save, checkpoint, dispose;
//  - one model replica for the data-parallel pool (lib/pool.js): replicaStart, replicaStep.
// 'stop' runs as soon as it arrives (it pauses the running training after its current step);
// every other call runs in order. Progress events come at most every 50 ms, plus every step that
// carries an evaluation and the last one. Pairs may arrive packed (lib/packed-pairs.js); they
// are checked and unpacked here, before the Translator sees them.

import { Translator } from './translator.js';
import { Seq2Seq } from './core.js';
import { serve, transfer } from './rpc.js';
import { pairsFromMessage, withOptionPairs } from './packed-pairs.js';
import { parentPort } from '#platform';

const PROGRESS_EVERY_MS = 50;

let model = null;
let session = null; // the TrainingSession that train or sessionStart made
let replica = null; // { core, weights: Float32Array over the pool's SharedArrayBuffer or null, slots }

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

function needSession() {
  if (!session) throw Object.assign(new Error('no training session in this worker: call startSession first'), { code: 'BAD_ARGUMENT' });
  return session;
}

function progressSender(context) {
  let last = 0;
  return (progress) => {
    const now = performance.now();
    if (now - last >= PROGRESS_EVERY_MS || progress.eval || progress.step === progress.totalSteps) {
      last = now;
      context.emit(progress);
    }
  };
}

async function replace(next) {
  await session?.close();
  session = null;
  model?.dispose();
  model = null;
  model = await next();
  return describe();
}

serve(parentPort(), {
  create: (context, options) => replace(() => Translator.create(withOptionPairs(options, pairsFromMessage))),
  load: (context, bytes, options) => replace(() => Translator.load(bytes, options)),
  async loadCheckpoint(context, bytes, options) {
    let loaded = null;
    const described = await replace(async () => {
      loaded = await Translator.loadCheckpoint(bytes, options);
      return loaded.translator;
    });
    const { session: state, app, savedAt, backend } = loaded;
    return { ...described, checkpoint: { session: state, app, savedAt, backend } };
  },

  async train(context, pairs, options = {}) {
    const m = needModel();
    await session?.close();
    session = m.session(pairsFromMessage(pairs), { ...options, onProgress: progressSender(context) });
    try {
      const report = await session.run();
      return { report, stepCount: m.stepCount };
    } finally {
      await session?.close();
    }
  },
  async sessionStart(context, pairs, options = {}) {
    const m = needModel();
    await session?.close();
    session = null;
    session = m.session(pairsFromMessage(pairs), options);
    return session.state();
  },
  async sessionRun(context, limits = {}) {
    const s = needSession();
    const report = await s.run({ ...limits, onProgress: progressSender(context) });
    return { report, stepCount: needModel().stepCount, state: s.state() };
  },
  sessionState: () => needSession().state(),
  async sessionClose() {
    await session?.close();
    session = null;
    return null;
  },
  stop() {
    session?.pause();
    return null;
  },
  translate: (context, text, options) => needModel().translate(text, options),
  translateBatch: (context, texts, options) => needModel().translateBatch(texts, options),
  explain: (context, text, options) => needModel().explain(text, options),
  evaluate: (context, pairs, options) => needModel().evaluate(pairsFromMessage(pairs), options),
  save() {
    const bytes = needModel().save();
    return transfer(bytes, [bytes.buffer]);
  },
  checkpoint(context, parts) {
    const bytes = needModel().checkpoint(parts);
    return transfer(bytes, [bytes.buffer]);
  },
  async dispose() {
    await session?.close();
    session = null;
    model?.dispose();
    model = null;
    return null;
  },

  // ---- a replica of the pool (lib/pool.js) ----
  async replicaStart(context, bytes, backend, weights) {
    replica?.core.dispose();
    replica = null;
    const core = await Seq2Seq.load(bytes, { backend });
    replica = { core, weights: weights ? new Float32Array(weights) : null, slots: null };
    if (replica.weights && replica.weights.length !== core.parameterCount) {
      throw new Error(`the pool's weight buffer holds ${replica.weights.length} values; the model has ${core.parameterCount}`);
    }
    return core.parameterCount;
  },
  replicaStep(context, job) {
    if (!replica) throw new Error('replicaStep before replicaStart');
    const P = replica.core.parameterCount;
    const started = performance.now();
    if (job?.slots) {
      replica.slots = job.slots;
      replica.meta = job.meta instanceof SharedArrayBuffer ? new Float64Array(job.meta) : null;
      replica.signal = job.signal instanceof SharedArrayBuffer ? new Int32Array(job.signal) : null;
    }
    // shared memory: tell the pool through replica.signal that the shards are done (seq) or failed (-seq)
    const done = job?.done;
    const signal = replica.signal && replica.meta && Number.isInteger(done?.index) && done.index >= 0 && done.index < replica.signal.length
      && Number.isInteger(done.seq) && done.seq > 0 ? done : null;
    try {
      const answer = replicaShards(job, P, started);
      if (signal) {
        for (const s of answer.value.shards) {
          replica.meta[2 * s.slot] = s.lossSum;
          replica.meta[2 * s.slot + 1] = s.count;
        }
        Atomics.store(replica.signal, signal.index, signal.seq);
      }
      return answer;
    } catch (error) {
      if (signal) Atomics.store(replica.signal, signal.index, -signal.seq);
      throw error;
    } finally {
      if (signal) Atomics.notify(replica.signal, signal.index);
    }
  },
}, { immediate: ['stop'] });

// replicaStep's work: the weights if they changed, then the job's shards into their slots
function replicaShards(job, P, started) {
  const { core } = replica;
  if (job?.weights) core.writeWeights(job.weights);
  else if (job?.weightsChanged) core.writeWeights(replica.weights);
  if (!Array.isArray(job?.shards)) throw new Error('replicaStep: job.shards must be an array');
  const out = [];
  const list = [];
  for (const { slot, batch } of job.shards) {
    let into;
    if (replica.weights) {
      if (!replica.slots || !Number.isInteger(slot) || slot < 0 || 4 * P * (slot + 1) > replica.slots.byteLength) {
        throw new Error(`replicaStep: shard slot ${slot} is outside the pool's gradient buffer`);
      }
      into = new Float32Array(replica.slots, 4 * P * slot, P);
    } else {
      into = new Float32Array(P);
    }
    const r = core.gradientSums(batch, { into });
    const entry = { slot, lossSum: r.lossSum, count: r.count };
    if (!replica.weights) {
      entry.gradients = into.buffer;
      list.push(into.buffer);
    }
    out.push(entry);
  }
  return transfer({ shards: out, ms: performance.now() - started }, list);
}
