// translator.js: the friendly API (docs/api.md, part 2): a model that takes and gives strings.
//
// A Translator owns one low-level Seq2Seq (lib/core.js) plus the two vocabularies and tokenizer
// names, which it stores in the model file's metadata as UTF-8 JSON. It builds batches from
// string pairs (bucketed by length, shuffled with a seed), runs the training loop with its
// schedule, progress and stop signal, decodes, and scores. The numerics are all in the core.

import { Seq2Seq } from './core.js';
import {
  MAX_SEQUENCE_LENGTH, Vocabulary, getTokenizer, resolveTokenizerNames, wordTokenizer,
} from './text.js';
import { fail, integer, positiveNumber } from './errors.js';
import { BpeTokenizer, DEFAULT_BPE_VOCABULARY_SIZE } from './bpe.js';
import { chrF, corpusBleu, exactMatch, tokenAccuracy } from './metrics.js';
import { MAX_BEAM, MAX_VOCAB } from './limits.js';
import { TrainingSession, checkPairs } from './session.js';
import { createStepper } from './pool.js';
import { checkpointState, decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';

const METADATA_FORMAT = 'seq2seq-attention/translator';
const METADATA_VERSION = 1; // written for char/word models, so older readers still load them
const METADATA_VERSION_BPE = 2; // written when a side is 'bpe' (docs/tokenizers.md, section 5)

const CREATE_OPTIONS = ['pairs', 'tokenizer', 'cell', 'attention', 'scale', 'embed', 'hidden', 'attentionSize',
  'seed', 'backend', 'maxVocabularySize', 'minCount', 'vocabSize', 'sharedVocabulary', 'info'];
const TRANSLATE_OPTIONS = ['beam', 'nBest', 'maxLength', 'lengthPenalty'];

function checkKnown(options, known, what) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw fail(`${what}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw fail(`${what}: unknown option ${JSON.stringify(key)}; known options: ${known.join(', ')}`);
  }
}

function topSymbols(probs, vocabulary, k) {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]).slice(0, k);
  return order.map((id) => ({ symbol: vocabulary.symbol(id), p: probs[id] }));
}

/** A sequence-to-sequence model on strings. Make one with Translator.create or Translator.load. */
export class Translator {
  /** @private use Translator.create or Translator.load */
  constructor(core, metadata) {
    this._core = core;
    this._tokenizerNames = metadata.tokenizer;
    this._sourceTokenizer = metadata.sourceTokenizer;
    this._targetTokenizer = metadata.targetTokenizer;
    this._sharedVocabulary = metadata.sharedVocabulary;
    this._source = metadata.sourceVocabulary;
    this._target = metadata.targetVocabulary;
    this._info = metadata.info;
    this._disposed = false;
    this._training = null; // the TrainingSession of a running train
  }

  /**
   * Builds the vocabularies from `pairs` and creates a model with fresh weights.
   * @param {object} options see docs/api.md; pairs is required, the rest has defaults
   * @returns {Promise<Translator>}
   */
  static async create(options) {
    checkKnown(options ?? null, CREATE_OPTIONS, 'Translator.create');
    const {
      pairs, tokenizer = 'char', cell = 'gru', attention = 'additive', scale = true, embed = 32, hidden = 64,
      attentionSize = 64, seed = 1, backend = 'auto', maxVocabularySize = MAX_VOCAB, minCount = 1, info = null,
      vocabSize, sharedVocabulary = false,
    } = options;
    checkPairs(pairs, 'pairs');
    let names;
    try {
      names = resolveTokenizerNames(tokenizer);
    } catch (error) {
      throw fail(error.message);
    }
    if (info !== null && (typeof info !== 'object' || Array.isArray(info))) {
      throw fail('info must be a plain object (it is saved as JSON with the model) or null');
    }
    const metadata = { ...learnTokenizers(pairs, names, { vocabSize, sharedVocabulary, maxVocabularySize, minCount }), info };
    const { sourceVocabulary, targetVocabulary } = metadata;
    for (const [side, v] of [['source', sourceVocabulary], ['target', targetVocabulary]]) {
      if (v.size < 5) throw fail(`the ${side} texts of pairs have no symbols: a model needs at least one`);
    }
    const core = await Seq2Seq.create({
      cell, attention, scale, embed, hidden, attentionSize, seed, backend,
      srcVocabSize: sourceVocabulary.size, tgtVocabSize: targetVocabulary.size,
    });
    try {
      core.setMetadata(encodeMetadata(metadata));
    } catch (error) {
      core.dispose();
      throw error;
    }
    return new Translator(core, metadata);
  }

  /**
   * Loads a model saved by Translator#save.
   * @param {Uint8Array|ArrayBuffer} bytes
   * @param {{backend?: 'auto'|'simd'|'scalar'}} [options]
   * @returns {Promise<Translator>}
   */
  static async load(bytes, options = {}) {
    checkKnown(options, ['backend'], 'Translator.load');
    if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    if (!(bytes instanceof Uint8Array)) throw fail('Translator.load needs the model file as a Uint8Array (or ArrayBuffer)');
    const core = await Seq2Seq.load(bytes, { backend: options.backend ?? 'auto' });
    try {
      const metadata = decodeMetadata(core.getMetadata());
      const { srcVocabSize, tgtVocabSize } = core.config;
      if (metadata.sourceVocabulary.size !== srcVocabSize || metadata.targetVocabulary.size !== tgtVocabSize) {
        throw fail(`the model file is inconsistent: its vocabularies have ${metadata.sourceVocabulary.size}/${metadata.targetVocabulary.size} entries but the network expects ${srcVocabSize}/${tgtVocabSize}`, 'BAD_FILE');
      }
      return new Translator(core, metadata);
    } catch (error) {
      core.dispose();
      throw error;
    }
  }

  _alive() {
    if (this._disposed) throw fail('this Translator was disposed: create or load a new one', 'DISPOSED');
  }

  /** 'simd' or 'scalar': the WebAssembly build in use. */
  get backend() {
    this._alive();
    return this._core.backend;
  }

  /** The network's configuration (cell, attention, sizes, vocabulary sizes). */
  get config() {
    this._alive();
    return this._core.config;
  }

  /** { source, target }: the tokenizer names ('char', 'word' or 'bpe'). */
  get tokenizer() {
    return { ...this._tokenizerNames };
  }

  /** { source, target, shared }: the tokenizer objects (tokenize, detokenize; a learned BpeTokenizer for 'bpe'). */
  get tokenizers() {
    return { source: this._sourceTokenizer, target: this._targetTokenizer, shared: this._sharedVocabulary };
  }

  /** The source vocabulary (symbols <-> ids). */
  get sourceVocabulary() {
    return this._source;
  }

  /** The target vocabulary. */
  get targetVocabulary() {
    return this._target;
  }

  /** The `info` object given to create (saved in the model file), or null. */
  get info() {
    return this._info === null ? null : structuredClone(this._info);
  }

  /** The low-level Seq2Seq, for parameter access and the token-level calls. */
  get core() {
    this._alive();
    return this._core;
  }

  /** Adam steps taken so far (over all train calls, and before saving). */
  get stepCount() {
    this._alive();
    return this._core.stepCount;
  }

  /** Tokenizes a source text: { symbols, ids, unknown }. Throws on empty or too long input. */
  encodeSource(text, what = 'text') {
    if (typeof text !== 'string') throw fail(`${what} must be a string, got ${text === null ? 'null' : typeof text}`);
    let symbols;
    try {
      symbols = this._sourceTokenizer.tokenize(text);
    } catch (error) {
      throw fail(`${what}: ${error.message}`, error.code ?? 'LIMIT');
    }
    if (symbols.length === 0) throw fail(`${what} has no symbols to translate: give a non-empty text`);
    if (symbols.length > MAX_SEQUENCE_LENGTH) {
      throw fail(`${what} has ${symbols.length} symbols; the limit is ${MAX_SEQUENCE_LENGTH}: split it into shorter pieces`, 'LIMIT');
    }
    const { ids, unknown } = this._source.encode(symbols);
    return { symbols, ids, unknown };
  }

  _encodeTarget(text, what) {
    let symbols;
    try {
      symbols = this._targetTokenizer.tokenize(text);
    } catch (error) {
      throw fail(`${what}: ${error.message}`, error.code ?? 'LIMIT');
    }
    if (symbols.length + 1 > MAX_SEQUENCE_LENGTH) {
      throw fail(`${what} has ${symbols.length} symbols; the limit is ${MAX_SEQUENCE_LENGTH - 1} (plus the end token): split it`, 'LIMIT');
    }
    return this._target.encode(symbols).ids;
  }

  /**
   * A resumable training run on string pairs (lib/session.js): run(), pause(), state(), close().
   * Options as train's; `resume: state` goes on from a saved session state.
   * @returns {TrainingSession}
   */
  session(pairs, options = {}) {
    this._alive();
    return new TrainingSession(this, pairs, options, (core, o) => createStepper(core, o));
  }

  /**
   * Trains on string pairs. See docs/api.md for the options; returns a report.
   * `workers` (default 'auto': this machine's cores) spreads each batch over worker threads;
   * the trained model is byte-identical for any number of workers.
   * @returns {Promise<{steps: number, epochs: number, loss: number, elapsedMs: number, stopped: boolean, history: object[], workers: number, transport: string}>}
   */
  async train(pairs, options = {}) {
    this._alive();
    if (this._training) throw fail('train is already running on this model: wait for it to finish or stop it with its signal');
    const session = this.session(pairs, options);
    this._training = session;
    try {
      const { done, ...report } = await session.run();
      return report;
    } finally {
      this._training = null;
      await session.close();
    }
  }

  /**
   * A checkpoint of this model (docs/model-format.md, "Checkpoints"): its file, Adam's state,
   * the training session's state (a TrainingSession or its state(); null between runs) and `app`,
   * any JSON object the caller keeps with it. Take it between session.run() calls.
   * @param {{ session?: object|null, app?: object|null }} [parts]
   * @returns {Uint8Array}
   */
  checkpoint({ session = null, app = null } = {}) {
    this._alive();
    const state = typeof session?.state === 'function' ? session.state() : session;
    if (session?.running) throw fail('checkpoint: the session is running; take the checkpoint between its run() calls (run({ maxSteps }) returns between them)');
    return encodeCheckpoint({
      model: this._core.save(),
      optimizer: this._core.exportOptimizerState(),
      state: checkpointState({ backend: this.backend, session: state, app }),
    });
  }

  /**
   * Loads a checkpoint: the model with Adam's state restored, the session state (give it as
   * `resume` to train or session, with the same pairs) and the app object.
   * @param {Uint8Array|ArrayBuffer} bytes
   * @param {{backend?: 'auto'|'simd'|'scalar'}} [options] default: the backend it was written on
   * @returns {Promise<{ translator: Translator, session: object|null, app: object|null, savedAt: string, backend: string }>}
   */
  static async loadCheckpoint(bytes, options = {}) {
    checkKnown(options, ['backend'], 'Translator.loadCheckpoint');
    if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    if (!(bytes instanceof Uint8Array)) throw fail('Translator.loadCheckpoint needs the checkpoint as a Uint8Array (or ArrayBuffer)');
    const { model, optimizer, state } = decodeCheckpoint(bytes);
    let translator;
    try {
      translator = await Translator.load(model, { backend: options.backend ?? state.backend });
    } catch (error) {
      if (error.code === 'BAD_FILE' || error.code === 'LIMIT') error.message = `the checkpoint's model file is not valid: ${error.message}`;
      throw error;
    }
    try {
      const parameters = translator._core.parameterCount;
      if (optimizer.m.length !== parameters) {
        throw fail(`the checkpoint is inconsistent: its optimizer state has ${optimizer.m.length} values, its model ${parameters} parameters`, 'BAD_FILE');
      }
      try {
        translator._core.importOptimizerState(optimizer);
      } catch (error) {
        throw fail(`the checkpoint's optimizer state is not valid: ${error.message}`, 'BAD_FILE');
      }
    } catch (error) {
      translator.dispose();
      throw error;
    }
    return { translator, session: state.session, app: state.app, savedAt: state.savedAt, backend: state.backend };
  }

  /**
   * Translates one text.
   * @param {string} text
   * @param {{beam?: number, nBest?: number, maxLength?: number, lengthPenalty?: number}} [options]
   *   maxLength defaults to max(50, 2 * source symbols + 10), at most 1024
   */
  translate(text, options = {}) {
    this._alive();
    checkKnown(options, TRANSLATE_OPTIONS, 'translate');
    const source = this.encodeSource(text);
    const { beam = 1, nBest = 1, lengthPenalty = 0 } = options;
    integer(beam, 'beam', 1, MAX_BEAM);
    integer(nBest, 'nBest', 1, MAX_BEAM);
    if (nBest > beam) {
      throw fail(`nBest ${nBest} needs a beam search at least that wide (beam is ${beam}${options.beam === undefined ? ', greedy, by default' : ''}): pass beam: ${nBest} or more with nBest: ${nBest}`);
    }
    positiveNumber(lengthPenalty, 'lengthPenalty', { allowZero: true });
    const maxLength = integer(options.maxLength ?? Math.min(MAX_SEQUENCE_LENGTH, Math.max(50, 2 * source.ids.length + 10)), 'maxLength', 1, MAX_SEQUENCE_LENGTH);
    const result = this._core.translateTokens(source.ids, { beam, nBest, maxLength, lengthPenalty });
    const tokens = this._target.decode(result.tokens);
    const hypotheses = result.hypotheses ?? [result];
    return {
      text: this._targetTokenizer.detokenize(tokens),
      tokens,
      ids: result.tokens,
      score: result.score ?? result.logProb,
      logProb: result.logProb,
      attention: {
        weights: result.attention,
        rows: result.tokens.length,
        cols: source.ids.length,
        source: source.symbols,
        target: Array.from(result.tokens, (id) => this._target.symbol(id)),
      },
      unknown: source.unknown,
      nBest: hypotheses.map((h) => ({
        text: this._targetTokenizer.detokenize(this._target.decode(h.tokens)),
        score: h.score ?? h.logProb,
        logProb: h.logProb,
      })),
    };
  }

  /** translate for each text; the same options for all. */
  translateBatch(texts, options = {}) {
    this._alive();
    if (!Array.isArray(texts)) throw fail('translateBatch needs an array of strings');
    return texts.map((text, i) => {
      try {
        return this.translate(text, options);
      } catch (error) {
        error.message = `texts[${i}]: ${error.message}`;
        throw error;
      }
    });
  }

  /**
   * Greedy decoding with every internal exposed, labelled with symbols (the page's step-through).
   * @returns {{source: string[], target: string[], text: string, unknown: object[], steps: object[]}}
   */
  explain(text, options = {}) {
    this._alive();
    checkKnown(options, ['maxLength', 'top'], 'explain');
    const source = this.encodeSource(text);
    const maxLength = integer(options.maxLength ?? Math.min(MAX_SEQUENCE_LENGTH, Math.max(50, 2 * source.ids.length + 10)), 'maxLength', 1, MAX_SEQUENCE_LENGTH);
    const top = integer(options.top ?? 5, 'top', 1, this._target.size);
    const trace = this._core.traceTokens(source.ids, { maxLength });
    const steps = trace.steps.map((s) => ({
      ...s,
      symbol: this._target.symbol(s.token),
      top: topSymbols(s.probs, this._target, top),
    }));
    return {
      source: source.symbols,
      target: steps.map((s) => s.symbol),
      text: this._targetTokenizer.detokenize(this._target.decode(trace.tokens)),
      unknown: source.unknown,
      steps,
    };
  }

  /**
   * Scores the model on pairs: exact match and token accuracy (0..1), corpus BLEU and chrF
   * (0..100, sacreBLEU's numbers on the target tokenizer's tokens), and up to 10 mistakes.
   * With a 'bpe' target, BLEU and token accuracy are on the word tokenizer's tokens of the texts
   * (so they compare with word-level models) and exact match is on the texts.
   */
  evaluate(pairs, options = {}) {
    this._alive();
    checkKnown(options, ['beam', 'maxLength'], 'evaluate');
    checkPairs(pairs, 'pairs');
    const hypTokens = [];
    const refTokens = [];
    const hypTexts = [];
    const refTexts = [];
    const mistakes = [];
    const subword = this._tokenizerNames.target === 'bpe';
    for (let i = 0; i < pairs.length; i++) {
      let out;
      try {
        out = this.translate(pairs[i][0], { beam: options.beam ?? 1, ...(options.maxLength ? { maxLength: options.maxLength } : {}) });
      } catch (error) {
        error.message = `pairs[${i}]: ${error.message}`;
        throw error;
      }
      const ref = subword ? wordTokenizer.tokenize(pairs[i][1]) : this._targetTokenizer.tokenize(pairs[i][1]);
      hypTokens.push(subword ? wordTokenizer.tokenize(out.text) : out.tokens);
      refTokens.push(ref);
      hypTexts.push(out.text);
      refTexts.push(pairs[i][1]);
      const same = subword ? out.text === pairs[i][1] : out.tokens.length === ref.length && out.tokens.every((t, k) => t === ref[k]);
      if (!same && mistakes.length < 10) mistakes.push({ source: pairs[i][0], reference: pairs[i][1], output: out.text });
    }
    return {
      exactMatch: subword ? exactMatch(hypTexts.map((t) => [t]), refTexts.map((t) => [t])) : exactMatch(hypTokens, refTokens),
      tokenAccuracy: tokenAccuracy(hypTokens, refTokens),
      bleu: corpusBleu(hypTokens, refTokens).score,
      chrf: chrF(hypTexts, refTexts).score,
      count: pairs.length,
      mistakes,
    };
  }

  /** The model file (weights, configuration, vocabularies, tokenizers) as bytes. */
  save() {
    this._alive();
    return this._core.save();
  }

  /** Frees the model's memory; every later call throws. Safe to call twice. */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    this._training?.close(); // ends the workers of a running train; it then rejects
    this._core.dispose();
  }
}

