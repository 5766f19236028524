// wasm.js: finds, compiles and instantiates the core's WebAssembly builds (build/wasm/*.wasm).
// Works in Node (reads the file), in browser pages and in Web Workers (fetches it). Each model
// gets its own instance, so disposing a model returns all of its memory; compiled modules are
// cached per backend. The bytes are read through '#platform' (lib/node/platform.js in Node,
// lib/browser/platform.js elsewhere), so browser bundles never see a Node built-in.

import { readBytes } from '#platform';
import { fail } from './errors.js';

const WASM_URLS = {
  simd: new URL('../build/wasm/s2s-simd.wasm', import.meta.url),
  scalar: new URL('../build/wasm/s2s-scalar.wasm', import.meta.url),
  fma: new URL('../build/wasm/s2s-fma.wasm', import.meta.url),
};
const BACKENDS = ['auto', 'simd', 'scalar', 'fma'];

// The smallest module that uses a SIMD instruction (v128.const; drop): validates only where
// WebAssembly SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 11,
]);

// The same with relaxed SIMD (three v128.const; f32x4.relaxed_madd; drop): validates only where
// WebAssembly relaxed SIMD is supported (Chromium; Node 20 with --experimental-wasm-relaxed-simd).
const zeros = (n) => new Array(n).fill(0);
const V128_ZERO = [253, 12, ...zeros(16)];
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 62, 1, 60, 0,
  ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 253, 133, 2, 26, 11,
]);

function validates(bytes) {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** True when this runtime can run WebAssembly SIMD. */
export function simdSupported() {
  return validates(SIMD_PROBE);
}

/** True when this runtime can run WebAssembly relaxed SIMD (what backend 'fma' needs). */
export function fmaSupported() {
  return simdSupported() && validates(RELAXED_PROBE);
}

/**
 * Resolves 'auto' | 'simd' | 'scalar' | 'fma' to the build to use; throws on anything else.
 * 'auto' picks only builds whose results are the same bit for bit everywhere (SIMD, else scalar);
 * 'fma' (fused multiply-add through relaxed SIMD: faster, rounds differently) must be asked for.
 */
export function resolveBackend(backend = 'auto') {
  if (backend === 'auto') return simdSupported() ? 'simd' : 'scalar';
  if (backend === 'simd') {
    if (!simdSupported())
      throw fail("backend 'simd' was asked for, but this runtime has no WebAssembly SIMD: use 'auto' or 'scalar'");
    return 'simd';
  }
  if (backend === 'fma') {
    if (!fmaSupported())
      throw fail("backend 'fma' was asked for, but this runtime has no WebAssembly relaxed SIMD " +
        "(Node 20 needs --experimental-wasm-relaxed-simd; Chromium has it): use 'auto', 'simd' or 'scalar'");
    return 'fma';
  }
  if (backend === 'scalar') return 'scalar';
  throw fail(`unknown backend ${JSON.stringify(backend)}: use ${BACKENDS.map((b) => `'${b}'`).join(', ')}`);
}

const modules = new Map();

function compiled(backend) {
  if (!modules.has(backend)) {
    const promise = readBytes(WASM_URLS[backend]).then((bytes) => WebAssembly.compile(bytes));
    promise.catch(() => modules.delete(backend)); // a failed load may be retried
    modules.set(backend, promise);
  }
  return modules.get(backend);
}

/**
 * A fresh instance of the chosen build.
 * @returns {Promise<{ exports: object, memory: WebAssembly.Memory, backend: 'simd'|'scalar' }>}
 */
export async function instantiate(backend) {
  const module = await compiled(backend);
  const instance = await WebAssembly.instantiate(module, {
    env: { emscripten_notify_memory_growth() {} },
  });
  const exports = instance.exports;
  if (exports._initialize) exports._initialize();
  return { exports, memory: exports.memory, backend };
}
