// Type declarations for the whole public API of seq2seq-attention (lib/index.js).
// The low-level Seq2Seq follows docs/design.md's contract plus docs/api.md's extras; the rest is
// the friendly layer of docs/api.md. tests/types/ compiles the docs' examples against it (tsc).

// ---------------------------------------------------------------------------------------------
// Low level: Seq2Seq (lib/core.js)

export type Cell = 'rnn' | 'gru' | 'lstm';
export type Attention = 'additive' | 'dot' | 'none';
/** 'fma': fused multiply-add through WebAssembly relaxed SIMD; never picked by 'auto' (it rounds differently). */
export type BackendChoice = 'auto' | 'simd' | 'scalar' | 'fma';
export type Backend = 'simd' | 'scalar' | 'fma';
/** `err.code` of the Errors the library throws. */
export type ErrorCode = 'BAD_ARGUMENT' | 'LIMIT' | 'BAD_FILE' | 'DIVERGED' | 'DISPOSED' | 'NO_MEMORY'
  | 'WORKER_FAILED' | 'WORKER_STOPPED';

/** What the library throws: an Error with a code (and, for DIVERGED from train, the step and more). */
export interface Seq2SeqError extends Error {
  code: ErrorCode;
  /** DIVERGED: the step that diverged (1-based). */
  step?: number;
  /** DIVERGED from Translator#train: the report of the steps that succeeded. */
  report?: TrainReport;
  /** DIVERGED from Translator#train: whether the kept weights still give a finite loss and
   *  gradients (false: start again from a fresh model; a lower learning rate cannot continue). */
  weightsUsable?: boolean;
}

export interface ModelConfig {
  cell: Cell;
  attention: Attention;
  /** dot attention only: scores divided by sqrt(attentionSize) */
  scale: boolean;
  embed: number;
  hidden: number;
  attentionSize: number;
  srcVocabSize: number;
  tgtVocabSize: number;
}

export interface Seq2SeqOptions extends Partial<Omit<ModelConfig, 'srcVocabSize' | 'tgtVocabSize'>> {
  /** Token ids 0..size-1; 0 PAD, 1 BOS, 2 EOS, 3 UNK. */
  srcVocabSize: number;
  tgtVocabSize: number;
  seed?: number;
  backend?: BackendChoice;
}

/** A batch in the core's layout: row-major, PAD = 0. */
export interface TokenBatch {
  src: Int32Array; // [batchSize * srcLength]
  srcLengths: Int32Array; // [batchSize]
  tgtIn: Int32Array; // [batchSize * tgtLength], BOS y_1 .. y_T-1
  tgtOut: Int32Array; // [batchSize * tgtLength], y_1 .. y_T (= EOS)
  batchSize: number;
  srcLength: number;
  tgtLength: number;
}

export interface Hypothesis {
  /** Ends with EOS (2) unless cut by maxLength. */
  tokens: Int32Array;
  /** [tokens.length * source length], row i = the weights output token i put on each source token. */
  attention: Float32Array;
  logProb: number;
  /** logProb / length^lengthPenalty: what beam search ranks by. */
  score: number;
}

export interface TokenTranslation extends Hypothesis {
  /** The n-best list, best first (hypotheses[0] is the result itself). */
  hypotheses: Hypothesis[];
}

export interface DecodeOptions {
  /** <= 1: greedy; > 1: beam search of that width. */
  beam?: number;
  nBest?: number;
  maxLength?: number;
  lengthPenalty?: number;
}

export interface TraceStep {
  token: number;
  /** Pre-softmax scores a_j, one per source position (empty for attention 'none'). */
  scores: Float32Array;
  /** softmax(scores) (empty for attention 'none'). */
  weights: Float32Array;
  /** The context vector c_{i-1} fed to this step, length hidden (empty for attention 'none'). */
  context: Float32Array;
  /** The decoder state s_i, length hidden. */
  state: Float32Array;
  /** softmax of the output logits, length tgtVocabSize. */
  probs: Float32Array;
}