/** The number or { source, target } vocabSize option -> { source, target } sizes. */
function bpeSizes(vocabSize, names, shared) {
  if (vocabSize === undefined) return { source: DEFAULT_BPE_VOCABULARY_SIZE, target: DEFAULT_BPE_VOCABULARY_SIZE };
  if (typeof vocabSize === 'number') return { source: vocabSize, target: vocabSize };
  if (vocabSize === null || typeof vocabSize !== 'object' || Array.isArray(vocabSize)) {
    throw fail('vocabSize must be a number or { source: number, target: number }');
  }
  checkKnown(vocabSize, ['source', 'target'], 'vocabSize');
  const sizes = { source: vocabSize.source ?? DEFAULT_BPE_VOCABULARY_SIZE, target: vocabSize.target ?? DEFAULT_BPE_VOCABULARY_SIZE };
  if (shared && sizes.source !== sizes.target) throw fail('a shared vocabulary has one size: give vocabSize as one number');
  for (const side of ['source', 'target']) {
    if (vocabSize[side] !== undefined && names[side] !== 'bpe') throw fail(`vocabSize.${side} is for a 'bpe' ${side} tokenizer; the ${side} tokenizer is '${names[side]}'`);
  }
  return sizes;
}

/**
 * Learns or picks each side's tokenizer and builds its vocabulary (docs/tokenizers.md for 'bpe').
 * @returns {{tokenizer: object, sourceTokenizer: object, targetTokenizer: object, sharedVocabulary: boolean,
 *            sourceVocabulary: Vocabulary, targetVocabulary: Vocabulary}}
 */
