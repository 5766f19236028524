// The CLI as a user runs it: train on a task and on a TSV file (plain progress lines when
// piped), translate with a heat map, JSON and stdin, eval, and usage/file errors with exit codes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/seq2seq-attention.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 's2s-cli-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function run(args, input) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const SMALL = ['--embed', '8', '--hidden', '16', '--attention-size', '16'];
const model = join(dir, 'copy.s2s');

test('train --task writes a model and prints plain progress lines when piped', () => {
  const r = run(['train', '--task', 'copy', '--train-size', '300', '--test-size', '30', '--steps', '12', '--batch-size', '16', '--out', model, ...SMALL]);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(model));
  const lines = r.err.trim().split('\n');
  assert.match(lines[0], /copy: 300 training pairs, 30 held out/);
  assert.ok(lines.some((l) => /^step 12\/12 epoch 1 loss \d+\.\d+ \d+ ex\/s/.test(l)), r.err);
  assert.ok(!r.err.includes('\r'), 'no carriage returns when piped');
  assert.match(r.out, /trained 12 steps .* saved /);
  assert.match(r.out, /held-out exact match \d+\.\d+%  token accuracy .* BLEU .* chrF .* \(30 pairs\)/);
});

test('translate: arguments, --show-attention heat map, --json, stdin, n-best', () => {
  const plain = run(['translate', '--model', model, 'abc', 'ba']);
  assert.equal(plain.code, 0, plain.err);
  assert.equal(plain.out.trim().split('\n').length, 2);
  const map = run(['translate', '--model', model, '--show-attention', 'abc']);
  assert.equal(map.code, 0, map.err);
  const rows = map.out.trim().split('\n');
  assert.match(rows[1], /│a b c$/, 'header row lists the source symbols');
  assert.ok(rows.slice(2).every((row) => row.includes('│')));
  const json = run(['translate', '--model', model, '--json', '--beam', '3', '--n-best', '2', 'abc']);
  assert.equal(json.code, 0, json.err);
  const parsed = JSON.parse(json.out);
  assert.equal(parsed.input, 'abc');
  assert.equal(parsed.nBest.length, 2);
  const withMap = JSON.parse(run(['translate', '--model', model, '--json', '--show-attention', 'abc']).out);
  assert.deepEqual(withMap.attention.source, ['a', 'b', 'c']);
  assert.equal(withMap.attention.weights.length, withMap.attention.rows * 3);
  // one line out per line in: a blank line stays a blank line, so outputs line up with inputs
  const piped = run(['translate', '--model', model], 'ab\n\ncd\n');
  assert.equal(piped.code, 0, piped.err);
  const lines = piped.out.split('\n');
  assert.equal(lines.length, 4, JSON.stringify(piped.out));
  assert.equal(lines[1], '');
  assert.equal(lines[3], '', 'the output ends with a newline');
  assert.deepEqual([lines[0], lines[2]], run(['translate', '--model', model, 'ab', 'cd']).out.split('\n').slice(0, 2));
  const pipedJson = run(['translate', '--model', model, '--json'], 'ab\r\n \r\ncd').out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(pipedJson.map((r) => r.input), ['ab', ' ', 'cd']);
  assert.deepEqual(pipedJson[1], { input: ' ', text: '', empty: true });
  const empty = run(['translate', '--model', model], '');
  assert.equal(empty.code, 2);
  assert.match(empty.err, /no texts to translate/);
  const unknown = run(['translate', '--model', model, 'abz']);
  assert.match(unknown.err, /read as <unk>: "z" at 2/);
});

test('eval --task reuses the split the model was trained on', () => {
  const r = run(['eval', '--model', model, '--task', 'copy', '--json']);
  assert.equal(r.code, 0, r.err);
  const m = JSON.parse(r.out);
  assert.equal(m.count, 30, 'the stored task options (testSize 30) are used');
  for (const key of ['exactMatch', 'tokenAccuracy', 'bleu', 'chrf']) assert.equal(typeof m[key], 'number');
  const limited = run(['eval', '--model', model, '--task', 'copy', '--limit', '5', '--json']);
  assert.equal(JSON.parse(limited.out).count, 5);
});

test('train --data reads TSV pairs; malformed files name the line', () => {
  const tsv = join(dir, 'pairs.tsv');
  writeFileSync(tsv, Array.from({ length: 60 }, (_, i) => `w${i}\tW${i}\textra`).join('\n'));
  const out = join(dir, 'tsv.s2s');
  const r = run(['train', '--data', tsv, '--steps', '3', '--out', out, ...SMALL]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /tsv: 54 training pairs, 6 held out/);
  const e = run(['eval', '--model', out, '--data', tsv, '--json']);
  assert.equal(JSON.parse(e.out).count, 60);
  const tatoeba = join(dir, 'tatoeba.tsv');
  writeFileSync(tatoeba, Array.from({ length: 30 }, (_, i) => `${i}\tw${i}\t${100 + i}\tW${i}`).join('\n'));
  const t = run(['train', '--data', tatoeba, '--columns', '2,4', '--steps', '2', '--out', join(dir, 't.s2s'), ...SMALL]);
  assert.equal(t.code, 0, t.err);
  assert.match(t.err, /tsv: 27 training pairs, 3 held out/);
  assert.equal(run(['train', '--data', tatoeba, '--columns', '2']).code, 2);
  const bad = join(dir, 'bad.tsv');
  writeFileSync(bad, 'a\tb\nno tab\n');
  const b = run(['train', '--data', bad, '--out', join(dir, 'x.s2s')]);
  assert.equal(b.code, 1);
  assert.match(b.err, /bad\.tsv: line 2: no tab found/);
});

test('train on a terminal redraws one progress bar with the ETA', { skip: spawnSync('script', ['--version']).status !== 0 && 'no script(1) to fake a terminal' }, () => {
  const command = [process.execPath, BIN, 'train', '--task', 'copy', '--train-size', '200', '--test-size', '10', '--steps', '8',
    '--out', join(dir, 'tty.s2s'), ...SMALL].join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /\r\x1b\[K█+░* +\d+% step \d+\/8 .* ETA \d+:\d\d/);
  assert.match(r.stdout, /100% step 8\/8/);
});
