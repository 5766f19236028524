// data-worker.js: makes the page's data off the main thread. Generating a built-in task
// (10,000 pairs) or parsing a large TSV file takes longer than a frame, so it runs here and the
// page only receives the finished pairs. Messages: { id, kind: 'names' | 'task' | 'tsv', ... };
// replies: { id, result } or { id, error }.

import { tasks, taskNames } from '../lib/tasks/index.js';

self.onmessage = (event) => {
  const { id, kind, name, options, bytes } = event.data;
  try {
    let result;
    if (kind === 'names') {
      result = [...taskNames];
    } else if (kind === 'task') {
      if (!taskNames.includes(name)) throw new Error(`there is no built-in task called “${name}”`);
      result = tasks[name](options);
    } else if (kind === 'tsv') {
      result = tasks.fromTSV(bytes, options);
    } else {
      throw new Error(`unknown request ${kind}`);
    }
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: err && err.message ? err.message : String(err) });
  }
};
