// Bad input to the command line (docs/bad-input.md, rows L*): each row runs bin/seq2seq-attention.js
// and checks the exit code (2 for a usage mistake, 1 for anything else) and the message on stderr.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/seq2seq-attention.js', import.meta.url));
const CORPUS = fileURLToPath(new URL('../fuzz/corpus/load/', import.meta.url));
let dir;
const at = (name) => path.join(dir, name);

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 's2s-bad-cli-'));
  fs.writeFileSync(at('empty.tsv'), '');
  fs.writeFileSync(at('notab.tsv'), 'abc\ndef\n');
  fs.writeFileSync(at('pairs.tsv'), 'abc\tcba\n');
  fs.writeFileSync(at('latin1.tsv'), Buffer.from([0x61, 0x09, 0x62, 0x0a, 0x63, 0x09, 0xc3, 0xa9, 0xe9, 0x0a]));
  fs.closeSync(fs.openSync(at('huge.tsv'), 'w'));
  fs.truncateSync(at('huge.tsv'), 64 * 1024 * 1024 + 1); // sparse
  fs.closeSync(fs.openSync(at('huge.s2s'), 'w'));
  fs.truncateSync(at('huge.s2s'), 2 ** 30 + 1); // sparse: costs no disk
  const made = cli(['train', '--task', 'reverse', '--steps', '1', '--train-size', '20', '--test-size', '5', '--embed', '4', '--hidden', '4', '--attention-size', '4', '--out', at('tiny.s2s')]);
  assert.equal(made.status, 0, made.stderr);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(args, input) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input: input ?? '', timeout: 60000 });
}

function cliRow(id, title, args, status, message, input) {
  test(`[${id}] ${title}`, { timeout: 60000 }, () => {
    const r = cli(typeof args === 'function' ? args() : args, input);
    if (process.env.PRINT_BAD_INPUT) console.log(`ROW ${id} exit ${r.status} ${r.stderr.trim().split('\n').filter((l) => l.startsWith('seq2seq-attention:')).join(' / ')}`);
    assert.equal(r.status, status, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\.js:\d+/, 'no stack trace');
  });
}

