// web-lines.test.js: the lines view (web/lines.js, the tutorial's picture of attention) stays
// readable with a 40-symbol input, in headless Chromium, with the page's pretrained models and no
// training: 40 characters for the dates model, 40 words for English → French. Readable, checked
// on the drawn page: every label inside the drawing, no two labels of a row overlapping, labels of
// at least 11 px; hovering the middle of a line reads out the weight of a line under the pointer
// (the browser's own hit test says which are); the arrow keys move the focus between output
// symbols and read out each one's largest weights, the same as its lines carry.

import test from 'node:test';
import assert from 'node:assert/strict';
import { tasks } from '../lib/index.js';
import { openPage, browserSkipReason, byTestId, translateInPage } from './web-harness.js';

const skip = browserSkipReason();
const MIN_FONT_PX = 11;

// 40 words of the English → French task's own held-out sentences (its word tokenizer: one symbol a word)
const enWords = tasks['en-fr']({ seed: 1, trainSize: 2000, testSize: 200 }).test
  .flatMap(([src]) => src.replace(/[.,!?]/g, '').split(' ')).slice(0, 40);
const CASES = [
  { task: 'dates', input: 'on Wednesday, the 23rd of September 1999', symbols: 40 },
  { task: 'en-fr', input: enWords.join(' '), symbols: 40 },
];

// In the page: the labels' boxes against the drawing's and each other's, and the smallest font.
function measureLabels(testId) {
  const svg = document.querySelector(`[data-testid="${testId}"]`);
  const box = svg.getBoundingClientRect();
  const scale = box.width / Number(svg.getAttribute('width'));
  const rects = (sel) => [...svg.querySelectorAll(sel)].map((t) => {
    const r = t.getBoundingClientRect();
    return { text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  });
  const inputs = rects('.inputs text');
  const outputs = rects('.outputs text');
  const outside = [...inputs, ...outputs].filter((r) => r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
    .map((r) => r.text);
  const overlapping = (list) => {
    const pairs = [];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i], b = list[j];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 0.5 && h > 0.5) pairs.push(`“${a.text}” (${i}) and “${b.text}” (${j})`);
      }
    }
    return pairs;
  };
  const fonts = [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
  return {
    rows: Number(svg.dataset.rows), cols: Number(svg.dataset.cols),
    inputs: inputs.length, outputs: outputs.length,
    outside, inputOverlaps: overlapping(inputs), outputOverlaps: overlapping(outputs),
    minFont: Math.min(...fonts), width: box.width,
  };
}

// In the page: the middle of output row `row`'s heaviest line, in the viewport (the box scrolled
// to it), with that line's weight.
function lineMiddle({ testId, row }) {
  const svg = document.querySelector(`[data-testid="${testId}"]`);
  const lines = [...svg.querySelectorAll(`g.row[data-row="${row}"] line`)];
  const line = lines.reduce((a, b) => (Number(b.dataset.w) > Number(a.dataset.w) ? b : a));
  const scale = svg.getBoundingClientRect().width / Number(svg.getAttribute('width'));
  const at = (k) => Number(line.getAttribute(k));
  const mx = (at('x1') + at('x2')) / 2, my = (at('y1') + at('y2')) / 2;
  svg.parentElement.scrollLeft = Math.max(0, mx * scale - svg.parentElement.clientWidth / 2);
  svg.scrollIntoView({ block: 'center' });
  const r = svg.getBoundingClientRect();
  return { x: r.left + mx * scale, y: r.top + my * scale, w: line.dataset.w, col: line.dataset.col };
}

// In the page: which lines the browser's hit test finds at (x, y), and the caption.
function underPointer({ x, y, caption }) {
  const hits = document.elementsFromPoint(x, y).filter((e) => e.tagName === 'line');
  return {
    hits: hits.map((e) => ({ row: e.parentElement.dataset.row, col: e.dataset.col, w: Number(e.dataset.w) })),
    caption: document.getElementById(caption).textContent,
  };
}