/** Everything Adam carries between steps; m and v hold every parameter in parameterNames() order. */
export interface OptimizerState {
  steps: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  beta1Power: number;
  beta2Power: number;
  m: Float32Array;
  v: Float32Array;
}

export class Seq2Seq {
  static create(options: Seq2SeqOptions): Promise<Seq2Seq>;
  /** Throws an Error (code 'BAD_FILE') that says what is wrong with a bad file. */
  static load(bytes: Uint8Array, options?: { backend?: BackendChoice }): Promise<Seq2Seq>;
  readonly backend: Backend;
  readonly config: Readonly<ModelConfig>;
  /** Adam steps taken. */
  readonly stepCount: number;
  parameterNames(): string[];
  /** A copy of a named parameter. */
  getParameter(name: string): { shape: number[]; data: Float32Array };
  setParameter(name: string, data: Float32Array): void;
  /** Loss and gradients of a batch; the weights are not changed. */
  lossAndGradients(batch: TokenBatch): { loss: number; gradients: Record<string, Float32Array> };
  /** The batch's loss only (no gradients). */
  loss(batch: TokenBatch): number;
  /** One Adam update; returns the loss before it. Throws code 'DIVERGED' (weights unchanged) on NaN/Inf. */
  trainStep(batch: TokenBatch, options?: { learningRate?: number; clipNorm?: number }): { loss: number };
  /** Float32 values in all parameters together: the length of a flat gradient or weight array. */
  readonly parameterCount: number;
  /** Gradient SUMS over the batch's non-PAD target tokens (not means), flat in parameterNames() order; weights unchanged. */
  gradientSums(batch: TokenBatch, options?: { into?: Float32Array }): { lossSum: number; count: number; gradients: Float32Array };
  /** One step from sums computed elsewhere: divide by count, clip, Adam (trainStep = gradientSums + this, bit for bit). */
  applyGradientSums(sums: Float32Array, options: { count: number; lossSum: number; learningRate?: number; clipNorm?: number }): { loss: number };
  /** gradientSums added in the module into the model's gradient accumulator (first: starts it), in call order. */
  accumulateGradientSums(batch: TokenBatch, options?: { first?: boolean }): { lossSum: number; count: number };
  /** Adds sums computed elsewhere (gradientSums' layout) into the accumulator (first: starts it with them). */
  accumulateGradients(sums: Float32Array, options?: { first?: boolean }): void;
  /** applyGradientSums of what the accumulator holds. */
  applyAccumulated(options: { count: number; lossSum: number; learningRate?: number; clipNorm?: number }): { loss: number };
  /** All weights, flat (a copy). */
  readWeights(into?: Float32Array): Float32Array;
  /** Overwrites all weights from the flat layout; Adam's moments are kept. */
  writeWeights(weights: Float32Array): void;
  setAdam(options: { beta1?: number; beta2?: number; epsilon?: number }): void;
  /** Adam's state (copies): with the weights, training continues exactly as if never interrupted. */
  exportOptimizerState(): OptimizerState;
  /** Restores exportOptimizerState's result; checked first, nothing changes on an error. */
  importOptimizerState(state: OptimizerState): void;
  translateTokens(srcIds: Int32Array, options?: DecodeOptions): TokenTranslation;
  traceTokens(srcIds: Int32Array, options?: { maxLength?: number }): {
    tokens: Int32Array;
    logProb: number;
    attention: Float32Array;
    steps: TraceStep[];
  };
  setMetadata(bytes: Uint8Array): void;
  getMetadata(): Uint8Array;
  memoryBytes(): number;
  /** The model file: config, metadata, weights. */
  save(): Uint8Array;
  /** Frees the wasm memory; any later call throws (code 'DISPOSED'). */
  dispose(): void;
}

// ---------------------------------------------------------------------------------------------
// Text: tokenizers and vocabularies (lib/text.js)

