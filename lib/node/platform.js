// node/platform.js: what lib/ needs from the platform, for Node.js (package.json's "imports"
// maps '#platform' here under the "node" condition; lib/browser/platform.js has the same exports
// and says why). The only file of the library besides bin/ that imports Node built-ins.

import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Worker, parentPort as threadPort } from 'node:worker_threads';

/** Which platform this file serves: 'node' (here) or 'browser'. */
export const PLATFORM = 'node';

/**
 * The bytes of a file the library ships (the wasm builds): read from disk for a file: URL,
 * fetched otherwise (Node's fetch cannot read file: URLs).
 * @param {URL} url
 * @returns {Promise<Uint8Array>}
 */
export async function readBytes(url) {
  if (url.protocol === 'file:') {
    try {
      return new Uint8Array(await readFile(url));
    } catch (e) {
      throw new Error(`cannot read ${url.pathname}: ${e.message}. Build it with \`make wasm\` (or \`npm run build\`).`);
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Starts a worker thread running lib/worker.js (or `workerUrl`) and returns a port:
 * { post(message, transfer), listen(onMessage, onFailure), terminate() }.
 * @param {string|URL} [workerUrl]
 */
export function startWorker(workerUrl) {
  const worker = new Worker(workerUrl ?? new URL('../worker.js', import.meta.url));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer ?? []),
    listen(onMessage, onFailure) {
      worker.on('message', onMessage);
      worker.on('error', (error) => onFailure(new Error(`the worker failed: ${error.message}`)));
      worker.on('exit', (code) => onFailure(new Error(`the worker stopped (exit code ${code})`)));
    },
    terminate: () => worker.terminate(),
  };
}

/**
 * Inside a worker thread: the port to the thread that started it, { post(message, transfer),
 * listen(onMessage) }. Throws on the main thread.
 */
export function parentPort() {
  if (!threadPort) throw new Error('lib/worker.js runs inside a worker; use TranslatorWorker (lib/worker-client.js)');
  return {
    post: (message, transfer) => threadPort.postMessage(message, transfer ?? []),
    listen(onMessage) {
      threadPort.on('message', onMessage);
    },
  };
}

/** How many threads can usefully run at once here (os.availableParallelism, Node >= 18.14). */
export function availableCores() {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