for (const c of CASES) {
  test(`the lines view with a ${c.symbols}-symbol input (${c.task}) is readable, with hover and keyboard read-outs`, { skip, timeout: 120000 }, async (t) => {
    const p = await openPage();
    const { page } = p;
    try {
      if (c.task !== 'dates') {
        await page.selectOption(byTestId('task-picker'), c.task);
        await page.waitForFunction((task) => new RegExp(`\\(${task}\\)`).test(document.querySelector('[data-testid="model-status"]').textContent), c.task, { timeout: 30000 });
      }
      await page.waitForFunction(() => !document.querySelector('[data-testid="pretrained-note"]').hidden, null, { timeout: 30000 });
      await translateInPage(page, c.input);
      const m = await page.evaluate(measureLabels, 'attention-lines');
      t.diagnostic(`${c.task}: ${m.cols} input x ${m.rows} output symbols, ${m.width.toFixed(0)} px wide, smallest label ${m.minFont.toFixed(1)} px`);
      assert.equal(m.cols, c.symbols, 'one input label per input symbol');
      assert.equal(m.inputs, m.cols);
      assert.equal(m.outputs, m.rows);
      assert.ok(m.rows > 1, `${m.rows} output symbols`);
      assert.deepEqual(m.outside, [], 'every label inside the drawing');
      assert.deepEqual(m.inputOverlaps, [], 'no two input labels overlap');
      assert.deepEqual(m.outputOverlaps, [], 'no two output labels overlap');
      assert.ok(m.minFont >= MIN_FONT_PX, `the smallest label is ${m.minFont.toFixed(1)} px`);

      // Hover: the middle of a few rows' heaviest lines
      for (const row of [0, Math.floor(m.rows / 2), m.rows - 1]) {
        const at = await page.evaluate(lineMiddle, { testId: 'attention-lines', row });
        await page.mouse.move(at.x, at.y);
        const seen = await page.evaluate(underPointer, { x: at.x, y: at.y, caption: 'lines-caption' });
        assert.ok(seen.hits.length > 0, `the browser finds a line under the pointer at the middle of row ${row}'s heaviest line`);
        const shown = seen.caption.match(/\(step (\d+)\) → input .* \(position (\d+)\): weight ([\d.]+)$/);
        assert.ok(shown, `the caption reads one line's weight: “${seen.caption}”`);
        const [, step, position, weight] = shown;
        const hit = seen.hits.find((h) => Number(h.row) === Number(step) - 1 && Number(h.col) === Number(position) - 1);
        assert.ok(hit, `the caption's line (step ${step}, position ${position}) is one under the pointer: ${JSON.stringify(seen.hits)}`);
        assert.ok(Math.abs(hit.w - Number(weight)) <= 0.0006, `caption weight ${weight}, line weight ${hit.w}`);
      }
      await page.mouse.move(0, 0);

      // Keyboard: focus the first output symbol, → → moves two on, End to the last; each reads its weights
      await page.evaluate(() => document.querySelector('[data-testid="attention-lines"] .outputs text[tabindex="0"]').focus());
      const readOut = () => page.evaluate(() => {
        const e = document.activeElement;
        const row = e?.dataset?.row ?? null;
        const weights = row === null ? [] : [...document.querySelectorAll(`[data-testid="attention-lines"] g.row[data-row="${row}"] line`)]
          .map((l) => Number(l.dataset.w)).sort((a, b) => b - a).slice(0, 3);
        return { row, caption: document.getElementById('lines-caption').textContent, weights };
      });
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      let r = await readOut();
      assert.equal(r.row, '2', 'two presses of → move the focus two output symbols on');
      assert.match(r.caption, /^output “.+” \(step 3\) looks at /);
      // (lines lighter than 0.005 are not drawn: the read-out's weights from 0.005 up are the drawn ones)
      const read = [...r.caption.matchAll(/” (\d\.\d{3})/g)].map((x) => x[1]);
      assert.equal(read.length, Math.min(3, m.cols));
      // the caption rounds the weight to 3 decimals, a line's data-w to 4: equal within both roundings
      const drawn = read.map(Number).filter((w) => w >= 0.005);
      const lines = r.weights.filter((w) => w >= 0.005);
      assert.equal(drawn.length, lines.length, `the read-out gives the row's largest weights: ${read} against ${lines}`);
      drawn.forEach((w, k) => assert.ok(Math.abs(w - lines[k]) <= 0.00055, `the read-out gives the row's largest weights: ${read} against ${lines}`));
      await page.keyboard.press('End');
      r = await readOut();
      assert.equal(r.row, String(m.rows - 1), 'End moves to the last output symbol');
      assert.match(r.caption, new RegExp(`\\(step ${m.rows}\\) looks at `));
      assert.deepEqual(p.pageErrors, []);
      assert.deepEqual(p.consoleErrors, []);
    } finally {
      await p.close();
    }
  });
}