function learnTokenizers(pairs, names, { vocabSize, sharedVocabulary, maxVocabularySize, minCount }) {
  if (typeof sharedVocabulary !== 'boolean') throw fail('sharedVocabulary must be true or false');
  const bpeSides = ['source', 'target'].filter((side) => names[side] === 'bpe');
  if (bpeSides.length === 0 && vocabSize !== undefined) {
    throw fail("vocabSize is for the 'bpe' tokenizer; with 'char' or 'word' use maxVocabularySize");
  }
  if (sharedVocabulary && bpeSides.length !== 2) throw fail("sharedVocabulary needs the 'bpe' tokenizer on both sides");
  const sizes = bpeSizes(vocabSize, names, sharedVocabulary);
  const learn = (texts, size) => {
    try {
      return BpeTokenizer.learn(texts, { vocabSize: size });
    } catch (error) {
      throw fail(error.message, error.code ?? 'BAD_ARGUMENT');
    }
  };
  const sources = pairs.map((p) => p[0]);
  const targets = pairs.map((p) => p[1]);
  const tokenizers = {};
  if (sharedVocabulary) {
    tokenizers.source = tokenizers.target = learn(sources.concat(targets), sizes.source);
  } else {
    for (const side of bpeSides) tokenizers[side] = learn(side === 'source' ? sources : targets, sizes[side]);
  }
  const vocabulary = (side, texts) => {
    const t = tokenizers[side];
    if (t) return new Vocabulary(t.symbols);
    return Vocabulary.fromTexts(texts, getTokenizer(names[side]), { maxSize: maxVocabularySize, minCount });
  };
  const sourceVocabulary = vocabulary('source', sources);
  const targetVocabulary = sharedVocabulary ? sourceVocabulary : vocabulary('target', targets);
  return {
    tokenizer: names,
    sourceTokenizer: tokenizers.source ?? getTokenizer(names.source),
    targetTokenizer: tokenizers.target ?? getTokenizer(names.target),
    sharedVocabulary,
    sourceVocabulary,
    targetVocabulary,
  };
}

