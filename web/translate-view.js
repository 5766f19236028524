// translate-view.js: the translate panel's read-outs besides the pictures: the warning about
// symbols the model never saw, and beam search's n-best list with scores. Rendering only.

import { formatNumber, showSymbol } from './canvas.js';

/** Shows (or hides, for none) which input symbols are not in the vocabulary, in element `e`. */
export function showUnknown(e, unknown) {
  if (!unknown.length) {
    e.hidden = true;
    return;
  }
  const list = unknown.slice(0, 8).map((u) => `“${showSymbol(u.symbol)}” (position ${u.index + 1})`).join(', ');
  e.textContent = `Not in the training vocabulary, read as “unknown”: ${list}${unknown.length > 8 ? ', …' : ''}. The translation is likely to be wrong there.`;
  e.hidden = false;
}

/** Fills the list `ol` with the n-best hypotheses [{ text, score, logProb }] (hidden when empty). */
export function showNBest(ol, list) {
  ol.replaceChildren();
  if (!list.length) {
    ol.hidden = true;
    return;
  }
  for (const h of list) {
    const li = document.createElement('li');
    li.textContent = h.text;
    const sc = document.createElement('span');
    sc.className = 'score';
    sc.textContent = `score ${formatNumber(h.score, 3)} · p = ${Math.exp(h.logProb).toFixed(3)}`;
    li.append(sc);
    ol.append(li);
  }
  ol.hidden = false;
}