export type TokenizerName = 'char' | 'word' | 'bpe';
export type TokenizerOption = TokenizerName | { source?: TokenizerName; target?: TokenizerName };

export interface Tokenizer {
  readonly name: TokenizerName;
  /** Text -> symbols. Throws on non-strings and on text longer than 100000 UTF-16 units. */
  tokenize(text: string): string[];
  /** Symbols -> text. */
  detokenize(symbols: string[]): string;
}

/** One symbol per Unicode code point (emoji stay whole); whitespace is a symbol. */
export const charTokenizer: Tokenizer;
/** Words (letters, marks, digits) and single punctuation marks; whitespace only separates. */
export const wordTokenizer: Tokenizer;
/** The fixed tokenizers ('char', 'word'); 'bpe' throws: it is learned (BpeTokenizer.learn). */
export function getTokenizer(name: TokenizerName): Tokenizer;

/** The learned subword tokenizer, specified exactly in docs/tokenizers.md (lib/bpe.js). */
export class BpeTokenizer implements Tokenizer {
  readonly name: 'bpe';
  /** Learns from texts; vocabSize (default 2000) counts the 4 specials and 256 byte symbols, 261..65536. */
  static learn(texts: Iterable<string>, options?: { vocabSize?: number }): BpeTokenizer;
  static fromJSON(json: { alphabet: string[]; merges: [string, string][] }): BpeTokenizer;
  constructor(model: { alphabet: string[]; merges: [string, string][] });
  /** Pieces; characters outside the alphabet as byte symbols '<0xE2>'. Lossless, never UNK. */
  tokenize(text: string): string[];
  /** Pieces -> text (byte runs decoded as UTF-8, '<unk>' as U+FFFD). */
  detokenize(pieces: string[]): string;
  /** The vocabulary after the 4 specials: 256 byte symbols, the alphabet, the merged pieces. */
  readonly symbols: string[];
  readonly vocabularySize: number;
  readonly mergeCount: number;
  toJSON(): { alphabet: string[]; merges: [string, string][] };
}
/** A piece as shown to people: spaces as '▁'. */
export function displayPiece(piece: string): string;

export const PAD: 0;
export const BOS: 1;
export const EOS: 2;
export const UNK: 3;
/** ['<pad>', '<s>', '</s>', '<unk>'] */
export const SPECIAL_SYMBOLS: readonly string[];
/** Longest source or target in symbols (1024). */
export const MAX_SEQUENCE_LENGTH: number;
/** Largest vocabulary, specials included (65536). */
export const MAX_VOCABULARY_SIZE: number;

export interface UnknownSymbol {
  symbol: string;
  /** Position in the tokenized source. */
  index: number;
}

export class Vocabulary {
  /** symbols: the entries after the four specials, in id order (id = index + 4). */
  constructor(symbols: string[]);
  /** Most frequent first, ties in order of first appearance. maxSize counts the specials. */
  static fromTexts(texts: Iterable<string>, tokenizer: Tokenizer, options?: { maxSize?: number; minCount?: number }): Vocabulary;
  static fromJSON(json: string[]): Vocabulary;
  /** Entries including the four specials. */
  readonly size: number;
  readonly symbols: string[];
  /** The id of a symbol, or UNK. */
  id(symbol: string): number;
  has(symbol: string): boolean;
  symbol(id: number): string;
  encode(symbols: string[]): { ids: Int32Array; unknown: UnknownSymbol[] };
  /** Stops at the first EOS, skips PAD and BOS. */
  decode(ids: ArrayLike<number>): string[];
  toJSON(): string[];
}

// ---------------------------------------------------------------------------------------------
// Tasks (lib/tasks/)

/** A [source, target] pair as the tasks return them. */
export type Pair = [source: string, target: string];
/**
 * A pair as you may pass it: a tuple, or an array literal such as `['hello', 'bonjour']` that
 * TypeScript types as string[]. Each entry is checked at run time (two strings; an Error with
 * code BAD_ARGUMENT names the first one that is not).
 */
