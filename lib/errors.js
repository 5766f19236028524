// errors.js: the one way the library reports a problem: an Error whose `code` says what kind
// (docs/library.md, "Every entry point checks its input") and whose message says what to do;
// and the number checks the friendly layer (translator.js, session.js) shares.

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

/** `value` when it is an integer in [min, max]; else a BAD_ARGUMENT Error naming the option. */
export function integer(value, name, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw fail(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` when it is a finite number > 0 (>= 0 with allowZero); else a BAD_ARGUMENT Error. */
export function positiveNumber(value, name, { allowZero = false } = {}) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw fail(`${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${JSON.stringify(value)}`);
  }
  return value;
}