function encodeMetadata({ tokenizer, sourceTokenizer, targetTokenizer, sharedVocabulary, sourceVocabulary, targetVocabulary, info }) {
  const subword = tokenizer.source === 'bpe' || tokenizer.target === 'bpe';
  const json = {
    format: METADATA_FORMAT, version: subword ? METADATA_VERSION_BPE : METADATA_VERSION, tokenizer,
    sourceVocabulary: sourceVocabulary.toJSON(), targetVocabulary: targetVocabulary.toJSON(), info,
  };
  if (subword) {
    json.bpe = {
      shared: sharedVocabulary,
      source: tokenizer.source === 'bpe' ? sourceTokenizer.toJSON() : null,
      target: tokenizer.target === 'bpe' ? targetTokenizer.toJSON() : null,
    };
  }
  return new TextEncoder().encode(JSON.stringify(json));
}

/** Rebuilds the tokenizers of a version 2 file and checks the stored vocabularies against them. */
function decodeTokenizers(json, names, sourceVocabulary, targetVocabulary) {
  const bpe = json.bpe;
  const hasBpe = names.source === 'bpe' || names.target === 'bpe';
  if (!hasBpe) {
    if (bpe !== undefined) throw new Error('it has bpe tokenizers but no side uses the bpe tokenizer');
    return { sourceTokenizer: getTokenizer(names.source), targetTokenizer: getTokenizer(names.target), sharedVocabulary: false };
  }
  if (!bpe || typeof bpe !== 'object' || typeof bpe.shared !== 'boolean') throw new Error('the bpe tokenizers are missing');
  const sides = {};
  for (const [side, vocabulary] of [['source', sourceVocabulary], ['target', targetVocabulary]]) {
    if (names[side] !== 'bpe') {
      if (bpe[side] !== null) throw new Error(`the ${side} side is '${names[side]}' but a bpe tokenizer is stored for it`);
      sides[side] = getTokenizer(names[side]);
      continue;
    }
    const t = BpeTokenizer.fromJSON(bpe[side]);
    const symbols = t.symbols;
    const stored = vocabulary.symbols;
    if (symbols.length !== stored.length || symbols.some((s, i) => s !== stored[i])) {
      throw new Error(`the ${side} vocabulary is not the one its bpe tokenizer implies`);
    }
    sides[side] = t;
  }
  if (bpe.shared) {
    if (names.source !== 'bpe' || names.target !== 'bpe' || JSON.stringify(bpe.source) !== JSON.stringify(bpe.target)) {
      throw new Error('it says the vocabulary is shared but the two sides differ');
    }
    sides.target = sides.source;
  }
  return { sourceTokenizer: sides.source, targetTokenizer: sides.target, sharedVocabulary: bpe.shared };
}

