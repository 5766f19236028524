// limits.js: the core's bounds, written by scripts/limits.js from c_src/s2s.h (S2S_MIN_*,
// S2S_MAX_*). Do not edit: change the header and run `make limits`.

/** smallest vocabulary: the 4 special tokens and 1 symbol */
export const MIN_VOCAB = 5;
/** largest vocabulary, the special tokens included */
export const MAX_VOCAB = 65536;
/** embedding size */
export const MAX_EMBED = 1024;
/** hidden size */
export const MAX_HIDDEN = 1024;
/** attention size */
export const MAX_ATTN = 1024;
/** sequences in one training batch */
export const MAX_BATCH = 4096;
/** source or target length, in tokens */
export const MAX_LENGTH = 1024;
/** beam width */
export const MAX_BEAM = 64;
/** floats in all parameters */
export const MAX_PARAMS = 67108864;
/** bytes of activations for one batch */
export const MAX_WORKSPACE = 1073741824;
/** bytes of a model file */
export const MAX_FILE = 1073741824;
/** bytes of metadata in a model file */
export const MAX_META = 16777216;
