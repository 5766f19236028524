// Bad input to the page's upload fields (docs/bad-input.md, rows P*): the model file field
// ([data-testid=model-input]) and the pairs file field ([data-testid=tsv-input]), driven in
// headless Chromium through tests/web-harness.js. Each row picks a bad file and checks the message
// the page shows (model-error / data-error), that nothing was thrown on the page, and that the
// page still works afterwards (a model loads, or the built-in task is still usable).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPage, byTestId, browserSkipReason } from './web-harness.js';
import { MAX_FILE } from '../lib/limits.js';

const skip = browserSkipReason();
const corpus = (name) => fs.readFileSync(new URL(`../fuzz/corpus/load/${name}`, import.meta.url));
let session;

before(async () => {
  if (!skip) session = await openPage();
});
after(async () => {
  await session?.close();
});

async function pick(testId, name, buffer, mimeType = 'application/octet-stream') {
  await session.page.setInputFiles(byTestId(testId), { name, mimeType, buffer });
}

/** A file made inside the page (no transfer over the protocol), given to the field's change handler;
 * with `size`, one byte that says it has `size` bytes (the page must refuse it by its size alone). */
async function pickMadeInPage(testId, name, bytes, size) {
  await session.page.evaluate(({ testId, name, bytes, size }) => {
    const input = document.querySelector(`[data-testid="${testId}"]`);
    const dt = new DataTransfer();
    const file = new File([new Uint8Array(bytes)], name);
    if (size !== undefined) Object.defineProperty(file, 'size', { value: size });
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, { testId, name, bytes, size });
}

async function shown(testId, pattern) {
  await session.page.waitForFunction(({ sel, source }) => {
    const e = document.querySelector(sel);
    return e && !e.hidden && new RegExp(source).test(e.textContent);
  }, { sel: byTestId(testId), source: pattern.source }, { timeout: 20000 }).catch(() => {});
  return session.page.textContent(byTestId(testId));
}

function pageRow(id, title, message, fn) {
  test(`[${id}] ${title}`, { skip, timeout: 60000 }, async () => {
    const errorsBefore = session.pageErrors.length;
    const text = await fn();
    if (process.env.PRINT_BAD_INPUT) console.log(`ROW ${id} ${text}`);
    assert.match(text, message);
    assert.deepEqual(session.pageErrors.slice(errorsBefore), [], 'nothing thrown on the page');
  });
}

pageRow('P1', 'model file: empty', /^Could not load “empty\.s2s”: The file is empty\. Pick a \.s2s model file saved by this page or the library\.$/,
  async () => { await pick('model-input', 'empty.s2s', Buffer.alloc(0)); return shown('model-error', /empty\.s2s/); });
pageRow('P2', 'model file: not a model (a text file)', /^Could not load “pairs\.txt”: not a seq2seq-attention model file: the magic bytes are wrong\. Pick a \.s2s model file/,
  async () => { await pick('model-input', 'pairs.txt', Buffer.from('abc\tcba\n'.repeat(20))); return shown('model-error', /pairs\.txt/); });
pageRow('P3', 'model file: truncated', /^Could not load “cut\.s2s”: the model file is truncated: 1131 bytes where its header implies 2262\. Pick /,
  async () => { await pick('model-input', 'cut.s2s', corpus('edge-truncated.s2s')); return shown('model-error', /cut\.s2s/); });
pageRow('P4', 'model file: corrupted', /^Could not load “flipped\.s2s”: the model file is corrupted: its checksum is [0-9a-f]{8} but its contents give [0-9a-f]{8}\. Pick /,
  async () => { await pick('model-input', 'flipped.s2s', corpus('edge-bad-checksum.s2s')); return shown('model-error', /flipped\.s2s/); });
pageRow('P5', 'model file: valid, but without the vocabularies the page needs', /^Could not load “lowlevel\.s2s”: this model file has no vocabularies \(it was saved by the low-level Seq2Seq\)/,
  async () => { await pick('model-input', 'lowlevel.s2s', corpus('valid-gru-additive.s2s')); return shown('model-error', /lowlevel\.s2s/); });
pageRow('P6', 'model file: too large (over S2S_MAX_FILE, 1 GiB)', new RegExp(`^Could not load “big\\.s2s”: The file is larger than ${MAX_FILE / 2 ** 20} MB; that is not a model this page made\\. Pick `),
  async () => { await pickMadeInPage('model-input', 'big.s2s', 1, MAX_FILE + 1); return shown('model-error', /big\.s2s/); });
pageRow('P7', 'pairs file: empty', /^Could not use “empty\.tsv”: .*no pairs.* Each line must be: input, a tab, output\.$/,
  async () => { await pick('tsv-input', 'empty.tsv', Buffer.alloc(0), 'text/tab-separated-values'); return shown('data-error', /empty\.tsv/); });
pageRow('P8', 'pairs file: malformed (no tab)', /^Could not use “notab\.tsv”: line 1: no tab found; each line must be source<TAB>target\. Each line must be: input, a tab, output\.$/,
  async () => { await pick('tsv-input', 'notab.tsv', Buffer.from('abc\ndef\n'), 'text/tab-separated-values'); return shown('data-error', /notab\.tsv/); });
pageRow('P9', 'pairs file: too few pairs', /^Could not use “few\.tsv”: it has 3 distinct pairs; the page needs at least 20 /,
  async () => { await pick('tsv-input', 'few.tsv', Buffer.from('a\tb\nc\td\ne\tf\n'), 'text/tab-separated-values'); return shown('data-error', /few\.tsv/); });
pageRow('P10', 'pairs file: too large (over 64 MB)', /^Could not use “big\.tsv”: The file is 67\.1 MB; the page takes up to 64 MB\. Each line must be/,
  async () => { await pickMadeInPage('tsv-input', 'big.tsv', 64 * 1024 * 1024 + 1); return shown('data-error', /big\.tsv/); });

test('after every bad file the page still loads a good model', { skip, timeout: 60000 }, async () => {
  // a Translator's file, made by the library in the page itself
  // (the built site holds the modules the page imports, under its sub-path: translator.js, not index.js)
  const bytes = await session.page.evaluate(async (url) => {
    const { Translator } = await import(url);
    const t = await Translator.create({ pairs: [['ab', 'ba'], ['abc', 'cba']], embed: 4, hidden: 4, attentionSize: 4 });
    const out = Array.from(t.save());
    t.dispose();
    return out;
  }, new URL('lib/translator.js', session.url).href);
  await pick('model-input', 'good.s2s', Buffer.from(bytes));
  await session.page.waitForFunction((sel) => /^Loaded good\.s2s/.test(document.querySelector(sel).textContent), byTestId('model-status'), { timeout: 20000 });
  assert.equal(await session.page.isHidden(byTestId('model-error')), true);
  assert.deepEqual(session.pageErrors, []);
});
