// pool.js: data-parallel training over worker replicas (Node worker_threads, Web Workers). The
// calling thread and workers - 1 worker threads each hold a replica of the model. For every
// batch the session (session.js) hands over its fixed shards; each participant takes a
// contiguous block of them (this thread the first, the workers the next ones in order; when the
// shards do not divide evenly the last workers take one more), and each worker's shard k leaves
// its gradient SUMS in slot k. This thread adds its own shards into the model's accumulator
// inside the module while the workers compute (Seq2Seq#accumulateGradientSums), then the
// workers' slots in shard order (the same additions LocalStepper makes), takes one clipped Adam
// step on its own model, and the replicas copy the new weights before their next shards. So the
// weights are byte-identical whatever the number of workers, and the caller's model is always
// the one of the last completed step.
//
// Gradients and weights move through SharedArrayBuffers where they exist (Node; pages that are
// crossOriginIsolated): nothing is copied through messages. Elsewhere they move as transferred
// ArrayBuffers. The messages are lib/rpc.js calls to the replica methods of lib/worker.js. With
// shared memory a worker also stores each shard's loss sum and token count beside the slots and
// then the step's number in its "done" cell (minus it on an error); this thread, once its own
// shards are in, waits on those cells (Atomics.wait: it wakes within microseconds, where the
// answer message takes a trip through the event loop) and reduces at once. If a worker reports
// an error, writes something that is not a count, is not done soon after this thread, or this
// thread may not block (a page's main thread), the messages decide as before. The messages are
// still checked after such a step: a malformed one fails the pool at its next step.

import { startWorker, availableCores, PLATFORM } from '#platform';
import { RpcClient } from './rpc.js';
import { fail } from './errors.js';
import { LocalStepper, resolveWorkers } from './session.js';

/** At most this many threads for workers: 'auto' (a batch has few shards; more would idle). */
export const AUTO_WORKERS_CAP = 8;

/** True when gradients can move through shared memory here. */
export function sharedMemoryAvailable() {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false;
}

/**
 * The stepper a session trains with: LocalStepper for one worker, a ReplicaPool for more.
 * @param {import('./core.js').Seq2Seq} core
 * @param {{ workers?: number|'auto', transport?: 'auto'|'shared'|'transfer', workerUrl?: string|URL, shardsPerBatch?: number }} options
 */
export async function createStepper(core, { workers = 'auto', transport = 'auto', workerUrl, shardsPerBatch = Infinity } = {}) {
  let n = resolveWorkers(workers, availableCores(), AUTO_WORKERS_CAP);
  if (workers === 'auto') n = Math.max(1, Math.min(n, shardsPerBatch));
  // 'auto' where no worker can start (a browser context without Worker): this thread alone
  if (workers === 'auto' && PLATFORM !== 'node' && typeof Worker !== 'function') n = 1;
  if (n === 1) return new LocalStepper(core);
  return ReplicaPool.start(core, { workers: n, transport, workerUrl });
}

/** The calling thread and workers - 1 worker threads computing a batch's shards together (see the top of this file). */
export class ReplicaPool {
  #core;
  #clients;
  #ports = [];
  #shared;
  #P;
  #weights = null; // SharedArrayBuffer of the weights (shared transport)
  #slots = null; // SharedArrayBuffer of slotCount gradient slots (shared transport)
  #slotCount = 0;
  #meta = null; // Float64Array over a SharedArrayBuffer: per slot, the worker's lossSum and count
  #signal = null; // Int32Array over a SharedArrayBuffer: per worker, seq when its shards are done, -seq on an error
  #seq = 0; // the step's number, for the done signals
  #canBlock = true; // whether this thread may Atomics.wait (not a page's main thread)
  #deferred = null; // a worker's failure noticed after its step had completed (thrown by the next step)
  #version = 0; // bumped by every applied step; replicas copy weights when theirs is older
  #sentVersion = [];
  #closed = false;
  /** Milliseconds and bytes spent moving data, summed over steps (for the benchmarks). */
  // per step, summed: computeMs (this thread's shards), workerComputeMs (the slowest worker's
  // shards and weight copy), waitMs (after this thread's shards, until every worker answered),
  // reduceMs (adding the slots, Adam, publishing the weights), stepMs (all of it), bytes moved,
  // signalled (steps whose answers came through shared memory's done signals)
  stats = { steps: 0, stepMs: 0, computeMs: 0, workerComputeMs: 0, waitMs: 0, reduceMs: 0, sendMs: 0, bytes: 0, signalled: 0 };

