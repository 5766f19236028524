// Task generators: determinism, disjoint splits, what each task's pairs must satisfy, options
// checking, and the TSV reader's errors and limits.
import test from 'node:test';
import assert from 'node:assert/strict';
import { tasks, taskNames, generateTask } from '../lib/tasks/index.js';
import { DATE_FORMATS } from '../lib/tasks/dates.js';
import { WORDS } from '../lib/tasks/scrambled.js';
import { wordTokenizer } from '../lib/text.js';

const small = { trainSize: 300, testSize: 60 };

test('every built-in task: same seed same data, other seed other data, disjoint splits', () => {
  for (const name of taskNames) {
    const a = generateTask(name, { ...small, seed: 7 });
    const b = generateTask(name, { ...small, seed: 7 });
    const c = generateTask(name, { ...small, seed: 8 });
    assert.deepEqual(a, b, `${name} is deterministic`);
    assert.notDeepEqual(a.train, c.train, `${name} depends on the seed`);
    assert.equal(a.train.length, 300);
    assert.equal(a.test.length, 60);
    const trainSources = new Set(a.train.map((p) => p[0]));
    assert.equal(trainSources.size, 300, `${name}: distinct sources`);
    for (const [src] of a.test) assert.ok(!trainSources.has(src), `${name}: "${src}" is in both splits`);
    for (const [src, tgt] of [...a.train, ...a.test]) {
      assert.equal(typeof src, 'string');
      assert.equal(typeof tgt, 'string');
      assert.ok(src.length > 0 && tgt.length > 0);
    }
    assert.ok(['char', 'word'].includes(a.tokenizer));
    assert.equal(a.name, name);
  }
});

test('generators reject unknown options and bad sizes with a clear message', () => {
  assert.throws(() => tasks.dates({ trainsize: 10 }), /unknown option "trainsize"/);
  assert.throws(() => tasks.dates({ trainSize: 0 }), /trainSize must be an integer/);
  assert.throws(() => tasks.reverse({ seed: 1.5 }), /seed must be an integer/);
  assert.throws(() => generateTask('nope'), /use one of dates, scrambled/);
  // Only 2^2 + 2^1 = 6 strings exist over "ab" with lengths 1-2.
  assert.throws(() => tasks.copy({ alphabet: 'ab', minLength: 1, maxLength: 2, trainSize: 10, testSize: 0 }), /distinct examples/);
  assert.throws(() => tasks.sort({ alphabet: 'aa' }), /repeated/);
  assert.throws(() => tasks.sort({ minLength: 5, maxLength: 3 }), /maxLength/);
});

test('dates: at least 15 formats, ISO targets inside 1950..2050 that match the source date', () => {
  assert.ok(DATE_FORMATS.length >= 15);
  const t = tasks.dates({ seed: 3, trainSize: 2000, testSize: 0 });
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  for (const [src, tgt] of t.train) {
    assert.match(tgt, /^\d{4}-\d{2}-\d{2}$/);
    const [y, m, d] = tgt.split('-').map(Number);
    assert.ok(y >= 1950 && y <= 2050, tgt);
    assert.equal(new Date(tgt).toISOString().slice(0, 10), tgt);
    assert.ok(src.includes(String(y)), `${src} -> ${tgt}: year`);
    const lower = src.toLowerCase();
    const named = months.findIndex((name) => lower.includes(name));
    if (named >= 0) assert.equal(named + 1, m, `${src} -> ${tgt}: month`);
    assert.ok(src.includes(String(d)), `${src} -> ${tgt}: day`);
  }
  // Each format shows up.
  const shapes = new Set(t.train.map(([src]) => src.replace(/[0-9]/g, '9').replace(/[A-Za-z]+/g, 'A')));
  assert.ok(shapes.size >= 15, `only ${shapes.size} distinct shapes`);
});

