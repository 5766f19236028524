// rpc.js: the one way lib/ talks to its workers (Node worker_threads and Web Workers alike): calls
// by method name over postMessage, with results, errors and a running call's events coming back.
// TranslatorWorker (worker-client.js <-> worker.js) and the data-parallel pool (pool.js) both use
// it. No platform code here: a port is any { post(message, transfer), listen(onMessage, onFailure),
// terminate() } (lib/node/platform.js and lib/browser/platform.js make them).
//
// The protocol, defined here and nowhere else. Every message is a plain object with rpc: 1.
//   call     { rpc: 1, id, method, args }            client -> worker
//   result   { rpc: 1, id, result }                  worker -> client, ends the call
//   error    { rpc: 1, id, error: { message, code, step, report, name } }   ends the call
//   event    { rpc: 1, id, event }                   worker -> client, while the call runs
// Calls run one at a time in arrival order, except the methods a server names `immediate`, which
// run as soon as they arrive (stop and pause, so they can interrupt a long call). Nothing moves
// unless asked: transferables are given explicitly, with transfer(value, list) on either side.

const PROTOCOL = 1;
const ERROR_FIELDS = ['code', 'step', 'report', 'worker', 'reason', 'weightsUsable'];

/** A value to send with the ArrayBuffers (or MessagePorts) in `list` transferred, not copied. */
export class Transfer {
  constructor(value, list) {
    if (!Array.isArray(list)) throw new TypeError('transfer(value, list): list must be an array of transferables');
    this.value = value;
    this.list = list;
  }
}

/** Marks `value` to be posted with the transferables in `list` moved instead of copied. */
export const transfer = (value, list) => new Transfer(value, list);

function unwrap(value) {
  return value instanceof Transfer ? [value.value, value.list] : [value, []];
}

/** An Error as plain data that survives postMessage (structured clone keeps no own fields of Errors everywhere). */
export function errorToData(error) {
  const data = { message: String(error?.message ?? error), name: error?.name ?? 'Error' };
  for (const key of ERROR_FIELDS) {
    if (error?.[key] === undefined) continue;
    try {
      data[key] = structuredClone(error[key]);
    } catch {
      // not cloneable (a function in a report): leave it out
    }
  }
  return data;
}

/** The Error that errorToData described. */
export function dataToError(data) {
  const error = new Error(typeof data?.message === 'string' ? data.message : 'the worker failed without a message');
  for (const key of ERROR_FIELDS) if (data?.[key] !== undefined) error[key] = data[key];
  return error;
}

/**
 * Serves `methods` on `port` (inside a worker). Each method is called as
 * `methods[name](context, ...args)`; context.emit(event, transfer?) sends an event to the
 * caller while the call runs. A method may return transfer(value, list).
 * @param {{post: Function, listen: Function}} port
 * @param {Record<string, Function>} methods
 * @param {{immediate?: string[]}} [options]
 */
export function serve(port, methods, { immediate = [] } = {}) {
  let queue = Promise.resolve();
  const run = async (id, method, args) => {
    const context = {
      id,
      emit(event, list = []) {
        port.post({ rpc: PROTOCOL, id, event }, list);
      },
    };
    try {
      if (!Object.hasOwn(methods, method)) throw new Error(`unknown worker method ${JSON.stringify(method)}`);
      const [result, list] = unwrap(await methods[method](context, ...args));
      port.post({ rpc: PROTOCOL, id, result }, list);
    } catch (error) {
      port.post({ rpc: PROTOCOL, id, error: errorToData(error) });
    }
  };
  port.listen((message) => {
    if (message?.rpc !== PROTOCOL || !Number.isInteger(message.id) || typeof message.method !== 'string') return;
    const args = Array.isArray(message.args) ? message.args : [];
    if (immediate.includes(message.method)) {
      run(message.id, message.method, args);
      return;
    }
    queue = queue.then(() => run(message.id, message.method, args));
  });
}

/** The calling side: call(method, args, { transfer, onEvent }) -> Promise of the result. */
export class RpcClient {
  #port;
  #nextId = 1;
  #pending = new Map();
  #failure = null;
  #name;

  /**
   * @param {{post: Function, listen: Function, terminate: Function}} port
   * @param {{name?: string}} [options] name: how errors call this worker ('worker 2 of 4')
   */
  constructor(port, { name = 'the worker' } = {}) {
    this.#port = port;
    this.#name = name;
    port.listen((message) => this.#receive(message), (error) => this.fail(error));
  }

  /** The Error that ended this worker, or null while it runs. */
  get failure() { return this.#failure; }
  /** Calls in flight. */
  get pending() { return this.#pending.size; }

  #receive(message) {
    if (message?.rpc !== PROTOCOL) return;
    const call = this.#pending.get(message.id);
    if (!call) return;
    if ('event' in message) {
      try {
        call.onEvent?.(message.event);
      } catch (error) {
        console.error(error); // a throwing listener must not end the call
      }
      return;
    }
    this.#pending.delete(message.id);
    if ('error' in message) call.reject(dataToError(message.error));
    else call.resolve(message.result);
  }

  /**
   * Calls `method` in the worker.
   * @param {string} method
   * @param {any[]} [args]
   * @param {{transfer?: Transferable[], onEvent?: (event: any) => void}} [options]
   */
  call(method, args = [], { transfer: list = [], onEvent } = {}) {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onEvent });
      try {
        this.#port.post({ rpc: PROTOCOL, id, method, args }, list);
      } catch (error) {
        this.#pending.delete(id);
        reject(error);
      }
    });
  }

  /** Ends every pending call with `error` (and every later one); the first failure is kept. */
  fail(error) {
    if (this.#failure) return;
    this.#failure = error instanceof Error ? error : new Error(String(error));
    if (!this.#failure.message.includes(this.#name)) this.#failure.message = `${this.#name}: ${this.#failure.message}`;
    for (const call of this.#pending.values()) call.reject(this.#failure);
    this.#pending.clear();
  }

  /** Ends the worker at once; pending calls reject. */
  terminate(reason = 'it was terminated') {
    this.fail(Object.assign(new Error(`${this.#name} stopped: ${reason}`), { code: 'WORKER_STOPPED' }));
    return this.#port.terminate();
  }
}
