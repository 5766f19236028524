// web-chart.test.js: the page's chart axes (web/chart.js's axes(), run in Node): an empty chart
// shows sensible axes (the loss chart's log scale over its usual range, no made-up 0-1 step axis
// before there are steps), and every label of one axis has one format (never "1, 0.10, 0.01,
// 0.00, 1.00e-4", which the loss axis used to print).

import test from 'node:test';
import assert from 'node:assert/strict';
import { axes, logLabels, linearLabels } from '../web/chart.js';

const labels = (ticks) => ticks.map((t) => t.label);
const LOSS = { logY: true };
const ACCURACY = { yMin: 0, yMax: 1, percent: true };

test('empty charts: the loss axis over its usual range, no step axis, no invented scale', () => {
  const loss = axes(LOSS, []);
  assert.deepEqual(labels(loss.yTicks), ['0.001', '0.01', '0.1', '1', '10']);
  assert.deepEqual(loss.xTicks, [], 'no 0-1 step axis before there are steps');
  const acc = axes(ACCURACY, []);
  assert.deepEqual(labels(acc.yTicks), ['0%', '20%', '40%', '60%', '80%', '100%']);
  assert.deepEqual(acc.xTicks, []);
  const cost = axes({ yMin: 0 }, []);
  assert.deepEqual([cost.xTicks, cost.yTicks], [[], []], 'a range that depends on the data has no ticks without data');
});

test('one format per axis: decimals down to 0.001, powers of ten below', () => {
  for (const [lo, hi] of [[1e-4, 1], [1e-6, 3], [2e-5, 0.5], [1e-3, 10], [0.02, 3], [0.3, 2.7]]) {
    const { yTicks } = axes(LOSS, [{ x: 1, y: hi }, { x: 100, y: lo }]);
    const l = labels(yTicks);
    assert.ok(l.length >= 2, `${lo}-${hi}: ${l}`);
    assert.ok(!l.includes('0.00') && !l.some((s) => /^0\.0+$/.test(s)), `${lo}-${hi}: a tick printed as zero: ${l}`);
    const exponents = l.filter((s) => /e-?\d+$/.test(s)).length;
    assert.ok(exponents === 0 || exponents === l.length, `${lo}-${hi}: mixed formats ${l}`);
    // Every label reads back as its tick.
    yTicks.forEach((t) => assert.ok(Math.abs(Number(t.label) - t.value) <= t.value * 1e-9, `${t.label} is ${t.value}`));
  }
  assert.deepEqual(logLabels([1e-4, 1e-3, 1e-2, 0.1, 1]), ['1e-4', '1e-3', '1e-2', '1e-1', '1e0']);
  assert.deepEqual(linearLabels([0, 0.25, 0.5]), ['0.00', '0.25', '0.50']);
  assert.deepEqual(linearLabels([0, 10, 20]), ['0', '10', '20']);
});

test('with data the axes span it: steps on x, the loss on y', () => {
  const a = axes(LOSS, [{ x: 1, y: 2.68 }, { x: 480, y: 0.004 }], 600, 150);
  assert.ok(a.xTicks.length >= 2 && a.xTicks.at(-1).value <= 480 && a.xTicks[0].value >= 1, labels(a.xTicks).join(' '));
  assert.ok(a.yMin <= 0.004 && a.yMax >= 2.68);
  assert.deepEqual(labels(a.yTicks), ['0.01', '0.1', '1']);
});