test('scrambled: targets are the word list, corruption keeps first letters and word count', () => {
  const t = tasks.scrambled({ seed: 2, trainSize: 500, testSize: 50 });
  const known = new Set(WORDS);
  let changed = 0;
  for (const [src, tgt] of t.train) {
    const s = src.split(' ');
    const w = tgt.split(' ');
    assert.equal(s.length, w.length, `${src} -> ${tgt}`);
    w.forEach((word, i) => {
      assert.ok(known.has(word), word);
      assert.equal(s[i][0], word[0]);
      if (word.length >= 3 && s[i] !== word) changed++;
    });
    if (src !== tgt) changed++;
  }
  assert.ok(changed > 400);
});

test('en-fr: word-level, thousands of distinct pairs, agreement and elision rules hold', () => {
  const t = tasks['en-fr']({ seed: 1, trainSize: 4000, testSize: 500 });
  assert.equal(t.tokenizer, 'word');
  assert.equal(tasks.enFr, tasks['en-fr']);
  const fr = t.train.map((p) => p[1]);
  assert.ok(fr.some((s) => /[éèêîô]/.test(s)), 'accents kept');
  for (const [en, f] of t.train) {
    assert.doesNotMatch(f, /(^| )(le|la) [aeiouéîh]/, `${en} -> ${f}: elision`);
    assert.doesNotMatch(f, /(^| )ce [aeiouéîh]/, `${en} -> ${f}: cet`);
    assert.doesNotMatch(f, /(^| )des (grand|petit|jeune|bon|joli|mauvais)/, `${en} -> ${f}: de before adjective`);
    if (/^the \w+s$/.test(en) && !/ (men|women|children)$/.test(en)) assert.match(f, /^les /, `${en} -> ${f}`);
    assert.equal(wordTokenizer.detokenize(wordTokenizer.tokenize(f)), f, 'targets round-trip through the tokenizer');
  }
  // The tutorial's reordering ("the european economic area" -> "la zone économique européenne"):
  // two adjectives after the noun in mirror order, agreeing with its gender and number.
  const mirrored = [...t.train, ...t.test].filter(([en]) => /\beuropean economic \w+/.test(en));
  assert.ok(mirrored.length >= 2, `only ${mirrored.length} "european economic ..." phrases in 4500`);
  for (const [en, f] of mirrored) assert.match(f, /\p{L}+ économiques? européen(ne)?s?\b/u, `${en} -> ${f}`);
  assert.ok(mirrored.some(([, f]) => /européenne\b/.test(f)) && mirrored.some(([, f]) => /européen\b/.test(f)),
    'both genders among the "european economic ..." phrases');
});

test('reverse, sort, copy: targets are right; length and alphabet options apply', () => {
  const opts = { seed: 4, trainSize: 200, testSize: 20, minLength: 2, maxLength: 6, alphabet: 'xyz😀' };
  for (const [src, tgt] of tasks.reverse(opts).train) assert.equal(tgt, Array.from(src).reverse().join(''));
  for (const [src, tgt] of tasks.copy(opts).train) assert.equal(tgt, src);
  const order = Array.from('xyz😀');
  for (const [src, tgt] of tasks.sort(opts).train) {
    const chars = Array.from(src);
    assert.ok(chars.length >= 2 && chars.length <= 6);
    assert.equal(tgt, chars.sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(''));
  }
});

test('fromTSV: extra columns ignored, CRLF, BOM and blank lines accepted, duplicates once', () => {
  const text = '\uFEFFhello\tbonjour\tCC-BY 2.0 #1\r\n\r\nhello\tbonjour\ncat\tchat\nhello\tsalut\n';
  const pairs = tasks.parseTSV(text);
  assert.deepEqual(pairs, [['hello', 'bonjour'], ['hello', 'bonjour'], ['cat', 'chat'], ['hello', 'salut']]);
  const t = tasks.fromTSV(text, { testFraction: 0.5, seed: 1, tokenizer: 'word' });
  assert.equal(t.train.length + t.test.length, 3);
  const trainSources = new Set(t.train.map((p) => p[0]));
  for (const [src] of t.test) assert.ok(!trainSources.has(src), 'same source on both sides');
  assert.equal(t.tokenizer, 'word');
  const bytes = new TextEncoder().encode('été\tsummer\n');
  assert.deepEqual(tasks.parseTSV(bytes), [['été', 'summer']]);
});

