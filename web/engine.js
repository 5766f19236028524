// engine.js: the page's one door to the library. It loads the library's modules (so a missing
// build shows as a message, not a blank page) and makes TranslatorWorker instances, each
// running its own model in a Web Worker (lib/worker.js).

let lib = null;

/** -> { tasks, TranslatorWorker } */
export async function loadLibrary() {
  if (lib) return lib;
  const [{ tasks }, { TranslatorWorker }] = await Promise.all([
    import('../lib/index.js'),
    import('../lib/worker-client.js'),
  ]);
  lib = { tasks, TranslatorWorker };
  return lib;
}

const workerUrl = new URL('../lib/worker.js', import.meta.url);

/** A new model in a new worker; options as Translator.create's (docs/api.md). */
export async function createRemote(options) {
  const { TranslatorWorker } = await loadLibrary();
  return TranslatorWorker.create(options, { workerUrl });
}

/** A model from a model file's bytes, in a new worker. Throws an Error saying what is wrong. */
export async function loadRemote(bytes) {
  const { TranslatorWorker } = await loadLibrary();
  return TranslatorWorker.load(bytes, { backend: 'auto' }, { workerUrl });
}
