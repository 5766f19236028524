// browser/platform.js: what lib/ needs from the platform, for browsers, Web Workers and every
// bundler's browser build. lib/ imports it as '#platform'; package.json's "imports" maps that to
// this file under the "browser" and "default" conditions and to lib/node/platform.js under
// "node", so a browser bundle never sees a Node built-in. lib/node/platform.js has the same exports.
//
// Nothing here uses top-level await or a dynamic import: Vite bundles workers as one IIFE file,
// which can have neither.

/** Which platform this file serves: 'browser' (here) or 'node'. */
export const PLATFORM = 'browser';

/**
 * The bytes of a file the library ships (the wasm builds), by URL.
 * @param {URL} url
 * @returns {Promise<Uint8Array>}
 */
export async function readBytes(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`cannot fetch ${url}: ${e.message}. Serve the package's build/wasm/ beside lib/ (a bundler copies it when it sees new URL(..., import.meta.url)).`);
  }
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}. Serve the package's build/wasm/ beside lib/.`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Starts a module Web Worker running lib/worker.js (or `workerUrl`) and returns a port:
 * { post(message, transfer), listen(onMessage, onFailure), terminate() }.
 * The default is written as `new Worker(new URL('../worker.js', import.meta.url), ...)` on
 * purpose: Vite and webpack recognise exactly that form and bundle the worker with its imports.
 * @param {string|URL} [workerUrl]
 */
export function startWorker(workerUrl) {
  if (typeof Worker !== 'function') {
    throw new Error('this runtime has no Web Worker: use Translator on this thread instead of TranslatorWorker');
  }
  const worker = workerUrl === undefined
    ? new Worker(new URL('../worker.js', import.meta.url), { type: 'module' })
    : new Worker(workerUrl, { type: 'module' });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer ?? []),
    listen(onMessage, onFailure) {
      worker.addEventListener('message', (event) => onMessage(event.data));
      worker.addEventListener('messageerror', () => onFailure(new Error('a message from the worker could not be read')));
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        onFailure(new Error(`the worker failed: ${event.message ?? 'see the console'} (is workerUrl right?)`));
      });
    },
    terminate: () => worker.terminate(),
  };
}

/**
 * Inside a worker: the port to whoever started it, { post(message, transfer), listen(onMessage) }.
 * Throws outside a dedicated worker.
 */
export function parentPort() {
  if (typeof WorkerGlobalScope === 'undefined' || typeof self === 'undefined' || typeof self.postMessage !== 'function') {
    throw new Error('lib/worker.js runs inside a Web Worker; on a page use TranslatorWorker (lib/worker-client.js)');
  }
  return {
    post: (message, transfer) => self.postMessage(message, transfer ?? []),
    listen(onMessage) {
      self.addEventListener('message', (event) => onMessage(event.data));
    },
  };
}

/** How many threads can usefully run at once here (navigator.hardwareConcurrency; 1 if unknown). */
export function availableCores() {
  return (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 1;
}