cliRow('L1', 'an unknown command', ['frobnicate'], 2, /^seq2seq-attention: unknown command "frobnicate": use train, translate, eval or tasks$/m);
cliRow('L2', 'an unknown option', ['translate', '--bogus', 'x'], 2, /^seq2seq-attention: Unknown option '--bogus'$/m);
cliRow('L3', 'a number option of the wrong type', ['train', '--task', 'reverse', '--epochs', 'abc', '--train-size', '20', '--test-size', '5'], 2, /^seq2seq-attention: --epochs must be an integer >= 1, got "abc"$/m);
cliRow('L4', 'an unknown task', ['train', '--task', 'nope'], 2, /^seq2seq-attention: unknown task "nope": use one of dates, scrambled, en-fr, reverse, sort, copy \(see "seq2seq-attention tasks"\), or --data PAIRS\.tsv for your own pairs$/m);
cliRow('L5', 'a size past its limit', () => ['train', '--task', 'reverse', '--hidden', '5000', '--steps', '1', '--train-size', '20', '--test-size', '5', '--out', at('x.s2s')], 1, /^seq2seq-attention: error: hidden size 5000 is out of range: it must be between 1 and 1024$/m);
cliRow('L6', '--data: an empty file', () => ['train', '--data', at('empty.tsv')], 1, /^seq2seq-attention: error: .*empty\.tsv: the pairs file has no pairs: write one source<TAB>target per line$/m);
cliRow('L7', '--data: a malformed file (no tab)', () => ['train', '--data', at('notab.tsv')], 1, /^seq2seq-attention: error: .*notab\.tsv: line 1: no tab found; each line must be source<TAB>target$/m);
cliRow('L8', '--data: too large', () => ['train', '--data', at('huge.tsv')], 1, /^seq2seq-attention: error: .*huge\.tsv is 67108865 bytes; the limit is 67108864: use a smaller file$/m);
cliRow('L9', '--model: a file that does not exist', () => ['translate', '--model', at('nothere.s2s'), 'ab'], 1, /^seq2seq-attention: error: cannot read the model: .*nothere\.s2s does not exist \(train one with /m);
cliRow('L10', '--model: not a model file', () => ['translate', '--model', at('pairs.tsv'), 'ab'], 1, /^seq2seq-attention: error: .*pairs\.tsv: not a seq2seq-attention model file: the magic bytes are wrong\. Give a model file written by "seq2seq-attention train --out FILE" \(or Translator#save\)$/m);
cliRow('L11', '--model: a truncated model file', ['translate', '--model', path.join(CORPUS, 'edge-truncated.s2s'), 'ab'], 1, /^seq2seq-attention: error: .*edge-truncated\.s2s: the model file is truncated: 1131 bytes where its header implies 2262\. Give a model file written by "seq2seq-attention train --out FILE" \(or Translator#save\)$/m);
cliRow('L12', '--model: too large', () => ['translate', '--model', at('huge.s2s'), 'ab'], 1, /^seq2seq-attention: error: .*huge\.s2s is 1073741825 bytes; model files are at most 1 GiB$/m);
cliRow('L13', 'translate: a text too long', () => ['translate', '--model', at('tiny.s2s'), 'a'.repeat(1025)], 1, /^seq2seq-attention: error: text has 1025 symbols; the limit is 1024: split it into shorter pieces$/m);
cliRow('L14', 'translate: nothing to translate (empty stdin)', () => ['translate', '--model', at('tiny.s2s')], 2, /^seq2seq-attention: no texts to translate: give them as arguments, or pipe them in one per line$/m, '');
cliRow('L15', 'translate: an option out of range', () => ['translate', '--model', at('tiny.s2s'), '--beam', '0', 'ab'], 2, /^seq2seq-attention: --beam must be an integer >= 1, got "0"$/m);
cliRow('L16', 'train: a learning rate that diverges', () => ['train', '--task', 'reverse', '--learning-rate', '1e30', '--clip-norm', '0', '--steps', '30', '--train-size', '40', '--test-size', '5', '--embed', '4', '--hidden', '4', '--attention-size', '4', '--out', at('div.s2s')], 1, /^seq2seq-attention: error: training diverged at step \d+ \(the loss or a gradient became NaN\/Inf\); the model was not written: train again with a lower --learning-rate \(it was 1e\+30\) or a --clip-norm above 0$/m);
cliRow('L23', 'a negative number', ['train', '--task', 'reverse', '--steps', '-5'], 2, /^seq2seq-attention: --steps must be an integer >= 1, got "-5"$/m);
cliRow('L24', 'translate: n-best without a beam', () => ['translate', '--model', at('tiny.s2s'), '--n-best', '3', 'ab'], 2, /^seq2seq-attention: --n-best 3 needs a beam search at least that wide: add --beam 3 \(or more\)$/m);
cliRow('L25', 'translate, eval: a beam past the limit', () => ['translate', '--model', at('tiny.s2s'), '--beam', '1000', 'ab'], 2, /^seq2seq-attention: --beam must be at most 64, got 1000$/m);
cliRow('L26', 'train: a bpe vocabulary size out of range', () => ['train', '--data', at('pairs.tsv'), '--tokenizer', 'bpe', '--vocab-size', '100'], 2, /^seq2seq-attention: --vocab-size must be an integer from 261 \(4 specials, 256 bytes, 1 character\) to 65536, got "100"$/m);
cliRow('L27', 'train: --vocab-size without --tokenizer bpe', () => ['train', '--data', at('pairs.tsv'), '--vocab-size', '2000'], 2, /^seq2seq-attention: --vocab-size and --shared-vocabulary go with --tokenizer bpe$/m);
cliRow('L28', 'train --data: a file in a mixed encoding', () => ['train', '--data', at('latin1.tsv')], 1, /^seq2seq-attention: error: .*latin1\.tsv: the pairs file is not valid UTF-8 at line 2, column 5 \(byte 0xE9\): save it as UTF-8 \(it may be Latin-1, or mix encodings\) and try again$/m);

test('more usage errors exit 2 with a hint; missing or bad files exit 1 with the reason', { timeout: 60000 }, () => {
  const cases = [
    [['train'], /--task NAME or --data/],
    [['train', '--task', 'copy', '--epochs', '0'], /--epochs must be an integer >= 1/],
    [['train', '--task', 'copy', '--epochs', '1', '--steps', '2'], /--epochs or --steps, not both/],
    [['translate', '--model', at('tiny.s2s'), '--beam', 'wide', 'x'], /--beam must be an integer/],
    [['eval', '--model', at('tiny.s2s')], /--task NAME or --data/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /seq2seq-attention help/);
  }
  fs.writeFileSync(at('junk.s2s'), 'not a model');
  const j = cli(['translate', '--model', at('junk.s2s'), 'x']);
  assert.equal(j.status, 1);
  assert.match(j.stderr, /^seq2seq-attention: error: /);
  assert.match(cli(['help']).stdout, /Usage:/);
  assert.match(cli(['tasks']).stdout, /^dates +char/m);
});
