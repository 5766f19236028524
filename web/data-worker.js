// data-worker.js: makes the page's data off the main thread. Generating a built-in task
// (10,000 pairs) or parsing a large TSV file takes longer than a frame, so it runs here. A
// built-in task comes back as pairs; a parsed file's pairs (up to a million) come back packed
// (lib/packed-pairs.js: two transferred buffers per split, not a million cloned strings, which
// froze the page for seconds), with the numbers the page shows about them. Served over
// lib/rpc.js (the library's one worker protocol): names(), task(name, options), tsv(bytes, options).

import { tasks, taskNames } from '../lib/tasks/index.js';
import { serve, transfer } from '../lib/rpc.js';
import { packPairs, packedBuffers } from '../lib/packed-pairs.js';
import { parentPort } from '../lib/browser/platform.js';

serve(parentPort(), {
  names: () => [...taskNames],
  task(context, name, options) {
    if (!taskNames.includes(name)) throw new Error(`there is no built-in task called “${name}”`);
    return tasks[name](options);
  },
  tsv(context, bytes, options) {
    const { name, description, tokenizer, train, test } = tasks.fromTSV(bytes, options);
    const stats = tasks.describePairs(train.concat(test)); // web/corpus.js shows them
    const packed = { train: packPairs(train, 'train'), test: packPairs(test, 'test') };
    return transfer({ name, description, tokenizer, stats, ...packed }, [...packedBuffers(packed.train), ...packedBuffers(packed.test)]);
  },
});
