// Checkpoints through the command line (issue 15): the CLI killed with SIGKILL at random moments,
// many times, then resumed from its last checkpoint with 1, 2 or 3 workers in turn, ends with the
// byte-identical model of the run that was never killed, and the --out path never holds a
// truncated file; Ctrl+C writes a
// checkpoint; a full disk (a tiny tmpfs) gives a clear error and leaves the previous model and
// checkpoint intact; --resume's bad inputs (rows L17 on of docs/bad-input.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Translator } from '../lib/index.js';
import { createRandom } from '../lib/random.js';

const CLI = fileURLToPath(new URL('../bin/seq2seq-attention.js', import.meta.url));
const RUN = ['--task', 'copy', '--train-size', '400', '--test-size', '20', '--eval-size', '20', '--batch-size', '16',
  '--embed', '16', '--hidden', '32', '--attention-size', '16', '--schedule', 'cosine', '--seed', '3'];
const KILL_STEPS = '400';
const KILL_BUDGET_MS = Number(process.env.CHECKPOINT_KILL_BUDGET_MS ?? 45000);
let dir;
const at = (name) => path.join(dir, name);
let reference; // bytes of the uninterrupted run of RUN for KILL_STEPS steps

function cli(args, input) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input: input ?? '', timeout: 120000 });
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 's2s-ckpt-cli-'));
  const r = cli(['train', ...RUN, '--steps', KILL_STEPS, '--out', at('reference.s2s'), '--workers', '2']);
  assert.equal(r.status, 0, r.stderr);
  reference = fs.readFileSync(at('reference.s2s'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const leftovers = (folder) => fs.readdirSync(folder).filter((n) => n.includes('.tmp-'));

/** Loads a model file; throws if it is not a whole, valid one. */
async function loadsAsModel(bytes) {
  const t = await Translator.load(new Uint8Array(bytes));
  t.dispose();
}

test('SIGKILL at random moments, many times: resuming from the last checkpoint gives the same bytes; --out is never truncated', { timeout: KILL_BUDGET_MS + 120000 }, async () => {
  const random = createRandom(15).next;
  const started = Date.now();
  let killPoints = 0;
  let killedWhileWriting = 0;
  let killedAfterFinalWrite = 0;
  let chains = 0;
  while (Date.now() - started < KILL_BUDGET_MS || chains === 0) {
    chains++;
    const out = at(`killed-${chains}.s2s`);
    const checkpoint = `${out}.ckpt`;
    fs.writeFileSync(out, cheapOldModel); // a previous model at --out: it must stay whole until the run ends
    for (;;) {
      const workers = String(1 + (killPoints % 3)); // the worker count changes from start to start
      const args = fs.existsSync(checkpoint)
        ? ['train', '--resume', checkpoint, '--workers', workers]
        : ['train', ...RUN, '--steps', KILL_STEPS, '--checkpoint-every', '2', '--out', out, '--workers', workers];
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += d; });
      const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      const delay = 300 + Math.floor(random() * 1700);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const { code, signal } = await exited;
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        killPoints++;
        // --out: the previous model, or the finished one (killed after its last write), whole either way
        const now = fs.readFileSync(out);
        if (now.equals(reference)) killedAfterFinalWrite++;
        else assert.ok(now.equals(cheapOldModel), `--out holds neither the previous model nor the finished one (kill ${killPoints})`);
        if (leftovers(dir).some((name) => name.includes(`.tmp-${child.pid}-`))) killedWhileWriting++; // its temporary file is still there
        if (fs.existsSync(checkpoint)) {
          const loaded = await Translator.loadCheckpoint(new Uint8Array(fs.readFileSync(checkpoint)));
          loaded.translator.dispose();
        }
        continue;
      }
      assert.equal(code, 0, stderr);
      break;
    }
    assert.deepEqual(fs.readFileSync(out), reference, `chain ${chains}: the resumed model differs from the uninterrupted one`);
    await loadsAsModel(fs.readFileSync(out));
  }
  assert.deepEqual(leftovers(dir), [], 'the temporary files of killed writers are cleaned up by the next write');
  console.log(`# SIGKILL kill points: ${killPoints} in ${chains} runs to completion (${killedWhileWriting} while a temporary file was being written, ${killedAfterFinalWrite} after the model file was written), ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(killPoints >= 10, `only ${killPoints} kill points`);
});

// a tiny valid model, the "previous model" left at --out before a run starts
let cheapOldModel;
before(() => {
  const r = cli(['train', '--task', 'copy', '--train-size', '20', '--test-size', '5', '--steps', '1', '--embed', '4', '--hidden', '4', '--attention-size', '4', '--out', at('old.s2s')]);
  assert.equal(r.status, 0, r.stderr);
  cheapOldModel = fs.readFileSync(at('old.s2s'));
});

test('Ctrl+C writes a checkpoint; --resume with no options continues to the same model', { timeout: 120000 }, async () => {
  const out = at('interrupted.s2s');
  const child = spawn(process.execPath, [CLI, 'train', ...RUN, '--steps', KILL_STEPS, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  let sent = false;
  child.stderr.on('data', (d) => {
    if (!sent && /step \d+\/400/.test(String(d))) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  assert.match(stdout, /\(stopped early\)/);
  assert.match(stdout, new RegExp(`checkpoint ${out.replace(/[.]/g, '\\.')}\\.ckpt at step \\d+: continue with "seq2seq-attention train --resume`));
  const r = cli(['train', '--resume', `${out}.ckpt`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /resuming at step \d+ of 400/);
  assert.deepEqual(fs.readFileSync(out), reference);
});

test('a full disk (a 320 KiB tmpfs): a clear error, the previous model and checkpoint intact and still usable', { timeout: 120000 }, async (t) => {
  const mount = at('tiny');
  fs.mkdirSync(mount);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=320k', 'tmpfs', mount], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(`cannot mount a tmpfs here (needs root): ${mounted.stderr.trim()}`);
    return;
  }
  try {
    const small = ['--task', 'copy', '--train-size', '200', '--test-size', '10', '--batch-size', '16', '--embed', '8', '--hidden', '16', '--attention-size', '16', '--seed', '2'];
    const out = path.join(mount, 'model.s2s');
    const first = cli(['train', ...small, '--steps', '30', '--checkpoint-every', '10', '--out', out]);
    assert.equal(first.status, 0, first.stderr);
    const model = fs.readFileSync(out);
    const checkpoint = fs.readFileSync(`${out}.ckpt`);
    // fill the disk
    const filler = fs.openSync(path.join(mount, 'filler'), 'w');
    try {
      const block = Buffer.alloc(4096, 1);
      for (;;) fs.writeSync(filler, block);
    } catch (error) {
      assert.equal(error.code, 'ENOSPC');
    } finally {
      fs.closeSync(filler);
    }
    const full = cli(['train', ...small, '--steps', '30', '--checkpoint-every', '10', '--out', out]);
    assert.equal(full.status, 1, full.stderr);
    assert.match(full.stderr, /^seq2seq-attention: warning: could not write the checkpoint at step 10: cannot write .*model\.s2s\.ckpt: no space left on the device: free some space; the previous model\.s2s\.ckpt, if there was one, is unchanged; training goes on$/m);
    assert.match(full.stderr, /^seq2seq-attention: error: cannot write .*model\.s2s: no space left on the device: free some space; the previous model\.s2s, if there was one, is unchanged$/m);
    assert.doesNotMatch(full.stderr, /\n\s+at .*\.js:\d+/, 'no stack trace');
    assert.deepEqual(fs.readFileSync(out), model, 'the previous model is intact');
    assert.deepEqual(fs.readFileSync(`${out}.ckpt`), checkpoint, 'the previous checkpoint is intact');
    assert.deepEqual(leftovers(mount), [], 'no temporary files left on the full disk');
    // room again: the old checkpoint resumes to the model of an uninterrupted run
    fs.rmSync(path.join(mount, 'filler'));
    const resumed = cli(['train', '--resume', `${out}.ckpt`, '--out', path.join(mount, 'resumed.s2s')]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(fs.readFileSync(path.join(mount, 'resumed.s2s')), model);
  } finally {
    spawnSync('umount', [mount]);
  }
});

// ---- --resume's bad inputs: rows of docs/bad-input.md --------------------------------------------
function cliRow(id, title, args, status, message) {
  test(`[${id}] ${title}`, { timeout: 60000 }, () => {
    const r = cli(typeof args === 'function' ? args() : args);
    if (process.env.PRINT_BAD_INPUT) console.log(`ROW ${id} exit ${r.status} ${r.stderr.trim().split('\n').filter((l) => l.startsWith('seq2seq-attention:')).join(' / ')}`);
    assert.equal(r.status, status, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\.js:\d+/, 'no stack trace');
  });
}

const SMALL = ['--task', 'copy', '--train-size', '60', '--test-size', '5', '--batch-size', '16', '--embed', '4', '--hidden', '8', '--attention-size', '8'];
let smallCheckpoint;
before(() => {
  const r = cli(['train', ...SMALL, '--steps', '9', '--checkpoint-every', '4', '--out', at('small.s2s')]);
  assert.equal(r.status, 0, r.stderr);
  smallCheckpoint = fs.readFileSync(at('small.s2s.ckpt'));
  fs.writeFileSync(at('cut.ckpt'), smallCheckpoint.subarray(0, 1000));
  fs.writeFileSync(at('pairs.tsv'), Array.from({ length: 30 }, (_, i) => `a${i}\tb${i}`).join('\n'));
  const d = cli(['train', '--data', at('pairs.tsv'), '--steps', '5', '--checkpoint-every', '2', '--embed', '4', '--hidden', '8', '--attention-size', '8', '--batch-size', '4', '--out', at('data.s2s')]);
  assert.equal(d.status, 0, d.stderr);
  fs.appendFileSync(at('pairs.tsv'), '\nzz\tyy');
});

cliRow('L17', '--resume: a checkpoint that does not exist', () => ['train', '--resume', at('nothere.ckpt')], 1, /^seq2seq-attention: error: cannot resume: .*nothere\.ckpt does not exist \(train with --checkpoint-every N to write checkpoints\)$/m);
cliRow('L18', '--resume: a truncated checkpoint', () => ['train', '--resume', at('cut.ckpt')], 1, /^seq2seq-attention: error: .*cut\.ckpt: the checkpoint is truncated: 1000 bytes where its contents imply at least \d+; resume from an older copy of the checkpoint if you have one, or start the run again$/m);
cliRow('L19', '--resume: a model file instead of its checkpoint', () => ['train', '--resume', at('small.s2s')], 1, /^seq2seq-attention: error: .*small\.s2s: this is a model file, not a checkpoint: give it to translate\/eval \(or train a new run\), or resume from the \.ckpt file written next to it$/m);
cliRow('L20', '--resume with another option', () => ['train', '--resume', at('small.s2s.ckpt'), '--batch-size', '32'], 2, /^seq2seq-attention: --resume: the run was started with --batch-size 16, not --batch-size 32: leave the option out \(the checkpoint has the run's options\) or start a new run without --resume$/m);
cliRow('L21', '--resume after the data file changed', () => ['train', '--resume', at('data.s2s.ckpt')], 1, /^seq2seq-attention: error: resume: the run was on other pairs \(\d+ pairs, fingerprint [0-9a-f]{8}; these are \d+, [0-9a-f]{8}\): give the same training pairs$/m);
cliRow('L22', '--checkpoint-every 0', ['train', '--task', 'copy', '--checkpoint-every', '0'], 2, /^seq2seq-attention: --checkpoint-every must be an integer >= 1, got "0"$/m);

test('the same option given again with --resume is accepted (also as another spelling of the number)', () => {
  const r = cli(['train', '--resume', at('small.s2s.ckpt'), '--batch-size', '16.0', '--task', 'copy', '--out', at('small-again.s2s')]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readFileSync(at('small-again.s2s')), fs.readFileSync(at('small.s2s')));
});
