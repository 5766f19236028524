// checkpoint.js: the checkpoint file (docs/model-format.md, "Checkpoints"): a model file plus
// Adam's state plus, as JSON, the training session's state (lib/session.js: data order, random
// states, schedule position) and the writer's own object, sealed with a CRC-32. This module only
// turns parts into bytes and bytes back into checked parts; TrainingSession makes and resumes
// the session state, the C loader checks the model file. No Node-only imports: it runs in Node,
// pages and workers alike.

import { SESSION_FORMAT, SESSION_VERSION } from './session.js';
import { fail as codedError } from './errors.js';
import { MAX_BATCH, MAX_FILE, MAX_META, MAX_PARAMS } from './limits.js';

const CHECKPOINT_MAGIC = [0x53, 0x32, 0x53, 0x43, 0x4b, 0x50, 0x54, 0x1a]; // "S2SCKPT\x1a"
const CHECKPOINT_VERSION = 1;
const CHECKPOINT_FORMAT = 'seq2seq-attention/checkpoint';
/** Sizes a checkpoint may have (bytes, or values for maxParameters); larger is refused as LIMIT. */
export const CHECKPOINT_LIMITS = Object.freeze({
  maxBytes: 2 ** 31,              // the whole file
  maxModelBytes: MAX_FILE,        // the model file inside
  maxParameters: MAX_PARAMS,      // values per Adam moment
  maxStateBytes: MAX_META,        // the JSON section (as large as a model file's metadata)
});
const FIXED_BYTES = 8 + 4 + 4 + 4 + 4 + 5 * 8 + 4 + 4; // magic .. CRC, without the variable parts
const SCHEDULES = ['constant', 'cosine', 'custom'];
const BACKENDS = ['simd', 'scalar', 'fma'];

/** A coded Error (lib/errors.js); most of a checkpoint's problems are a bad file. */
const fail = (message, code = 'BAD_FILE') => codedError(message, code);

let crcTable = null;

/** CRC-32 (IEEE 802.3, zlib's) of bytes, as an unsigned 32-bit integer. */
export function crc32(bytes, crc = 0) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const hex32 = (n) => n.toString(16).padStart(8, '0');

/**
 * The JSON state of a checkpoint written now: { format, version, savedAt, backend, session, app }.
 * @param {{ backend: 'simd'|'scalar', session?: object|null, app?: object|null }} parts
 */
export function checkpointState({ backend, session = null, app = null }) {
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, savedAt: new Date().toISOString(), backend, session, app };
}

/**
 * Seals a checkpoint.
 * @param {{ model: Uint8Array, optimizer: object, state: object }} parts the model file
 *   (Seq2Seq#save), Adam's state (Seq2Seq#exportOptimizerState) and the JSON state
 *   ({ format, version, savedAt, backend, session, app }: see checkState)
 * @returns {Uint8Array}
 */