export type PairInput = readonly [source: string, target: string, ...rest: unknown[]] | readonly string[];

export interface Task {
  name: string;
  description: string;
  tokenizer: TokenizerOption;
  /** The options the task was generated with (defaults filled in). */
  options: Record<string, unknown>;
  train: Pair[];
  /** Shares no source with train. */
  test: Pair[];
}

export interface TaskSizeOptions {
  seed?: number;
  trainSize?: number;
  testSize?: number;
}

export interface SequenceTaskOptions extends TaskSizeOptions {
  minLength?: number;
  maxLength?: number;
  /** A string of distinct characters or an array of single characters (default "abcdefghij"). */
  alphabet?: string | string[];
}

export interface TSVOptions {
  name?: string;
  seed?: number;
  /** Share of distinct sources held out for test (default 0.1). */
  testFraction?: number;
  tokenizer?: TokenizerOption;
  maxBytes?: number;
  maxPairs?: number;
  maxFieldLength?: number;
  /** 0-based source and target columns (default [0, 1]; [1, 3] for Tatoeba's id/sentence/id/translation files). */
  columns?: [number, number];
}

export const tasks: {
  /** Dates 1950-2050 in 20 formats -> ISO YYYY-MM-DD (char). Defaults 10000/1000. */
  dates(options?: TaskSizeOptions): Task;
  /** Corrupted English -> clean English (char). Defaults 10000/1000, maxWords 3. */
  scrambled(options?: TaskSizeOptions & { maxWords?: number }): Task;
  /** English -> French phrases from a grammar (word). Defaults 10000/1000. */
  'en-fr'(options?: TaskSizeOptions): Task;
  enFr(options?: TaskSizeOptions): Task;
  /** Defaults 5000/500, lengths 3-10, alphabet "abcdefghij". */
  reverse(options?: SequenceTaskOptions): Task;
  sort(options?: SequenceTaskOptions): Task;
  copy(options?: SequenceTaskOptions): Task;
  /** A task from tab-separated pairs (UTF-8; extra columns ignored); errors name the line. */
  fromTSV(input: string | Uint8Array | ArrayBuffer, options?: TSVOptions): Task;
  /** Default limits of fromTSV/parseTSV: maxBytes 64 MiB, maxPairs 1000000, maxFieldLength 1000. */
  readonly TSV_LIMITS: { readonly maxBytes: number; readonly maxPairs: number; readonly maxFieldLength: number };
  parseTSV(input: string | Uint8Array | ArrayBuffer, limits?: { maxBytes?: number; maxPairs?: number; maxFieldLength?: number; columns?: [number, number] }): Pair[];
};
export const taskNames: readonly ['dates', 'scrambled', 'en-fr', 'reverse', 'sort', 'copy'];
export function generateTask(name: string, options?: SequenceTaskOptions & { maxWords?: number }): Task;

// ---------------------------------------------------------------------------------------------
// Metrics (lib/metrics.js)

/** Fraction (0..1) of hypotheses equal to their reference. */
export function exactMatch(hypotheses: (string | string[])[], references: (string | string[])[]): number;
/** Matching positions / sum of max(|hyp|, |ref|), 0..1. */
export function tokenAccuracy(hypotheses: string[][], references: string[][]): number;
/** sacreBLEU's corpus BLEU (0..100) on these tokens (= tokenize='none' on the space-joined tokens). */
export function corpusBleu(hypotheses: string[][], references: string[][], options?: { maxOrder?: number }): {
  score: number;
  precisions: number[];
  brevityPenalty: number;
  systemLength: number;
  referenceLength: number;
  matches: number[];
  totals: number[];
};
/** sacreBLEU's corpus chrF (0..100): character 6-grams, beta 2, whitespace removed. */
export function chrF(hypotheses: string[], references: string[], options?: { order?: number; beta?: number }): {
  score: number;
  precision: number;
  recall: number;
};

