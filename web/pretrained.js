// pretrained.js: the small pretrained models the page opens with, so translating, the heat map
// and the step-through work at once. They are made by scripts/pretrained.js from fixed seeds on
// the page's own task data (same bytes on every run) and ship in pretrained/; the site build
// copies the files named here. A visitor's own model (trained, loaded or restored) always wins.

// One URL per task, written out so the site build (and bundlers) find the files.
const FILES = {
  dates: new URL('../pretrained/dates.s2s', import.meta.url),
  scrambled: new URL('../pretrained/scrambled.s2s', import.meta.url),
  'en-fr': new URL('../pretrained/en-fr.s2s', import.meta.url),
};

/** The tasks that have a pretrained model. */
export const PRETRAINED_TASKS = Object.freeze(Object.keys(FILES));

const cache = new Map();

/** The model file for `task` (Uint8Array), or null when the task has none. Throws when the file
 *  cannot be fetched (the caller says so and the page goes on without it). */
export async function fetchPretrained(task) {
  if (!Object.hasOwn(FILES, task)) return null;
  if (!cache.has(task)) {
    const p = fetch(FILES[task]).then(async (response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${FILES[task].pathname}`);
      return new Uint8Array(await response.arrayBuffer());
    });
    p.catch(() => cache.delete(task));
    cache.set(task, p);
  }
  // A copy each time: the bytes are transferred to a worker, which empties the buffer.
  return (await cache.get(task)).slice();
}

/** A one-line description of a pretrained model for the page, from the info saved in it. */
export function describePretrained(info, config) {
  const t = info?.train || {};
  const parts = [
    config?.cell ? `${String(config.cell).toUpperCase()}` : null,
    config?.attention ? `${config.attention} attention` : null,
    config?.hidden ? `hidden ${config.hidden}` : null,
    t.steps ? `${t.steps.toLocaleString('en-US')} steps of batch ${t.batchSize}` : null,
  ].filter(Boolean);
  return `made by scripts/pretrained.js from fixed seeds${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