function decodeMetadata(bytes) {
  if (!bytes || bytes.length === 0) {
    throw fail('this model file has no vocabularies (it was saved by the low-level Seq2Seq): load it with Seq2Seq.load, or save it from a Translator', 'BAD_FILE');
  }
  let json;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw fail('the metadata in this model file is not valid UTF-8 JSON: the file was not written by Translator#save', 'BAD_FILE');
  }
  if (json?.format !== METADATA_FORMAT) {
    throw fail('the metadata in this model file is not a Translator\'s: load it with Seq2Seq.load', 'BAD_FILE');
  }
  if (json.version !== METADATA_VERSION && json.version !== METADATA_VERSION_BPE) {
    throw fail(`this model file's vocabulary format is version ${json.version}; this library reads versions ${METADATA_VERSION} and ${METADATA_VERSION_BPE}: upgrade seq2seq-attention`, 'BAD_FILE');
  }
  try {
    const tokenizer = resolveTokenizerNames(json.tokenizer);
    const sourceVocabulary = Vocabulary.fromJSON(json.sourceVocabulary);
    const targetVocabulary = Vocabulary.fromJSON(json.targetVocabulary);
    return {
      tokenizer, sourceVocabulary, targetVocabulary,
      ...decodeTokenizers(json, tokenizer, sourceVocabulary, targetVocabulary),
      info: json.info ?? null,
    };
  } catch (error) {
    throw fail(`the vocabularies in this model file are damaged: ${error.message}`, 'BAD_FILE');
  }
}
