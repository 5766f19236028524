// lib/random.js, the project's one seeded generator: its stream against an independent
// reference (the same SplitMix32 steps in BigInt arithmetic, no Math.imul or >>> tricks), its
// helpers, and the first pairs of every built-in task at seed 1, which pin the data the
// accuracies in docs/library.md were measured on: if this test fails, the stream changed and
// those numbers no longer describe the tasks.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../lib/random.js';
import { tasks, taskNames } from '../lib/tasks/index.js';

const M32 = (1n << 32n) - 1n;
function referenceStream(seed, count) {
  let state = BigInt(seed) & M32;
  const out = [];
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9n) & M32;
    let z = state;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M32;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M32;
    z ^= z >> 16n;
    out.push(Number(z) / 2 ** 32);
  }
  return out;
}

test('createRandom: the SplitMix32 stream, bit for bit, for several seeds (negative and > 32 bits too)', () => {
  for (const seed of [0, 1, 7, 12345, 0xffffffff, -1, 2 ** 40 + 3]) {
    const r = createRandom(seed);
    const got = Array.from({ length: 1000 }, () => r.next());
    assert.deepEqual(got, referenceStream(Number(BigInt(seed) & M32), 1000), `seed ${seed}`);
  }
  assert.throws(() => createRandom(1.5), /seed must be an integer/);
  assert.throws(() => createRandom('1'), /seed must be an integer/);
});

test('createRandom helpers: next in [0, 1), int and range inside their bounds, shuffle a permutation', () => {
  const r = createRandom(3);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 20000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    counts[r.int(10)]++;
    const v = r.range(-2, 2);
    assert.ok(Number.isInteger(v) && v >= -2 && v <= 2);
  }
  // 2000 expected per bucket; 5 standard deviations is about 212
  for (const c of counts) assert.ok(Math.abs(c - 2000) < 250, `int(10) bucket counts ${counts}`);
  const a = Array.from({ length: 50 }, (_, i) => i);
  const s = createRandom(4).shuffle(a.slice());
  assert.notDeepEqual(s, a);
  assert.deepEqual(s.slice().sort((x, y) => x - y), a);
  // the same seed gives the same helpers' results
  const p = createRandom(9), q = createRandom(9);
  for (let i = 0; i < 100; i++) assert.equal(p.pick(a), q.pick(a));
  assert.equal(createRandom(5).chance(0), false);
  assert.equal(createRandom(5).chance(1), true);
});

test('the built-in tasks at seed 1 are the data the documented accuracies were measured on', () => {
  const expected = {
    dates: [[['06/05/2009', '2009-06-05'], ['Aug 15 2009', '2009-08-15']], ['31MAY1969', '1969-05-31']],
    scrambled: [[['as or', 'as our'], ['sch fuond', 'such found']], ['woh trn namd', 'who turn name']],
    'en-fr': [[['we like these islands.', 'nous aimons ces îles.'], ['I see the green airports.', 'je vois les aéroports verts.']],
      ['we like a good green idea.', 'nous aimons une bonne idée verte.']],
    reverse: [[['afedijd', 'djidefa'], ['hea', 'aeh']], ['icijccgcj', 'jcgccjici']],
    sort: [[['afedijd', 'addefij'], ['hea', 'aeh']], ['icijccgcj', 'ccccgiijj']],
    copy: [[['afedijd', 'afedijd'], ['hea', 'hea']], ['icijccgcj', 'icijccgcj']],
  };
  assert.deepEqual(Object.keys(expected), [...taskNames]);
  for (const name of taskNames) {
    const t = tasks[name]({ seed: 1 });
    assert.deepEqual([t.train.slice(0, 2), t.test[0]], expected[name], name);
  }
});
