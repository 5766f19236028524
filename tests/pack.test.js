// The way users get the library: `npm pack`, install the tarball into a fresh project (offline:
// the package has no dependencies), import it from Node, train a few steps, translate, save and
// load, and run the installed CLI. Needs the wasm builds (make wasm) like the rest of the suite.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 's2s-pack-'));
const project = join(dir, 'app');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npmEnv = { ...process.env, npm_config_cache: join(dir, 'npm-cache'), npm_config_update_notifier: 'false' };
test.after(() => rmSync(dir, { recursive: true, force: true }));

let tarball;

test('npm pack ships the library, the CLI, the types and the three wasm builds, and nothing else', () => {
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, env: npmEnv, encoding: 'utf8' });
  const [info] = JSON.parse(out);
  tarball = join(dir, info.filename);
  assert.ok(existsSync(tarball));
  const files = info.files.map((f) => f.path);
  for (const needed of ['package.json', 'lib/index.js', 'lib/index.d.ts', 'lib/core.js', 'lib/translator.js', 'lib/worker.js',
    'lib/worker-client.js', 'lib/tasks/index.js', 'bin/seq2seq-attention.js', 'build/wasm/s2s-simd.wasm', 'build/wasm/s2s-scalar.wasm',
    'build/wasm/s2s-fma.wasm']) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  for (const f of files) assert.doesNotMatch(f, /^(tests|c_src|web|bench|node_modules)\//, `${f} should not be shipped`);
  assert.equal(Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies ?? {}).length, 0, 'no runtime dependencies');
});

test('install the tarball in a fresh project, import, train, translate, save/load', () => {
  assert.ok(tarball, 'npm pack ran');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project, env: npmEnv, stdio: 'pipe' });
  writeFileSync(join(project, 'main.js'), `
    import { Translator, Seq2Seq, tasks, TranslatorWorker, corpusBleu } from 'seq2seq-attention';
    const data = tasks.reverse({ trainSize: 200, testSize: 10, maxLength: 5, alphabet: 'abc' });
    const model = await Translator.create({ pairs: data.train, embed: 8, hidden: 16, attentionSize: 16 });
    const report = await model.train(data.train, { steps: 5, batchSize: 16 });
    const first = model.translate('abc');
    const loaded = await Translator.load(model.save());
    const second = loaded.translate('abc');
    const remote = await TranslatorWorker.load(model.save());
    const fromWorker = await remote.translate('abc');
    await remote.dispose();
    const core = await Seq2Seq.load(model.save());
    const coreIds = core.translateTokens(model.encodeSource('abc').ids, { maxLength: 50 }).tokens;
    core.dispose();
    console.log(JSON.stringify({ steps: report.steps, backend: model.backend, first: first.text, second: second.text,
      ids: Array.from(first.ids), rows: first.attention.rows, worker: fromWorker.text, coreIds: Array.from(coreIds),
      bleu: [corpusBleu([['a', 'b', 'c', 'd']], [['a', 'b', 'c', 'd']]).score, corpusBleu([['a', 'b', 'c', 'd']], [['w', 'x', 'y', 'z']]).score] }));
  `);
  const out = JSON.parse(execFileSync(process.execPath, ['main.js'], { cwd: project, encoding: 'utf8' }));
  assert.equal(out.steps, 5);
  assert.ok(['simd', 'scalar'].includes(out.backend));
  assert.equal(out.second, out.first, 'the loaded model translates as the saved one');
  assert.equal(out.worker, out.first, 'the model loaded in a worker translates as the saved one');
  assert.deepEqual(out.coreIds, out.ids, 'the low-level Seq2Seq on the same file decodes the same ids');
  assert.equal(out.rows, out.ids.length);
  assert.ok(Math.abs(out.bleu[0] - 100) < 1e-9 && out.bleu[1] === 0, `BLEU of a perfect and a wrong output: ${out.bleu}`);
});

test('the installed CLI trains, translates and evaluates', () => {
  const bin = join(project, 'node_modules', '.bin', 'seq2seq-attention');
  assert.ok(existsSync(bin), 'npm linked the bin');
  const run = (args) => spawnSync(bin, args, { cwd: project, encoding: 'utf8', timeout: 60000 });
  const train = run(['train', '--task', 'copy', '--train-size', '200', '--test-size', '20', '--steps', '4', '--hidden', '16', '--out', 'm.s2s']);
  assert.equal(train.status, 0, train.stderr);
  assert.match(train.stdout, /saved m\.s2s/);
  const translate = run(['translate', '--model', 'm.s2s', '--show-attention', 'abc']);
  assert.equal(translate.status, 0, translate.stderr);
  assert.match(translate.stdout, /│a b c/);
  const evaluate = run(['eval', '--model', 'm.s2s', '--task', 'copy', '--json']);
  assert.equal(evaluate.status, 0, evaluate.stderr);
  assert.equal(JSON.parse(evaluate.stdout).count, 20);
});
