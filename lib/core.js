// core.js: the low-level `Seq2Seq` class, exactly the contract of docs/design.md (plus the extras in
// docs/api.md), over the C core compiled to WebAssembly. It checks every argument before C sees
// it and turns the C side's status codes and messages into Errors. No DOM, no Node-only modules:
// it runs in Node, browser pages and Web Workers.

import { instantiate, resolveBackend } from './wasm.js';
// MAX_FILE and MAX_META: refused before the bytes are copied into wasm memory
import { MAX_FILE, MAX_META } from './limits.js';
import { fail } from './errors.js';

const CELLS = ['rnn', 'gru', 'lstm'];
const ATTENTIONS = ['none', 'additive', 'dot'];
const ERROR_CODES = { '-1': 'BAD_ARGUMENT', '-2': 'LIMIT', '-3': 'NO_MEMORY', '-4': 'BAD_FILE', '-5': 'DIVERGED' };
const CREATE_OPTIONS = ['cell', 'attention', 'scale', 'embed', 'hidden', 'attentionSize', 'srcVocabSize',
  'tgtVocabSize', 'seed', 'backend'];
const MAX_INT = 0x7fffffff;

function checkOptions(options, known, what) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw fail(`${what} must be an object, got ${options === null ? 'null' : typeof options}`);
  for (const key of Object.keys(options))
    if (!known.includes(key)) throw fail(`unknown option '${key}' for ${what}: known options are ${known.join(', ')}`);
  return options;
}

function integer(value, name, min, max) {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw fail(`${name} must be an integer, got ${typeof value === 'number' ? value : typeof value}`);
  if (value < min || value > max) throw fail(`${name} must be between ${min} and ${max}, got ${value}`, value > max ? 'LIMIT' : 'BAD_ARGUMENT');
  return value;
}

function finiteNumber(value, name, min, max) {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw fail(`${name} must be a finite number, got ${value}`);
  if (value < min || value > max) throw fail(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function int32Array(value, name) {
  if (value instanceof Int32Array) return value;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const out = new Int32Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      if (typeof x !== 'number' || !Number.isInteger(x) || x < -MAX_INT || x > MAX_INT)
        throw fail(`${name}[${i}] must be an integer token id, got ${x}`);
      out[i] = x;
    }
    return out;
  }
  throw fail(`${name} must be an Int32Array (or an array of integers), got ${value === null ? 'null' : typeof value}`);
}

/** A seq2seq model with attention, living in its own WebAssembly instance. */
export class Seq2Seq {
  #wasm;
  #ptr;
  #acc = 0; // the gradient accumulator (#accumulator)
  #accHolds = false; // whether it holds sums started with { first: true } and not yet applied
  #config;
  #backend;

