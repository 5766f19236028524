// data-worker.js: makes the page's data off the main thread. Generating a built-in task
// (10,000 pairs) or parsing a large TSV file takes longer than a frame, so it runs here and the
// page only receives the finished pairs. Served over lib/rpc.js (the library's one worker
// protocol): names(), task(name, options), tsv(bytes, options).

import { tasks, taskNames } from '../lib/tasks/index.js';
import { serve } from '../lib/rpc.js';
import { parentPort } from '../lib/browser/platform.js';

serve(parentPort(), {
  names: () => [...taskNames],
  task(context, name, options) {
    if (!taskNames.includes(name)) throw new Error(`there is no built-in task called “${name}”`);
    return tasks[name](options);
  },
  tsv(context, bytes, options) {
    const task = tasks.fromTSV(bytes, options);
    return { ...task, stats: tasks.describePairs(task.train.concat(task.test)) }; // web/corpus.js shows them
  },
});