// ---------------------------------------------------------------------------------------------
// Translator (lib/translator.js)

export interface TranslatorOptions {
  /** Training pairs: the vocabularies are built from them. */
  pairs: readonly PairInput[];
  tokenizer?: TokenizerOption;
  cell?: Cell;
  attention?: Attention;
  scale?: boolean;
  embed?: number;
  hidden?: number;
  attentionSize?: number;
  seed?: number;
  backend?: BackendChoice;
  /** Per vocabulary, specials included (default 65536). */
  maxVocabularySize?: number;
  /** Symbols seen fewer times become UNK (default 1). */
  minCount?: number;
  /** 'bpe' sides: the vocabulary size, specials and 256 byte symbols included (261..65536, default 2000). */
  vocabSize?: number | { source?: number; target?: number };
  /** 'bpe' on both sides: one tokenizer and vocabulary learned from both sides (default false). */
  sharedVocabulary?: boolean;
  /** Any JSON object, saved in the model file and returned by `info`. */
  info?: Record<string, unknown> | null;
}

export interface Scores {
  /** 0..1 */
  exactMatch: number;
  /** 0..1 */
  tokenAccuracy: number;
  /** 0..100, sacreBLEU's corpus BLEU on the target tokenizer's tokens */
  bleu: number;
  /** 0..100, sacreBLEU's chrF on the texts */
  chrf: number;
  count: number;
  /** Up to 10 wrong outputs. */
  mistakes: { source: string; reference: string; output: string }[];
}

export interface Progress {
  step: number;
  totalSteps: number;
  /** 1-based epoch the step belongs to. */
  epoch: number;
  /** Loss of this step's batch (before its update). */
  loss: number;
  learningRate: number;
  examplesPerSecond: number;
  /** Source plus target tokens (EOS included) per second. */
  tokensPerSecond: number;
  elapsedMs: number;
  /** Present on the steps where held-out evaluation ran. */
  eval?: Scores;
  /** Threads computing gradients (1: this one only) and how gradients move between them. */
  workers: number;
  transport: Transport;
}

/** 'shared': SharedArrayBuffer; 'transfer': transferred ArrayBuffers; 'none': one thread. */
export type Transport = 'shared' | 'transfer' | 'none';

export interface TrainOptions {
  /** Passes over the pairs (default 10); or give steps. */
  epochs?: number;
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  /** 'cosine': learningRate * (1 + cos(pi * step / total)) / 2. */
  schedule?: 'constant' | 'cosine' | ((step: number, totalSteps: number) => number);
  /** Global gradient-norm clipping; 0 for none (default 5). */
  clipNorm?: number;
  shuffleSeed?: number;
  /** Batch pairs of similar length together (default true). */
  bucket?: boolean;
  evaluate?: { pairs: readonly PairInput[]; every?: number; beam?: number; maxLength?: number };
  onProgress?: (progress: Progress) => void;
  /** Stop after the current step. */
  signal?: AbortSignal;
  /** Threads training data-parallel: 'auto' (default: the cores, at most 8 and the shards of a batch) or 1..256. */
  workers?: number | 'auto';
  /** Examples per shard (default min(16, batchSize)); decides the arithmetic, the worker count does not. */
  shardSize?: number;
  transport?: 'auto' | 'shared' | 'transfer';
  /** Where lib/worker.js is served (the pool's workers). */
  workerUrl?: string | URL;
  /** Go on from a TrainingSession's state() (Translator#session only). */
  resume?: SessionState;
}

/** A resumable training run (lib/session.js): Translator#session. */
export interface TrainingSession {
  readonly step: number;
  readonly totalSteps: number;
  readonly done: boolean;
  readonly running: boolean;
  readonly workers: number | null;
  readonly transport: Transport | null;
  run(limits?: { maxSteps?: number; maxMs?: number; signal?: AbortSignal; onProgress?: (progress: Progress) => void }): Promise<TrainReport & { done: boolean }>;
  pause(): void;
  state(): SessionState;
  evaluate(pairs: readonly PairInput[], options?: { beam?: number; maxLength?: number }): Scores;
  close(): Promise<void> | undefined;
}