export function encodeCheckpoint({ model, optimizer, state }) {
  checkState(state, 'BAD_ARGUMENT');
  const json = new TextEncoder().encode(JSON.stringify(state));
  if (json.length > CHECKPOINT_LIMITS.maxStateBytes) throw fail(`the checkpoint's training state is ${json.length} bytes of JSON, more than the limit of ${CHECKPOINT_LIMITS.maxStateBytes}: keep less in its app object`, 'LIMIT');
  const P = optimizer.m.length;
  const length = FIXED_BYTES + model.length + 8 * P + json.length;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  let at = 0;
  bytes.set(CHECKPOINT_MAGIC, at); at += 8;
  view.setUint32(at, CHECKPOINT_VERSION, true); at += 4;
  view.setUint32(at, model.length, true); at += 4;
  bytes.set(model, at); at += model.length;
  view.setUint32(at, P, true); at += 4;
  view.setUint32(at, optimizer.steps, true); at += 4;
  for (const key of ['beta1', 'beta2', 'epsilon', 'beta1Power', 'beta2Power']) {
    view.setFloat64(at, optimizer[key], true);
    at += 8;
  }
  for (const moment of [optimizer.m, optimizer.v]) {
    for (let i = 0; i < P; i++, at += 4) view.setFloat32(at, moment[i], true);
  }
  view.setUint32(at, json.length, true); at += 4;
  bytes.set(json, at); at += json.length;
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

/**
 * Checks a checkpoint's container (sizes, magic, version, lengths, CRC-32, the moments' values
 * and the JSON state) and returns its parts; the model file inside is checked by Seq2Seq.load.
 * @returns {{ model: Uint8Array, optimizer: object, state: object }}
 */
export function decodeCheckpoint(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw fail(`a checkpoint must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`, 'BAD_ARGUMENT');
  if (bytes.length === 0) throw fail('not a checkpoint: it is empty');
  if (bytes.length > CHECKPOINT_LIMITS.maxBytes) throw fail(`the checkpoint is ${bytes.length} bytes, larger than the limit of ${CHECKPOINT_LIMITS.maxBytes}`, 'LIMIT');
  if (bytes.length < 8 || CHECKPOINT_MAGIC.some((b, i) => bytes[i] !== b)) {
    const model = bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 7)) === 'S2SATTN';
    throw fail(model ? 'this is a model file, not a checkpoint: give it to translate/eval (or train a new run), or resume from the .ckpt file written next to it'
      : 'not a seq2seq-attention checkpoint: the magic bytes are wrong');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const truncated = (need) => fail(`the checkpoint is truncated: ${bytes.length} bytes where its contents imply at least ${need}`);
  if (bytes.length < 16) throw truncated(FIXED_BYTES);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) throw fail(`unsupported checkpoint version ${version}: this library reads version ${CHECKPOINT_VERSION}`);
  const modelLength = view.getUint32(12, true);
  if (modelLength > CHECKPOINT_LIMITS.maxModelBytes) throw fail(`the checkpoint's model file is ${modelLength} bytes, larger than the limit of ${CHECKPOINT_LIMITS.maxModelBytes}`, 'LIMIT');
  let at = 16 + modelLength;
  if (bytes.length < at + 4) throw truncated(FIXED_BYTES + modelLength);
  const P = view.getUint32(at, true);
  if (P > CHECKPOINT_LIMITS.maxParameters) throw fail(`the checkpoint's optimizer state has ${P} parameters, more than the limit of ${CHECKPOINT_LIMITS.maxParameters}`, 'LIMIT');
  const jsonAt = at + 4 + 4 + 40 + 8 * P;
  if (bytes.length < jsonAt + 4) throw truncated(FIXED_BYTES + modelLength + 8 * P);
  const jsonLength = view.getUint32(jsonAt, true);
  if (jsonLength > CHECKPOINT_LIMITS.maxStateBytes) throw fail(`the checkpoint's training state is ${jsonLength} bytes, more than the limit of ${CHECKPOINT_LIMITS.maxStateBytes}`, 'LIMIT');
  const expected = FIXED_BYTES + modelLength + 8 * P + jsonLength;
  if (bytes.length < expected) throw fail(`the checkpoint is truncated: ${bytes.length} bytes where its contents imply ${expected}`);
  if (bytes.length > expected) throw fail(`the checkpoint has ${bytes.length} bytes where its contents imply ${expected} (extra bytes at the end)`);
  const want = view.getUint32(expected - 4, true);
  const got = crc32(bytes.subarray(0, expected - 4));
  if (want !== got) throw fail(`the checkpoint is corrupted: its checksum is ${hex32(want)} but its contents give ${hex32(got)}`);

  const model = bytes.slice(16, 16 + modelLength);
  at += 4;
  const optimizer = { steps: view.getUint32(at, true) };
  at += 4;
  for (const key of ['beta1', 'beta2', 'epsilon', 'beta1Power', 'beta2Power']) {
    optimizer[key] = view.getFloat64(at, true);
    at += 8;
  }
  for (const key of ['m', 'v']) {
    const moment = new Float32Array(P);
    for (let i = 0; i < P; i++, at += 4) moment[i] = view.getFloat32(at, true);
    optimizer[key] = moment;
  }
  let state;
  try {
    state = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at + 4, at + 4 + jsonLength)));
  } catch {
    throw fail('the checkpoint\'s training state is not valid UTF-8 JSON');
  }
  checkState(state, 'BAD_FILE');
  if (state.session && state.session.step > optimizer.steps) {
    throw fail(`the checkpoint is inconsistent: its session is at step ${state.session.step} but Adam has taken only ${optimizer.steps} steps`);
  }
  return { model, optimizer, state };
}

