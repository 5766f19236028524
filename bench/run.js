#!/usr/bin/env node
// The benchmark runner (issue 5): `npm run bench` (full) or `npm run bench -- --quick` (< 3 min).
// Builds what it needs (`make bench`: the wasm core, the peak loops, the kernel harness and the
// native core; a no-op when up to date), runs each part in its own Node process one after the
// other (so they do not compete for the CPU), prints every measurement as one JSON object per line
// on stdout, keeps them in bench/results/<time>.jsonl, and ends with a readable summary and the
// issue's targets checked against ratios measured in this run.
// Options: --quick, --only peak,kernels,train,tfjs,ceiling,torch,decode,growth,memory,profile,tfjs-profile,dates,scaling,vocab, --no-build
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machine } from './common.js';
import { summarize } from './summary.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyIdx = argv.indexOf('--only');
const only = onlyIdx >= 0 ? argv[onlyIdx + 1].split(',') : null;
const q = quick ? ['--quick'] : [];

const RELAXED = '--experimental-wasm-relaxed-simd';
const PARTS = [
  { name: 'peak', args: ['peak.js', ...q], node: [RELAXED] }, // its port loops include the FMA build's
  { name: 'kernels', args: ['kernels.js', ...q] },
  { name: 'train', args: ['train.js', ...q] },
  { name: 'tfjs', args: ['tfjs.js', ...q] },
  // whole steps against the ceiling, and PyTorch eager; both with the FMA build where Node has
  // relaxed SIMD behind its flag (Node 20)
  { name: 'ceiling', args: ['ceiling.js', ...q], node: [RELAXED] },
  { name: 'torch', args: ['torch.js', ...q], node: [RELAXED] },
  { name: 'decode', args: ['decode.js', ...q] },
  { name: 'growth', args: ['growth.js', ...q] },
  { name: 'memory', args: ['memory.js', ...q] },
  { name: 'profile', args: ['profile.js', ...q], full: true }, // CPU profile: which C functions take the time
  { name: 'tfjs-profile', args: ['tfjs-profile.js', 'wasm'], full: true }, // where TF.js's step goes
  { name: 'dates', args: ['dates.js'], full: true }, // ~30-60 s: full runs only (or --only dates)
  { name: 'scaling', args: ['scaling.js', ...q], full: true }, // data-parallel workers 1/2/4 (issue 9): full runs or --only scaling
  { name: 'vocab', args: ['vocab.js', ...q], full: true }, // issue 11: words vs bpe (~15 min): full runs or --only vocab
];

const records = [];
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
const outFile = path.join(here, 'results', `${stamp}${quick ? '-quick' : ''}.jsonl`);
const out = fs.createWriteStream(outFile);

function record(obj) {
  records.push(obj);
  const line = JSON.stringify(obj);
  process.stdout.write(line + '\n');
  out.write(line + '\n');
}

function build() {
  // make bench: the core's wasm and everything bench/build/ holds, each rebuilt when its sources
  // changed (a no-op when up to date), so the run never measures a stale build
  const r = spawnSync('make', ['-s', 'bench'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0) record({ bench: 'build', step: 'make bench', error: `exit ${r.status}` });
}

function runPart(part) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [...(part.node || []), ...part.args.map((a, i) => (i === 0 ? path.join(here, a) : a))], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let errTail = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        try { record({ part: part.name, ...JSON.parse(line) }); } catch { process.stderr.write(`[${part.name}] ${line}\n`); }
      }
    });
    child.stderr.on('data', (d) => {
      const s = String(d);
      errTail = (errTail + s).slice(-2000);
      // tfjs prints banners and initializer warnings on stderr: keep them out of the way
      for (const l of s.split('\n')) if (l.trim() && !/Orthogonal initializer|tfjs-node|=====|Hi, looks like/.test(l)) process.stderr.write(`[${part.name}] ${l}\n`);
    });
    child.on('close', (code) => {
      if (code !== 0) record({ part: part.name, bench: 'part', error: `exit ${code}`, stderr: errTail.slice(-500) });
      process.stderr.write(`bench: ${part.name} done in ${((Date.now() - t0) / 1e3).toFixed(1)} s\n`);
      resolve();
    });
  });
}

let commit = 'unknown';
try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(); } catch {}
const started = Date.now();
record({ bench: 'meta', date: new Date().toISOString(), quick, commit, ...machine(),
         note: 'one core per measurement; the machine is shared, so compare ratios from one run' });
if (!argv.includes('--no-build')) build();
for (const part of PARTS) {
  if (only ? !only.includes(part.name) : part.full && quick) {
    if (!only && part.full) record({ part: part.name, bench: part.name, skipped: `not in --quick; run \`node bench/${part.args[0]}\` or the full benchmark` });
    continue;
  }
  await runPart(part);
}
record({ bench: 'meta', finished: new Date().toISOString(), seconds: +((Date.now() - started) / 1e3).toFixed(1), load: machine().load });
out.end();
process.stdout.write('\n' + summarize(records) + '\n');
process.stderr.write(`bench: results in ${path.relative(root, outFile)}\n`);