  constructor(wasm, ptr, backend) {
    if (!wasm || !ptr) throw fail('use Seq2Seq.create(options) or Seq2Seq.load(bytes) to make a model');
    this.#wasm = wasm;
    this.#ptr = ptr;
    this.#backend = backend;
    const c = (i) => wasm.exports.s2s_config(ptr, i);
    this.#config = Object.freeze({
      cell: CELLS[c(0)], attention: ATTENTIONS[c(1)], scale: c(2) === 1, embed: c(3), hidden: c(4),
      attentionSize: c(5), srcVocabSize: c(6), tgtVocabSize: c(7),
    });
  }

  /**
   * Creates a model with weights drawn from `seed`.
   * @param {object} options see docs/design.md: cell, attention, scale, embed, hidden, attentionSize,
   *   srcVocabSize, tgtVocabSize, seed, backend
   */
  static async create(options) {
    if (options === undefined) throw fail('Seq2Seq.create needs an options object (cell, attention, embed, hidden, srcVocabSize, tgtVocabSize, ...)');
    const o = checkOptions(options, CREATE_OPTIONS, 'Seq2Seq.create');
    const cell = CELLS.indexOf(o.cell ?? 'gru');
    if (cell < 0) throw fail(`unknown cell ${JSON.stringify(o.cell)}: use 'rnn', 'gru' or 'lstm'`);
    const attention = ATTENTIONS.indexOf(o.attention ?? 'additive');
    if (attention < 0) throw fail(`unknown attention ${JSON.stringify(o.attention)}: use 'additive', 'dot' or 'none'`);
    const scale = o.scale ?? true;
    if (typeof scale !== 'boolean') throw fail(`scale must be true or false, got ${scale}`);
    const hidden = integer(o.hidden ?? 64, 'hidden', 1, MAX_INT);
    const sizes = [
      integer(o.embed ?? 32, 'embed', 1, MAX_INT), hidden, integer(o.attentionSize ?? hidden, 'attentionSize', 1, MAX_INT),
      integer(o.srcVocabSize, 'srcVocabSize', 1, MAX_INT), integer(o.tgtVocabSize, 'tgtVocabSize', 1, MAX_INT),
    ];
    const seed = integer(o.seed ?? 1, 'seed', 0, 0xffffffff);
    const backend = resolveBackend(o.backend ?? 'auto');
    const wasm = await instantiate(backend);
    const ptr = wasm.exports.s2s_create(cell, attention, scale ? 1 : 0, ...sizes, seed);
    if (!ptr) throw Seq2Seq.#lastError(wasm, wasm.exports.s2s_last_status());
    return new Seq2Seq(wasm, ptr, backend);
  }

  /** Loads a model file (Uint8Array) made by save(); a bad file throws an Error saying why. */
  static async load(bytes, options) {
    const o = checkOptions(options, ['backend'], 'Seq2Seq.load');
    if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    if (!(bytes instanceof Uint8Array)) throw fail(`Seq2Seq.load needs the model file as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
    if (bytes.length > MAX_FILE) throw fail(`the model file is ${bytes.length} bytes, larger than the limit of ${MAX_FILE}`, 'LIMIT');
    const backend = resolveBackend(o.backend ?? 'auto');
    const wasm = await instantiate(backend);
    const e = wasm.exports;
    const buf = e.malloc(Math.max(1, bytes.length));
    if (!buf) throw fail(`not enough memory to read a model file of ${bytes.length} bytes`, 'NO_MEMORY');
    new Uint8Array(wasm.memory.buffer, buf, bytes.length).set(bytes);
    const ptr = e.s2s_load(buf, bytes.length);
    e.free(buf);
    if (!ptr) throw Seq2Seq.#lastError(wasm, wasm.exports.s2s_last_status());
    return new Seq2Seq(wasm, ptr, backend);
  }

  static #lastError(wasm, status) {
    const code = ERROR_CODES[status] ?? 'BAD_ARGUMENT';
    return fail(readCString(wasm, wasm.exports.s2s_last_error()) || 'the call failed', code);
  }

  #alive() {
    if (!this.#ptr) throw fail('this model has been disposed: create or load a new one', 'DISPOSED');
    return this.#wasm.exports;
  }

  #check(status, extra) {
    if (status !== 0) {
      const error = Seq2Seq.#lastError(this.#wasm, status);
      Object.assign(error, extra);
      throw error;
    }
  }

  #f32(ptr, n) { return new Float32Array(this.#wasm.memory.buffer, ptr, n); }
  #i32(ptr, n) { return new Int32Array(this.#wasm.memory.buffer, ptr, n); }

  /** 'simd' or 'scalar': the build this model runs on. */
  get backend() { return this.#backend; }
  /** The configuration (cell, attention, scale, embed, hidden, attentionSize, srcVocabSize, tgtVocabSize). */
  get config() { this.#alive(); return this.#config; }
  /** Adam steps taken. */
  get stepCount() { return this.#alive().s2s_step_count(this.#ptr); }
  /** Bytes of this model's WebAssembly memory. */
  memoryBytes() { this.#alive(); return this.#wasm.memory.buffer.byteLength; }

  /** Parameter names in canonical order. */
  parameterNames() {
    const e = this.#alive();
    const names = [];
    for (let i = 0, n = e.s2s_param_count(this.#ptr); i < n; i++) names.push(readCString(this.#wasm, e.s2s_param_name(this.#ptr, i)));
    return names;
  }

  #index(name) {
    const e = this.#alive();
    if (typeof name !== 'string') throw fail(`parameter name must be a string, got ${typeof name}`);
    const names = this.parameterNames();
    const i = names.indexOf(name);
    if (i < 0) throw fail(`unknown parameter '${name}': this model has ${names.join(', ')}`);
    return { e, i, size: e.s2s_param_size(this.#ptr, i) };
  }

  /** { shape, data } of a parameter (a copy). */
  getParameter(name) {
    const { e, i, size } = this.#index(name);
    const rows = e.s2s_param_rows(this.#ptr, i), cols = e.s2s_param_cols(this.#ptr, i);
    return { shape: cols ? [rows, cols] : [rows], data: this.#f32(e.s2s_param_data(this.#ptr, i), size).slice() };
  }

  /** Overwrites a parameter; throws on an unknown name, a wrong length or a non-finite value. */
  setParameter(name, data) {
    const { e, i, size } = this.#index(name);
    if (!(data instanceof Float32Array) && !Array.isArray(data)) throw fail(`setParameter('${name}') needs a Float32Array, got ${typeof data}`);
    if (data.length !== size) throw fail(`setParameter('${name}') needs ${size} values, got ${data.length}`);
    for (let k = 0; k < data.length; k++)
      if (!Number.isFinite(data[k])) throw fail(`setParameter('${name}'): value ${k} is not a finite number (${data[k]})`);
    this.#f32(e.s2s_param_data(this.#ptr, i), size).set(data);
  }

  #withBatch(batch, fn) {
    const e = this.#alive();
    if (batch === null || typeof batch !== 'object') throw fail('the batch must be an object { src, srcLengths, tgtIn, tgtOut, batchSize, srcLength, tgtLength }');
    const B = integer(batch.batchSize, 'batchSize', 1, MAX_INT);
    const M = integer(batch.srcLength, 'srcLength', 1, MAX_INT);
    const N = integer(batch.tgtLength, 'tgtLength', 1, MAX_INT);
    const arrays = [['src', B * M], ['srcLengths', B], ['tgtIn', B * N], ['tgtOut', B * N]].map(([key, n]) => {
      const a = int32Array(batch[key], key);
      if (a.length !== n) throw fail(`${key} has ${a.length} entries; batchSize ${B}, srcLength ${M} and tgtLength ${N} need ${n}`);
      return a;
    });
    const total = arrays.reduce((s, a) => s + a.length, 0);
    const buf = e.malloc(4 * total + 24); // + room for 8-aligned outputs (a double and an int)
    if (!buf) throw fail('not enough memory for the batch', 'NO_MEMORY');
    try {
      const ptrs = [];
      let at = buf;
      for (const a of arrays) {
        this.#i32(at, a.length).set(a);
        ptrs.push(at);
        at += 4 * a.length;
      }
      return fn(e, ptrs, B, M, N, (at + 7) & ~7);
    } finally {
      e.free(buf);
    }
  }

  /** Loss and the gradient of every parameter for a batch; the weights are not changed. */
  lossAndGradients(batch) {
    return this.#withBatch(batch, (e, [src, len, tin, tout], B, M, N, lossPtr) => {
      this.#check(e.s2s_loss_and_grad(this.#ptr, src, len, tin, tout, B, M, N, lossPtr));
      const loss = this.#f32(lossPtr, 1)[0];
      const gradients = {};
      const n = e.s2s_param_count(this.#ptr);
      for (let i = 0; i < n; i++)
        gradients[readCString(this.#wasm, e.s2s_param_name(this.#ptr, i))] = this.#f32(e.s2s_grad_data(this.#ptr, i), e.s2s_param_size(this.#ptr, i)).slice();
      return { loss, gradients };
    });
  }

  /** Loss of a batch without gradients. */
  loss(batch) {
    return this.#withBatch(batch, (e, [src, len, tin, tout], B, M, N, lossPtr) => {
      this.#check(e.s2s_loss(this.#ptr, src, len, tin, tout, B, M, N, lossPtr));
      return this.#f32(lossPtr, 1)[0];
    });
  }

  /** Forward, backward and one Adam update. Returns { loss } (before the update). */
  trainStep(batch, options) {
    const o = checkOptions(options, ['learningRate', 'clipNorm'], 'trainStep');
    const lr = o.learningRate ?? 1e-3;
    if (typeof lr !== 'number' || !(lr > 0) || lr > 1e30) throw fail(`learningRate must be a number > 0 (and at most 1e30), got ${lr}`);
    const clip = finiteNumber(o.clipNorm ?? 5, 'clipNorm', 0, 1e30);
    return this.#withBatch(batch, (e, [src, len, tin, tout], B, M, N, lossPtr) => {
      const step = e.s2s_step_count(this.#ptr) + 1;
      this.#check(e.s2s_train_step(this.#ptr, src, len, tin, tout, B, M, N, lr, clip, lossPtr), { step });
      return { loss: this.#f32(lossPtr, 1)[0] };
    });
  }

  /** Number of float32 values in all parameters together (the length of a flat gradient or weight buffer). */
  get parameterCount() { return this.#alive().s2s_total_params(this.#ptr); }

  #flat(out, what) {
    const n = this.parameterCount;
    if (out === undefined) return new Float32Array(n);
    if (!(out instanceof Float32Array)) throw fail(`${what} must be a Float32Array, got ${out === null ? 'null' : typeof out}`);
    if (out.length !== n) throw fail(`${what} has ${out.length} values; this model has ${n} parameters`);
    return out;
  }

  /**
   * Gradient SUMS of a batch (not means): the summed -log p over the batch's non-PAD target
   * tokens, their count, and the summed gradient of every parameter as one flat Float32Array in
   * canonical order (parameterNames(), each tensor row-major). The weights are not changed.
   * Sums of several batches added in a fixed order and given to applyGradientSums train like
   * one batch holding them all.
   * @param {object} batch as lossAndGradients
   * @param {{into?: Float32Array}} [options] write the sums into this array (parameterCount long)
   * @returns {{ lossSum: number, count: number, gradients: Float32Array }}
   */
  gradientSums(batch, options) {
    const o = checkOptions(options, ['into'], 'gradientSums');
    const into = this.#flat(o.into, 'gradientSums: into');
    return this.#withBatch(batch, (e, [src, len, tin, tout], B, M, N, outPtr) => {
      this.#check(e.s2s_grad_sum(this.#ptr, src, len, tin, tout, B, M, N, outPtr, outPtr + 8));
      const lossSum = new Float64Array(this.#wasm.memory.buffer, outPtr, 1)[0];
      const count = this.#i32(outPtr + 8, 1)[0];
      into.set(this.#f32(e.s2s_grad_data(this.#ptr, 0), into.length));
      return { lossSum, count, gradients: into };
    });
  }

  /**
   * One optimiser step from gradient sums computed elsewhere (gradientSums, possibly by other
   * replicas, added together): divides them by `count`, clips their global norm to clipNorm,
   * takes one Adam step. The same divergence guard as trainStep (DIVERGED, weights unchanged).
   * trainStep(batch) is exactly gradientSums(batch) followed by this.
   * @param {Float32Array} sums parameterCount values, the layout of gradientSums
   * @param {{ count: number, lossSum: number, learningRate?: number, clipNorm?: number }} options
   * @returns {{ loss: number }} lossSum / count
   */
  applyGradientSums(sums, options) {
    const e = this.#alive();
    checkOptions(options, ['count', 'lossSum', 'learningRate', 'clipNorm'], 'applyGradientSums');
    const grad = this.#flat(sums, 'applyGradientSums: sums');
    const ptr = e.s2s_grad_data(this.#ptr, 0);
    return this.#apply(ptr, options, 'applyGradientSums', grad);
  }

  // the checks and the update of applyGradientSums, from the sums at ptr (copying `grad` there first)
  #apply(ptr, options, what, grad) {
    const e = this.#alive();
    const o = checkOptions(options, ['count', 'lossSum', 'learningRate', 'clipNorm'], what);
    const count = integer(o.count, 'count', 1, MAX_INT);
    if (typeof o.lossSum !== 'number') throw fail(`lossSum must be a number, got ${typeof o.lossSum}`);
    const lr = o.learningRate ?? 1e-3;
    if (typeof lr !== 'number' || !(lr > 0) || lr > 1e30) throw fail(`learningRate must be a number > 0 (and at most 1e30), got ${lr}`);
    const clip = finiteNumber(o.clipNorm ?? 5, 'clipNorm', 0, 1e30);
    if (grad) this.#f32(ptr, grad.length).set(grad);
    const step = e.s2s_step_count(this.#ptr) + 1;
    this.#check(e.s2s_apply_grad(this.#ptr, ptr, count, o.lossSum, lr, clip), { step });
    return { loss: Math.fround(o.lossSum / count) };
  }

  // The gradient accumulator: parameterCount floats in the module's memory (allocated on first
  // use, freed by dispose), where data-parallel training adds its shards' sums in shard order.
  #accumulator() {
    const e = this.#alive();
    if (!this.#acc) {
      this.#acc = e.malloc(4 * this.parameterCount);
      if (!this.#acc) throw fail('out of memory for the gradient accumulator', 'NO_MEMORY');
    }
    return this.#acc;
  }

  /**
   * gradientSums of a batch added into the model's gradient accumulator (first: it starts it),
   * without leaving the module: accumulating shards 0, 1, ... and applyAccumulated is exactly
   * gradientSums of each, added in that order, and applyGradientSums.
   * @returns {{ lossSum: number, count: number }}
   */
  accumulateGradientSums(batch, options) {
    const first = this.#accumulating(options, 'accumulateGradientSums');
    const acc = this.#accumulator();
    const result = this.#withBatch(batch, (e, [src, len, tin, tout], B, M, N, outPtr) => {
      this.#check(e.s2s_grad_sum(this.#ptr, src, len, tin, tout, B, M, N, outPtr, outPtr + 8));
      const lossSum = new Float64Array(this.#wasm.memory.buffer, outPtr, 1)[0];
      const count = this.#i32(outPtr + 8, 1)[0];
      this.#check(e.s2s_grad_accumulate(this.#ptr, acc, e.s2s_grad_data(this.#ptr, 0), first ? 1 : 0));
      return { lossSum, count };
    });
    this.#accHolds = true;
    return result;
  }

  /** Adds gradient sums computed elsewhere (gradientSums' layout) into the accumulator (first: starts it with them). */
  accumulateGradients(sums, options) {
    const first = this.#accumulating(options, 'accumulateGradients');
    const acc = this.#accumulator();
    const e = this.#alive();
    const grad = this.#flat(sums, 'accumulateGradients: sums');
    const ptr = e.s2s_grad_data(this.#ptr, 0); // the gradient block is scratch between batches
    this.#f32(ptr, grad.length).set(grad);
    this.#check(e.s2s_grad_accumulate(this.#ptr, acc, ptr, first ? 1 : 0));
    this.#accHolds = true;
  }

  // The accumulating calls' options ({ first?: boolean }): whether this call starts the sum. A
  // call that would add to an accumulator holding nothing (never started, or already applied)
  // is refused: its memory is not zeroed, and a sum silently carried over would train on it.
  #accumulating(options, what) {
    const { first = false } = checkOptions(options, ['first'], what);
    if (typeof first !== 'boolean') throw fail(`${what}: first must be true or false, got ${typeof first}`);
    if (!first && !this.#accHolds) throw fail(`${what}: the accumulator holds no sums to add to: start it with { first: true }`);
    return first;
  }

  /** applyGradientSums of what the accumulator holds (see accumulateGradientSums); it then holds nothing. */
  applyAccumulated(options) {
    if (!this.#accHolds) throw fail('applyAccumulated: nothing was accumulated: call accumulateGradientSums or accumulateGradients with { first: true } first');
    const result = this.#apply(this.#acc, options, 'applyAccumulated');
    this.#accHolds = false;
    return result;
  }

  /** All weights as one flat Float32Array (parameterCount values, canonical order); into: reuse an array. */
  readWeights(into) {
    const e = this.#alive();
    const out = this.#flat(into, 'readWeights: into');
    out.set(this.#f32(e.s2s_param_data(this.#ptr, 0), out.length));
    return out;
  }

  /** Overwrites all weights from a flat array laid out as readWeights returns it (Adam's state is kept). */
  writeWeights(weights) {
    const e = this.#alive();
    const w = this.#flat(weights, 'writeWeights: weights');
    // x * 0 is 0 for a finite x and NaN otherwise: one test per array on the common path (the
    // replicas of the pool copy all weights before every step), the element-wise one on failure
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
    for (; k + 4 <= w.length; k += 4) {
      s0 += w[k] * 0;
      s1 += w[k + 1] * 0;
      s2 += w[k + 2] * 0;
      s3 += w[k + 3] * 0;
    }
    for (; k < w.length; k++) s0 += w[k] * 0;
    if (s0 + s1 + s2 + s3 !== 0) {
      for (let k = 0; k < w.length; k++)
        if (!Number.isFinite(w[k])) throw fail(`writeWeights: value ${k} is not a finite number (${w[k]})`);
    }
    this.#f32(e.s2s_param_data(this.#ptr, 0), w.length).set(w);
  }

  /** Adam's beta1, beta2 and epsilon (defaults 0.9, 0.999, 1e-8). */
  setAdam(options) {
    const e = this.#alive();
    const o = checkOptions(options, ['beta1', 'beta2', 'epsilon'], 'setAdam');
    const b1 = finiteNumber(o.beta1 ?? 0.9, 'beta1', 0, 1), b2 = finiteNumber(o.beta2 ?? 0.999, 'beta2', 0, 1);
    const eps = finiteNumber(o.epsilon ?? 1e-8, 'epsilon', 0, 1);
    this.#check(e.s2s_set_adam(this.#ptr, b1, b2, eps));
  }

  /**
   * Everything Adam carries between steps (copies): { steps, beta1, beta2, epsilon, beta1Power,
   * beta2Power, m, v }, m and v being Float32Arrays of every parameter in parameterNames() order.
   * With the weights, it makes training continue exactly as if never interrupted.
   */
  exportOptimizerState() {
    const e = this.#alive();
    const n = e.s2s_total_params(this.#ptr);
    const value = (what) => e.s2s_adam_value(this.#ptr, what);
    return {
      steps: e.s2s_step_count(this.#ptr),
      beta1: value(0), beta2: value(1), epsilon: value(2), beta1Power: value(3), beta2Power: value(4),
      m: this.#f32(e.s2s_adam_moment(this.#ptr, 0), n).slice(),
      v: this.#f32(e.s2s_adam_moment(this.#ptr, 1), n).slice(),
    };
  }

  /**
   * Restores what exportOptimizerState returned (checked first: nothing changes on an error).
   * @param {{steps: number, beta1: number, beta2: number, epsilon: number, beta1Power: number,
   *   beta2Power: number, m: Float32Array, v: Float32Array}} state
   */
  importOptimizerState(state) {
    const e = this.#alive();
    if (state === null || typeof state !== 'object') throw fail(`importOptimizerState needs the object exportOptimizerState returned, got ${state === null ? 'null' : typeof state}`);
    const n = e.s2s_total_params(this.#ptr);
    const steps = integer(state.steps, 'steps', 0, MAX_INT);
    const b1 = finiteNumber(state.beta1, 'beta1', 0, 1), b2 = finiteNumber(state.beta2, 'beta2', 0, 1);
    const eps = finiteNumber(state.epsilon, 'epsilon', 0, 1);
    const p1 = finiteNumber(state.beta1Power, 'beta1Power', 0, 1), p2 = finiteNumber(state.beta2Power, 'beta2Power', 0, 1);
    for (const key of ['m', 'v']) {
      const a = state[key];
      if (!(a instanceof Float32Array)) throw fail(`the optimizer state's ${key} must be a Float32Array, got ${a === null ? 'null' : typeof a}`);
      if (a.length !== n) throw fail(`the optimizer state's ${key} has ${a.length} values; this model has ${n} parameters`);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(a[i]) || (key === 'v' && a[i] < 0))
          throw fail(`the optimizer state's ${key}[${i}] is ${a[i]}: ${key === 'v' ? 'second moments must be finite and >= 0' : 'moments must be finite'}`);
      }
    }
    const saved = { b1: e.s2s_adam_value(this.#ptr, 0), b2: e.s2s_adam_value(this.#ptr, 1), eps: e.s2s_adam_value(this.#ptr, 2) };
    this.#check(e.s2s_set_adam(this.#ptr, b1, b2, eps));
    const status = e.s2s_set_adam_state(this.#ptr, steps, p1, p2);
    if (status !== 0) {
      const error = Seq2Seq.#lastError(this.#wasm, status);
      e.s2s_set_adam(this.#ptr, saved.b1, saved.b2, saved.eps);
      throw error;
    }
    this.#f32(e.s2s_adam_moment(this.#ptr, 0), n).set(state.m);
    this.#f32(e.s2s_adam_moment(this.#ptr, 1), n).set(state.v);
  }

  #decode(srcIds, options, trace) {
    const e = this.#alive();
    const known = trace ? ['maxLength'] : ['beam', 'nBest', 'maxLength', 'lengthPenalty'];
    const o = checkOptions(options, known, trace ? 'traceTokens' : 'translateTokens');
    const src = int32Array(srcIds, 'srcIds');
    if (src.length === 0) throw fail('srcIds is empty: give at least one source token');
    const beam = integer(o.beam ?? 1, 'beam', 1, MAX_INT);
    const nBest = integer(o.nBest ?? 1, 'nBest', 1, MAX_INT);
    const maxLength = integer(o.maxLength ?? 50, 'maxLength', 1, MAX_INT);
    const lengthPenalty = finiteNumber(o.lengthPenalty ?? 0, 'lengthPenalty', 0, 10);
    const buf = e.malloc(4 * src.length);
    if (!buf) throw fail('not enough memory for the source', 'NO_MEMORY');
    try {
      this.#i32(buf, src.length).set(src);
      this.#check(e.s2s_decode(this.#ptr, buf, src.length, beam, nBest, lengthPenalty, maxLength, trace ? 1 : 0));
    } finally {
      e.free(buf);
    }
    const m = src.length;
    const hypotheses = [];
    for (let r = 0, n = e.s2s_result_count(this.#ptr); r < n; r++) {
      const len = e.s2s_result_length(this.#ptr, r);
      hypotheses.push({
        tokens: this.#i32(e.s2s_result_tokens(this.#ptr, r), len).slice(),
        attention: this.#f32(e.s2s_result_attention(this.#ptr, r), len * m).slice(),
        logProb: e.s2s_result_logprob(this.#ptr, r),
        score: e.s2s_result_score(this.#ptr, r),
      });
    }
    return hypotheses;
  }

  /**
   * Decodes one source sequence (Int32Array, no PAD): greedy when beam is 1, else beam search.
   * @returns {{ tokens: Int32Array, attention: Float32Array, logProb: number, score: number, hypotheses: object[] }}
   */
  translateTokens(srcIds, options) {
    const hypotheses = this.#decode(srcIds, options, false);
    return { ...hypotheses[0], hypotheses };
  }

  /** Greedy decoding that also returns every step's scores, weights, context, state and output distribution. */
  traceTokens(srcIds, options) {
    const [best] = this.#decode(srcIds, options, true);
    const e = this.#wasm.exports, p = this.#ptr;
    const T = best.tokens.length, m = srcIds.length, H = this.#config.hidden, V = this.#config.tgtVocabSize;
    const hasAttention = this.#config.attention !== 'none';
    const parts = {
      scores: [e.s2s_trace_scores(p), m], weights: [e.s2s_trace_weights(p), m], context: [e.s2s_trace_context(p), H],
      state: [e.s2s_trace_state(p), H], probs: [e.s2s_trace_probs(p), V],
    };
    const steps = [];
    for (let i = 0; i < T; i++) {
      const step = { token: best.tokens[i] };
      for (const [key, [ptr, width]] of Object.entries(parts)) {
        const attentionPart = key === 'scores' || key === 'weights' || key === 'context';
        step[key] = attentionPart && !hasAttention ? new Float32Array(0) : this.#f32(ptr + 4 * i * width, width).slice();
      }
      steps.push(step);
    }
    return { tokens: best.tokens, logProb: best.logProb, attention: best.attention, steps };
  }

  /** Metadata bytes saved with the model (the library keeps its vocabularies here). */
  setMetadata(bytes) {
    const e = this.#alive();
    if (!(bytes instanceof Uint8Array)) throw fail(`setMetadata needs a Uint8Array, got ${typeof bytes}`);
    if (bytes.length > MAX_META) throw fail(`metadata of ${bytes.length} bytes is larger than the limit of ${MAX_META}`, 'LIMIT');
    const buf = e.malloc(Math.max(1, bytes.length));
    if (!buf) throw fail('not enough memory for the metadata', 'NO_MEMORY');
    try {
      new Uint8Array(this.#wasm.memory.buffer, buf, bytes.length).set(bytes);
      this.#check(e.s2s_set_meta(this.#ptr, buf, bytes.length));
    } finally {
      e.free(buf);
    }
  }

  /** The metadata bytes (empty when none were set). */
  getMetadata() {
    const e = this.#alive();
    const n = e.s2s_meta_length(this.#ptr);
    return n ? new Uint8Array(this.#wasm.memory.buffer, e.s2s_meta(this.#ptr), n).slice() : new Uint8Array(0);
  }

  /** The model file: configuration, metadata, weights and a checksum (docs/model-format.md). */
  save() {
    const e = this.#alive();
    this.#check(e.s2s_save(this.#ptr));
    return new Uint8Array(this.#wasm.memory.buffer, e.s2s_saved_bytes(this.#ptr), e.s2s_saved_length(this.#ptr)).slice();
  }

  /** Frees the model's memory; any later call throws. */
  dispose() {
    if (!this.#ptr) return;
    this.#wasm.exports.s2s_destroy(this.#ptr);
    if (this.#acc) this.#wasm.exports.free(this.#acc);
    this.#acc = 0;
    this.#ptr = 0;
    this.#wasm = null;
  }
}

function readCString(wasm, ptr) {
  if (!ptr) return '';
  const bytes = new Uint8Array(wasm.memory.buffer);
  let end = ptr;
  while (bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(ptr, end));
}
