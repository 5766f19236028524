// errors.js: the one way the library reports a problem: an Error whose `code` says what kind
// (docs/library.md, "Every entry point checks its input") and whose message says what to do.

/** Every code an Error from the library can carry. */
export const ERROR_CODES = Object.freeze(['BAD_ARGUMENT', 'LIMIT', 'BAD_FILE', 'DIVERGED', 'DISPOSED', 'NO_MEMORY',
  'WORKER_FAILED', 'WORKER_STOPPED']);

/**
 * A new Error with `code` (one of ERROR_CODES) and any extra fields (`step`, `report`, ...).
 * @param {string} message what is wrong and what to do
 * @param {string} [code]
 * @param {object} [extra]
 */
export function fail(message, code = 'BAD_ARGUMENT', extra = {}) {
  if (!ERROR_CODES.includes(code)) throw new Error(`internal: unknown error code ${code} for "${message}"`);
  const error = new Error(message);
  error.code = code;
  return Object.assign(error, extra);
}