  constructor(core, clients, shared) {
    this.#core = core;
    this.#clients = clients;
    this.#shared = shared;
    this.#P = core.parameterCount;
    this.#sentVersion = clients.map(() => 0);
  }

  /**
   * Starts workers - 1 worker threads, each loading a replica of `core` (its model file).
   * @returns {Promise<ReplicaPool>}
   */
  static async start(core, { workers, transport = 'auto', workerUrl }) {
    if (!Number.isInteger(workers) || workers < 2) throw fail(`a pool needs at least 2 workers, got ${workers}`);
    const canShare = sharedMemoryAvailable();
    if (transport === 'shared' && !canShare) {
      throw fail("transport 'shared' needs SharedArrayBuffer, which this page does not have (it is not crossOriginIsolated): use 'auto' or 'transfer'");
    }
    const shared = transport === 'shared' || (transport === 'auto' && canShare);
    const bytes = core.save();
    const clients = [];
    const ports = [];
    try {
      for (let w = 1; w < workers; w++) {
        const port = startWorker(workerUrl);
        ports.push(port);
        clients.push(new RpcClient(port, { name: `worker ${w + 1} of ${workers}` }));
      }
      const pool = new ReplicaPool(core, clients, shared);
      pool.#ports = ports;
      if (shared) {
        pool.#weights = new SharedArrayBuffer(4 * pool.#P);
        pool.#signal = new Int32Array(new SharedArrayBuffer(4 * clients.length));
      }
      await Promise.all(clients.map((c) => c.call('replicaStart', [bytes, core.backend, pool.#weights])));
      return pool;
    } catch (error) {
      await Promise.all(clients.map((c) => c.terminate('the pool could not start')));
      throw error;
    }
  }

  /** Threads computing gradients, this one included. */
  get workers() { return this.#clients.length + 1; }
  /** 'shared' (SharedArrayBuffer) or 'transfer' (transferred ArrayBuffers). */
  get transport() { return this.#shared ? 'shared' : 'transfer'; }

  #slotView(k) {
    return new Float32Array(this.#slots, 4 * this.#P * k, this.#P);
  }

  /**
   * One step: every shard's gradient sums (spread over the workers), added in shard order, one
   * clipped Adam step on the calling thread's model. Rejects, with the model unchanged, when a
   * worker fails; the pool is then closed.
   */
  async step(shards, { learningRate, clipNorm }) {
    if (this.#deferred) {
      const error = this.#deferred;
      this.#deferred = null;
      await this.close();
      throw error;
    }
    if (this.#closed) throw fail('the worker pool was closed', 'DISPOSED');
    const N = this.workers;
    const seq = ++this.#seq;
    const P = this.#P;
    const t0 = performance.now();
    let newSlots = null;
    if (this.#shared && shards.length > this.#slotCount) {
      this.#slotCount = shards.length;
      this.#slots = new SharedArrayBuffer(4 * P * this.#slotCount);
      this.#meta = new Float64Array(new SharedArrayBuffer(16 * this.#slotCount));
      newSlots = this.#slots;
    }
    // contiguous blocks of shards: this thread the first (it adds them while the workers still
    // compute), the workers the next ones in order, the last ones taking one more when the
    // shards do not divide evenly (this thread also does the reduce)
    const base = Math.floor(shards.length / N);
    const extra = shards.length % N;
    const blockStart = (p) => p * base + Math.max(0, p - (N - extra));
    // the workers' shards go out first, so they compute while this thread computes its own
    const calls = this.#clients.map((client, i) => {
      const w = i + 1;
      const job = { shards: [] };
      for (let k = blockStart(w); k < blockStart(w + 1); k++) job.shards.push({ slot: k, batch: shards[k] });
      const list = [];
      if (this.#sentVersion[i] !== this.#version) {
        if (this.#shared) {
          job.weightsChanged = true;
          this.stats.bytes += 4 * P; // the replica copies the shared weights
        } else {
          const weights = this.#core.readWeights();
          job.weights = weights;
          list.push(weights.buffer);
          this.stats.bytes += weights.byteLength;
        }
        this.#sentVersion[i] = this.#version;
      }
      if (newSlots) {
        job.slots = newSlots;
        job.meta = this.#meta.buffer;
        job.signal = this.#signal?.buffer;
      }
      if (this.#signal) job.done = { index: i, seq };
      return client.call('replicaStep', [job], { transfer: list });
    });
    const sentMs = performance.now() - t0;
    let failure = null;
    const settled = Promise.allSettled(calls).then((results) => {
      results.forEach((r, i) => {
        if (r.status !== 'rejected' || failure) return;
        // an error thrown in the worker (a trap, NO_MEMORY) comes back without the worker's name
        const name = `worker ${i + 2} of ${N}`;
        failure = r.reason instanceof Error ? r.reason : new Error(String(r.reason));
        if (!failure.message.includes(name)) failure.message = `${name}: ${failure.message}`;
      });
      return results;
    });
    // this thread's shards, added in the model's accumulator as they come (shard order)
    const own = blockStart(1);
    let lossSum = 0;
    let count = 0;
    const c0 = performance.now();
    try {
      for (let k = 0; k < own; k++) {
        const r = this.#core.accumulateGradientSums(shards[k], { first: k === 0 });
        lossSum += r.lossSum;
        count += r.count;
      }
    } catch (error) {
      await settled;
      throw error;
    }
    const computeMs = performance.now() - c0;
    const w0 = performance.now();
    // shared memory: the workers' "done" signals (Atomics.wait wakes within microseconds, a
    // message takes a trip through the event loop); otherwise, or on anything unexpected, their
    // answers as messages
    let sums = this.#signalled(seq, own, shards.length, computeMs);
    const fast = sums !== null;
    let results = null;
    if (!fast) {
      results = await settled;
      const error = this.#failedError(failure);
      if (error) {
        await this.close();
        throw error;
      }
      sums = this.#answers(results, blockStart, shards.length);
    }
    const waitMs = performance.now() - w0;
    // the workers' slots, added in shard order after this thread's
    const r0 = performance.now();
    for (let k = own; k < shards.length; k++) {
      const s = sums[k];
      let slot;
      if (this.#shared) slot = this.#slotView(k);
      else {
        if (!(s.gradients instanceof ArrayBuffer)) throw fail(`shard ${k}'s answer has no gradient buffer`, 'WORKER_FAILED');
        slot = new Float32Array(s.gradients);
        this.stats.bytes += s.gradients.byteLength;
      }
      if (slot.length !== P) throw fail(`shard ${k}'s gradient has ${slot.length} values, not ${P}`, 'WORKER_FAILED');
      this.#core.accumulateGradients(slot, { first: k === 0 });
      lossSum += s.lossSum;
      count += s.count;
    }
    if (this.#shared) this.stats.bytes += 4 * P * (shards.length - own); // slots the workers wrote
    const result = this.#core.applyAccumulated({ count, lossSum, learningRate, clipNorm });
    if (this.#shared) this.#core.readWeights(new Float32Array(this.#weights));
    this.#version++;
    const reduceMs = performance.now() - r0;
    if (fast) {
      this.stats.signalled++;
      // the step is complete (every shard came through shared memory, checked); the messages
      // still have to arrive and be well-formed, or the pool fails at its next step
      results = await settled;
      try {
        this.#deferred = this.#failedError(failure);
        if (!this.#deferred) this.#answers(results, blockStart, shards.length);
      } catch (error) {
        this.#deferred = error;
      }
    }
    let workerMs = 0;
    for (const r of results) workerMs = Math.max(workerMs, Number(r.value?.ms) || 0);
    this.stats.steps++;
    this.stats.stepMs += performance.now() - t0;
    this.stats.computeMs += computeMs;
    this.stats.workerComputeMs += workerMs;
    this.stats.waitMs += waitMs;
    this.stats.sendMs += sentMs;
    this.stats.reduceMs += reduceMs;
    return result;
  }

  // The workers' answers through shared memory: sums[k] = { lossSum, count } for the workers'
  // shards (from `own` on), once every worker has stored `seq` as done; null when one reported an
  // error, wrote something that is not a loss sum and token count, or is not done within a
  // while after this thread's shards (then the messages decide).
  #signalled(seq, own, total, computeMs) {
    if (!this.#signal || !this.#canBlock) return null;
    // a worker that crashed never signals: after this long the messages (its failure) decide
    const deadline = performance.now() + 4 * computeMs + 50;
    try {
      for (let i = 0; i < this.#signal.length; i++) {
        for (;;) {
          const v = Atomics.load(this.#signal, i);
          if (v === seq) break;
          const left = deadline - performance.now();
          if (v === -seq || left <= 0) return null;
          Atomics.wait(this.#signal, i, v, left);
        }
      }
    } catch {
      this.#canBlock = false; // this thread may not block (a page's main thread)
      return null;
    }
    const sums = new Array(total);
    for (let k = own; k < total; k++) {
      const lossSum = this.#meta[2 * k];
      const count = this.#meta[2 * k + 1];
      if (!Number.isInteger(count) || count < 1) return null;
      sums[k] = { lossSum, count };
    }
    return sums;
  }

  // The Error a step rejects with when a worker failed (null when none did).
  #failedError(failure) {
    if (!failure) return null;
    const error = new Error(`data-parallel training stopped at this step (the model keeps the weights of the step before): ${failure.message}`);
    error.code = failure.code === 'DIVERGED' ? 'DIVERGED' : 'WORKER_FAILED';
    error.cause = failure;
    return error;
  }

  // The workers' answer messages, checked: sums[k] for every shard k a worker was given.
  #answers(results, blockStart, total) {
    const sums = new Array(total);
    results.forEach((r, i) => {
      if (!Array.isArray(r.value?.shards)) throw fail('a worker answered a step with something that is not its shards', 'WORKER_FAILED');
      for (const s of r.value.shards) {
        if (!Number.isInteger(s?.slot) || s.slot < blockStart(i + 1) || s.slot >= blockStart(i + 2) || sums[s.slot]) {
          throw fail(`a worker answered for shard ${s?.slot}, which it was not given`, 'WORKER_FAILED');
        }
        if (typeof s.lossSum !== 'number' || !Number.isInteger(s.count)) throw fail(`shard ${s.slot}'s answer has no loss sum and token count`, 'WORKER_FAILED');
        sums[s.slot] = s;
      }
    });
    for (let k = blockStart(1); k < total; k++) if (!sums[k]) throw fail(`no worker answered for shard ${k}`, 'WORKER_FAILED');
    return sums;
  }

  /** Test hook: ends worker `w` (2..workers) as a crash would, without telling the pool. */
  _crash(w) {
    return this.#ports[w - 2]?.terminate();
  }

  /** Ends every worker; safe to call twice. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#clients.map((c) => c.terminate('the pool was closed')));
  }
}