export interface TrainReport {
  steps: number;
  /** May be fractional when training by steps. */
  epochs: number;
  loss: number;
  elapsedMs: number;
  stopped: boolean;
  history: { step: number; loss: number; eval?: Scores }[];
  workers: number;
  transport: Transport;
  shardSize: number;
}

export interface TranslateOptions {
  beam?: number;
  nBest?: number;
  /** Default max(50, 2 * source symbols + 10), at most 1024. */
  maxLength?: number;
  lengthPenalty?: number;
}

export interface Translation {
  text: string;
  /** Output symbols, without EOS. */
  tokens: string[];
  /** Output token ids, with EOS when decoding ended there. */
  ids: Int32Array;
  score: number;
  logProb: number;
  attention: {
    /** [rows * cols], row-major. */
    weights: Float32Array;
    rows: number;
    cols: number;
    /** The source symbols (cols). */
    source: string[];
    /** The output symbols including '</s>' (rows). */
    target: string[];
  };
  /** Source symbols read as UNK. */
  unknown: UnknownSymbol[];
  nBest: { text: string; score: number; logProb: number }[];
}

export interface Explanation {
  source: string[];
  target: string[];
  text: string;
  unknown: UnknownSymbol[];
  steps: (TraceStep & { symbol: string; top: { symbol: string; p: number }[] })[];
}

/** A TrainingSession's state() (lib/session.js; its fields are listed in docs/model-format.md, "Checkpoints"). */
export type SessionState = Record<string, unknown> & { format: 'seq2seq-attention/session'; version: number; step: number; totalSteps: number };

/** The JSON section of a checkpoint. */
export interface CheckpointState {
  format: 'seq2seq-attention/checkpoint';
  version: 1;
  savedAt: string;
  backend: Backend;
  session: SessionState | null;
  app: Record<string, unknown> | null;
}

/** Seals a checkpoint from a model file, Adam's state and the JSON state. */
export declare function encodeCheckpoint(parts: { model: Uint8Array; optimizer: OptimizerState; state: CheckpointState }): Uint8Array;
/** Checks a checkpoint (all but the model file inside, which Seq2Seq.load checks) and returns its parts. */
export declare function decodeCheckpoint(bytes: Uint8Array | ArrayBuffer): { model: Uint8Array; optimizer: OptimizerState; state: CheckpointState };
/** Sizes a checkpoint may have. */
export declare const CHECKPOINT_LIMITS: { readonly maxBytes: number; readonly maxModelBytes: number; readonly maxParameters: number; readonly maxStateBytes: number };

