// storage.js: remembers the current model across reloads in IndexedDB (one record: the model
// file's bytes plus what the page needs to show it again). Failures (private mode, quota, a
// browser without IndexedDB) are reported to the caller, never thrown past it.

const DB_NAME = 'seq2seq-attention';
const STORE = 'models';
const KEY = 'current';

function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser has no IndexedDB'));
      return;
    }
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error || new Error('IndexedDB could not be opened'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

async function run(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error || new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** record: { bytes: Uint8Array, savedAt: number, name: string, info: object } */
export function saveModelRecord(record) {
  return run('readwrite', (store) => store.put(record, KEY));
}

/** -> the record or undefined */
export function loadModelRecord() {
  return run('readonly', (store) => store.get(KEY));
}

export function forgetModelRecord() {
  return run('readwrite', (store) => store.delete(KEY));
}