/**
 * Checks the JSON state of a checkpoint (docs/model-format.md lists every field):
 * { format, version, savedAt, backend, session: null | TrainingSession#state(), app: null | object }.
 * Throws with `code`.
 */
export function checkState(state, code = 'BAD_FILE') {
  const where = code === 'BAD_FILE' ? 'the checkpoint\'s training state' : 'the checkpoint state';
  const bad = (what) => fail(`${where}: ${what}`, code);
  const object = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
  const int = (x, name, min, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(x) || x < min || x > max) throw bad(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(x)}`);
  };
  const num = (x, name, min, strict = false) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || (strict && x === min)) throw bad(`${name} must be a finite number ${strict ? '>' : '>='} ${min}, got ${JSON.stringify(x)}`);
  };
  if (!object(state)) throw bad('it must be a JSON object');
  if (state.format !== CHECKPOINT_FORMAT) throw bad(`format must be ${JSON.stringify(CHECKPOINT_FORMAT)}, got ${JSON.stringify(state.format)}`);
  if (state.version !== CHECKPOINT_VERSION) throw bad(`version ${JSON.stringify(state.version)} is not ${CHECKPOINT_VERSION}`);
  if (typeof state.savedAt !== 'string' || Number.isNaN(Date.parse(state.savedAt))) throw bad(`savedAt must be a date string, got ${JSON.stringify(state.savedAt)}`);
  if (!BACKENDS.includes(state.backend)) throw bad(`backend must be 'simd', 'scalar' or 'fma', got ${JSON.stringify(state.backend)}`);
  if (state.app !== null && !object(state.app)) throw bad('app must be an object or null');
  const s = state.session;
  if (s === null) return state;
  if (!object(s)) throw bad('session must be an object or null');
  if (s.format !== SESSION_FORMAT) throw bad(`session.format must be ${JSON.stringify(SESSION_FORMAT)}, got ${JSON.stringify(s.format)}`);
  if (s.version !== SESSION_VERSION) throw bad(`session.version ${JSON.stringify(s.version)} is not ${SESSION_VERSION}`);
  int(s.pairs, 'session.pairs', 1);
  if (typeof s.data !== 'string' || !/^[0-9a-f]{8}$/.test(s.data)) throw bad(`session.data must be 8 lowercase hex digits, got ${JSON.stringify(s.data)}`);
  int(s.batchSize, 'session.batchSize', 1, MAX_BATCH);
  int(s.shuffleSeed, 'session.shuffleSeed', 0, 0xffffffff);
  if (typeof s.bucket !== 'boolean') throw bad('session.bucket must be true or false');
  int(s.shardSize, 'session.shardSize', 1, MAX_BATCH);
  int(s.totalSteps, 'session.totalSteps', 1); // epochs (up to 1e6) x batches per epoch: a page session on a large file is billions
  num(s.learningRate, 'session.learningRate', 0, true);
  if (!SCHEDULES.includes(s.schedule)) throw bad(`session.schedule must be 'constant', 'cosine' or 'custom', got ${JSON.stringify(s.schedule)}`);
  num(s.clipNorm, 'session.clipNorm', 0);
  int(s.step, 'session.step', 0, s.totalSteps);
  int(s.epoch, 'session.epoch', 0);
  const batchesPerEpoch = Math.ceil(s.pairs / s.batchSize);
  int(s.batchInEpoch, 'session.batchInEpoch', 0, batchesPerEpoch);
  const implied = s.epoch === 0 ? 0 : (s.epoch - 1) * batchesPerEpoch + s.batchInEpoch;
  if ((s.epoch === 0 && s.batchInEpoch !== 0) || implied !== s.step) {
    throw bad(`session.step ${s.step} does not match epoch ${s.epoch} and batchInEpoch ${s.batchInEpoch} with ${batchesPerEpoch} batches per epoch`);
  }
  int(s.epochRandom, 'session.epochRandom', 0, 0xffffffff);
  int(s.random, 'session.random', 0, 0xffffffff);
  if (s.loss !== null) num(s.loss, 'session.loss', 0);
  int(s.examples, 'session.examples', 0);
  int(s.tokens, 'session.tokens', 0);
  num(s.elapsedMs, 'session.elapsedMs', 0);
  return state;
}