export class Translator {
  static create(options: TranslatorOptions): Promise<Translator>;
  static load(bytes: Uint8Array | ArrayBuffer, options?: { backend?: BackendChoice }): Promise<Translator>;
  /** A checkpoint's model with Adam's state restored, its session state (train's or session's `resume`) and app object. */
  static loadCheckpoint(bytes: Uint8Array | ArrayBuffer, options?: { backend?: BackendChoice }): Promise<{ translator: Translator; session: SessionState | null; app: Record<string, unknown> | null; savedAt: string; backend: Backend }>;
  readonly backend: Backend;
  readonly config: Readonly<ModelConfig>;
  readonly tokenizer: { source: TokenizerName; target: TokenizerName };
  /** The tokenizer objects; for 'bpe' the learned BpeTokenizer (the same object on both sides when shared). */
  readonly tokenizers: { source: Tokenizer; target: Tokenizer; shared: boolean };
  readonly sourceVocabulary: Vocabulary;
  readonly targetVocabulary: Vocabulary;
  readonly info: Record<string, unknown> | null;
  /** The low-level model. */
  readonly core: Seq2Seq;
  readonly stepCount: number;
  /** Tokenizes a source text; throws on empty or too long text. */
  encodeSource(text: string): { symbols: string[]; ids: Int32Array; unknown: UnknownSymbol[] };
  train(pairs: readonly PairInput[], options?: TrainOptions): Promise<TrainReport>;
  /** A resumable training run on pairs (options as train's, plus resume). */
  session(pairs: readonly PairInput[], options?: TrainOptions): TrainingSession;
  translate(text: string, options?: TranslateOptions): Translation;
  translateBatch(texts: string[], options?: TranslateOptions): Translation[];
  explain(text: string, options?: { maxLength?: number; top?: number }): Explanation;
  evaluate(pairs: readonly PairInput[], options?: { beam?: number; maxLength?: number }): Scores;
  save(): Uint8Array;
  /** Model file + Adam's state + a session's state (or null between runs) + app, sealed. */
  checkpoint(parts?: { session?: SessionState | { state(): SessionState } | null; app?: Record<string, unknown> | null }): Uint8Array;
  dispose(): void;
}

// ---------------------------------------------------------------------------------------------
// Web Worker wrapper (lib/worker-client.js, lib/worker.js)

export interface WorkerOptions {
  /** Where lib/worker.js is served (default: next to worker-client.js). */
  workerUrl?: string | URL;
}

export class TranslatorWorker {
  static create(options: TranslatorOptions, workerOptions?: WorkerOptions): Promise<TranslatorWorker>;
  static load(bytes: Uint8Array | ArrayBuffer, options?: { backend?: BackendChoice }, workerOptions?: WorkerOptions): Promise<TranslatorWorker>;
  /** A checkpoint loaded in a new worker (as Translator.loadCheckpoint). */
  static loadCheckpoint(bytes: Uint8Array | ArrayBuffer, options?: { backend?: BackendChoice }, workerOptions?: WorkerOptions): Promise<{ remote: TranslatorWorker; session: SessionState | null; app: Record<string, unknown> | null; savedAt: string; backend: Backend }>;
  readonly backend: Backend;
  readonly config: Readonly<ModelConfig>;
  readonly tokenizer: { source: TokenizerName; target: TokenizerName };
  readonly info: Record<string, unknown> | null;
  readonly stepCount: number;
  readonly sourceSymbols: string[];
  readonly targetSymbols: string[];
  train(pairs: readonly PairInput[], options?: TrainOptions): Promise<TrainReport>;
  /** Stops a running train (or runSession) after its current step. */
  stop(): Promise<void>;
  /** Starts a resumable session in the worker (the pairs cross once) -> its state. */
  startSession(pairs: readonly PairInput[], options?: Omit<TrainOptions, 'onProgress' | 'signal'>): Promise<SessionState>;
  runSession(limits?: { maxSteps?: number; maxMs?: number }, options?: { onProgress?: (progress: Progress) => void; signal?: AbortSignal }): Promise<TrainReport & { done: boolean; state: SessionState }>;
  sessionState(): Promise<SessionState>;
  closeSession(): Promise<void>;
  translate(text: string, options?: TranslateOptions): Promise<Translation>;
  translateBatch(texts: string[], options?: TranslateOptions): Promise<Translation[]>;
  explain(text: string, options?: { maxLength?: number; top?: number }): Promise<Explanation>;
  evaluate(pairs: readonly PairInput[], options?: { beam?: number; maxLength?: number }): Promise<Scores>;
  save(): Promise<Uint8Array>;
  /** A checkpoint (as Translator#checkpoint); session: a state from sessionState(), or null. */
  checkpoint(parts?: { session?: SessionState | null; app?: Record<string, unknown> | null }): Promise<Uint8Array>;
  /** Frees the model and ends the worker. */
  dispose(): Promise<void>;
  /** Ends the worker at once. */
  terminate(): void;
}