test('fromTSV: malformed input names the line; limits apply', () => {
  assert.throws(() => tasks.parseTSV('a\tb\nno tab here\n'), /line 2: no tab found/);
  assert.throws(() => tasks.parseTSV('a\tb\n\t x\n'), /line 2: the source .* is empty/);
  assert.throws(() => tasks.parseTSV('a\t\n'), /line 1: the target .* is empty/);
  assert.throws(() => tasks.parseTSV(`a\t${'b'.repeat(20)}\n`, { maxFieldLength: 10 }), /line 1: the target is 20 characters/);
  assert.throws(() => tasks.parseTSV('a\tb\nc\td\n', { maxPairs: 1 }), /line 2: more than 1 pairs/);
  assert.throws(() => tasks.parseTSV('a\tb\n', { maxBytes: 2 }), /limit is 2/);
  assert.throws(() => tasks.parseTSV(new Uint8Array([0x61, 0x09, 0xff, 0x0a])), /not valid UTF-8/);
  assert.throws(() => tasks.parseTSV('\n\n'), /no pairs/);
  assert.throws(() => tasks.parseTSV(42), /string, Uint8Array/);
  assert.throws(() => tasks.fromTSV('a\tb', { testFraction: 1 }), /testFraction/);
  assert.throws(() => tasks.fromTSV('a\tb', { tokenizer: 'sentencepiece' }), /'char', 'word' or 'bpe'/);
});

test('fromTSV: columns picks other columns (Tatoeba id/sentence/id/translation files)', () => {
  const text = '1\tHello.\t77\tBonjour.\n2\tThanks!\t78\tMerci !\n';
  assert.deepEqual(tasks.parseTSV(text, { columns: [1, 3] }), [['Hello.', 'Bonjour.'], ['Thanks!', 'Merci !']]);
  assert.throws(() => tasks.parseTSV('a\tb\n', { columns: [1, 3] }), /line 1: 2 columns, but column 4 is needed/);
  assert.throws(() => tasks.parseTSV('a\tb\n', { columns: [1, 1] }), /two different/);
  assert.equal(tasks.fromTSV(text, { columns: [1, 3], testFraction: 0 }).train.length, 2);
  assert.equal(tasks.TSV_LIMITS.maxFieldLength, 1000);
});

test('en-fr long sentences: 5-40 English words, spread over the range, each connector translated', () => {
  const t = tasks['en-fr']({ seed: 4, trainSize: 1500, testSize: 200, minWords: 5, maxWords: 40 });
  assert.deepEqual(t.options, { seed: 4, trainSize: 1500, testSize: 200, minWords: 5, maxWords: 40 });
  assert.deepEqual(t, tasks['en-fr']({ seed: 4, trainSize: 1500, testSize: 200, minWords: 5, maxWords: 40 }), 'deterministic');
  const lengths = [...t.train, ...t.test].map(([en]) => wordTokenizer.tokenize(en).filter((w) => w !== '.').length);
  for (const n of lengths) assert.ok(n >= 5 && n <= 40, `a sentence of ${n} words`);
  for (const [lo, hi] of [[5, 10], [11, 20], [21, 30], [31, 40]]) {
    const share = lengths.filter((n) => n >= lo && n <= hi).length / lengths.length;
    assert.ok(share > 0.1, `${(share * 100).toFixed(1)} % of the sentences have ${lo}-${hi} words`);
  }
  const pairs = { and: 'et', but: 'mais', because: 'parce que', so: 'donc', while: 'pendant que' };
  for (const [en, fr] of t.train.slice(0, 300)) {
    const e = wordTokenizer.tokenize(en);
    for (const [a, b] of Object.entries(pairs)) {
      const count = (list, w) => list.filter((x) => x === w).length;
      assert.equal(count(e, a), fr.split(` ${b} `).length - 1, `${en} -> ${fr}: "${a}" -> "${b}"`);
    }
  }
  assert.throws(() => tasks['en-fr']({ minWords: 10, maxWords: 5 }), /maxWords must be an integer from 10/);
  assert.throws(() => tasks['en-fr']({ minWords: 2 }), /minWords must be an integer from 3/);
});
