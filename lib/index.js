// index.js: the package entry. The low-level Seq2Seq (lib/core.js, docs/design.md's contract), the
// friendly Translator, checkpoints, its Web Worker twin, the built-in tasks, tokenizers and metrics.

export { Seq2Seq } from './core.js';
export { Translator } from './translator.js';
export { encodeCheckpoint, decodeCheckpoint, CHECKPOINT_LIMITS } from './checkpoint.js';
export { TranslatorWorker } from './worker-client.js';
export { tasks, taskNames, generateTask } from './tasks/index.js';
export {
  Vocabulary, charTokenizer, wordTokenizer, getTokenizer, PAD, BOS, EOS, UNK, SPECIAL_SYMBOLS,
  MAX_SEQUENCE_LENGTH, MAX_VOCABULARY_SIZE,
} from './text.js';
export { BpeTokenizer, displayPiece } from './bpe.js';
export { exactMatch, tokenAccuracy, corpusBleu, chrF } from './metrics.js';
