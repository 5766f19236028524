// corpus.js: the page's real-corpus flow, beside app.js: the pairs file's options (how the text
// is split, the subword vocabulary size, which columns hold the pairs), the corpus's size and a
// histogram of its sentence lengths once data-worker.js has parsed it, and the held-out BLEU and
// chrF while training. The parsing itself never runs on the page's thread.

import { MIN_BPE_VOCABULARY_SIZE, DEFAULT_BPE_VOCABULARY_SIZE } from '../lib/bpe.js';
import { MAX_VOCAB } from '../lib/limits.js';

const SPLIT_NAMES = { char: 'characters', word: 'words', bpe: 'subwords' };

/**
 * The options of the pairs-file fields, checked: { tokenizer, vocabSize, columns }.
 * Throws an Error whose message says what to fix.
 * @param {(id: string) => HTMLElement} $
 */
export function corpusOptions($) {
  const tokenizer = $('tsv-tokenizer').value;
  let vocabSize = null;
  if (tokenizer === 'bpe') {
    const raw = $('tsv-vocab').value.trim();
    vocabSize = raw === '' ? DEFAULT_BPE_VOCABULARY_SIZE : Number(raw);
    if (!Number.isInteger(vocabSize) || vocabSize < MIN_BPE_VOCABULARY_SIZE || vocabSize > MAX_VOCAB) {
      throw new Error(`The subword vocabulary must be a whole number from ${MIN_BPE_VOCABULARY_SIZE} to ${MAX_VOCAB} (it counts 256 byte pieces and 4 special symbols); “${raw}” is not.`);
    }
  }
  const rawColumns = $('tsv-columns').value.trim() || '1,2';
  const columns = rawColumns.split(',').map((c) => Number(c.trim()));
  if (columns.length !== 2 || !columns.every((c) => Number.isInteger(c) && c >= 1 && c <= 100) || columns[0] === columns[1]) {
    throw new Error(`Columns must be two different column numbers like 1,2 (or 2,4 for a Tatoeba export); “${rawColumns}” is not.`);
  }
  return { tokenizer, vocabSize, columns: columns.map((c) => c - 1) };
}

/** Shows the vocabulary-size field only when the text is split into subwords. */
export function syncCorpusFields($) {
  $('tsv-vocab-label').hidden = $('tsv-tokenizer').value !== 'bpe';
}

/** How the file's text is split, in words: 'subwords (2,000 pieces)'. */
export function splitDescription(tokenizer, vocabSize) {
  return tokenizer === 'bpe' ? `subwords (at most ${vocabSize.toLocaleString('en-US')} pieces, learned from the pairs)` : SPLIT_NAMES[tokenizer] ?? tokenizer;
}

/**
 * The corpus's size and length histogram (from lib/tasks/tsv.js's describePairs, computed in the
 * data worker) into `box`.
 * @param {HTMLElement} box
 * @param {{pairs: number, source: object, target: object, histogram: {from: number, to: number, source: number, target: number}[]}} stats
 * @param {{name: string, bytes: number, train: number, test: number}} file
 */
export function renderCorpus(box, stats, file) {
  box.replaceChildren();
  if (!stats) {
    box.hidden = true;
    return;
  }
  const size = file.bytes >= 1e6 ? `${(file.bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(file.bytes / 1e3))} kB`;
  const head = document.createElement('p');
  head.className = 'hint';
  head.textContent = `${file.name}: ${size}, ${stats.pairs.toLocaleString('en-US')} distinct pairs; sources ${stats.source.meanWords.toFixed(1)} words on average (longest ${stats.source.maxWords}), targets ${stats.target.meanWords.toFixed(1)} (longest ${stats.target.maxWords}).`;
  const table = document.createElement('table');
  table.className = 'histogram';
  table.setAttribute('aria-label', 'Sentence lengths in words: how many sources and targets have each length');
  const top = Math.max(1, ...stats.histogram.map((b) => Math.max(b.source, b.target)));
  const header = table.insertRow();
  for (const text of ['words', 'sources', 'targets']) {
    const th = document.createElement('th');
    th.textContent = text;
    header.append(th);
  }
  for (const b of stats.histogram) {
    const row = table.insertRow();
    row.insertCell().textContent = b.from === b.to ? String(b.from) : `${b.from}–${b.to}`;
    for (const side of ['source', 'target']) {
      const cell = row.insertCell();
      const bar = document.createElement('span');
      bar.className = `bar ${side}`;
      bar.style.width = `${(70 * b[side]) / top}%`; // of the cell; the count follows it
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = b[side].toLocaleString('en-US');
      cell.append(bar, count);
    }
  }
  box.append(head, table);
  box.hidden = false;
}

/** Held-out BLEU and chrF (0..100, sacreBLEU's numbers) as the stats line shows them. */
export function scoresText(evaluation) {
  if (!evaluation || !Number.isFinite(evaluation.bleu)) return '–';
  return `${evaluation.bleu.toFixed(1)} / ${evaluation.chrf.toFixed(1)}`;
}
