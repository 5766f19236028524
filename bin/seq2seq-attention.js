#!/usr/bin/env node
// seq2seq-attention: the command line for the library: train a model on a built-in task or a
// TSV file, translate with it, and evaluate it. Progress goes to stderr (a redrawn bar on a
// terminal, plain lines when piped); results go to stdout.

import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MAX_SEQUENCE_LENGTH, Translator, displayPiece, generateTask, taskNames, tasks, CHECKPOINT_LIMITS, decodeCheckpoint } from '../lib/index.js';
import { fmaSupported } from '../lib/wasm.js';
import { MAX_BEAM, MAX_FILE, MAX_VOCAB } from '../lib/limits.js';
import { MIN_BPE_VOCABULARY_SIZE } from '../lib/bpe.js';
import { writeFileAtomic } from './atomic-write.js';

const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

const USAGE = `seq2seq-attention: train, translate and evaluate seq2seq models with attention

Usage:
  seq2seq-attention train (--task NAME | --data PAIRS.tsv) [--out MODEL.s2s] [options]
  seq2seq-attention train --resume MODEL.s2s.ckpt
  seq2seq-attention translate --model MODEL.s2s [--beam N] [--show-attention] [TEXT ...]
  seq2seq-attention eval --model MODEL.s2s (--task NAME | --data PAIRS.tsv) [--beam N]
  seq2seq-attention tasks
  seq2seq-attention help | --version

Tasks: ${taskNames.join(', ')}.

train options:
  --task NAME          a built-in task (generated with --seed, --train-size, --test-size)
  --data FILE          tab-separated pairs (source<TAB>target per line, UTF-8); 10% held out
  --test-fraction F    the held-out share of --data (default 0.1)
  --columns S,T        1-based source and target columns of --data (default 1,2; 2,4 for
                       Tatoeba's id/sentence/id/translation files; also for eval)
  --tokenizer T        char | word | bpe (default: the task's; char for --data); bpe learns
                       subword pieces from the training pairs (docs/tokenizers.md)
  --vocab-size N       bpe: vocabulary size per side, 261..65536 (default 2000)
  --shared-vocabulary  bpe: one vocabulary learned from both sides
  --out FILE           where to write the model (default NAME.s2s)
  --epochs N           passes over the training pairs (default 10)
  --steps N            train for N batches instead of --epochs
  --batch-size N       (default 64)      --learning-rate X   (default 0.003)
  --schedule S         constant | cosine (default constant)
  --clip-norm X        gradient clipping by global norm, 0 for none (default 5)
  --cell C             rnn | gru | lstm (default gru)
  --attention A        additive | dot | none (default additive)
  --embed N --hidden N --attention-size N   sizes (defaults 32, 64, 64)
  --seed N             seeds the task, the weights and the shuffling (default 1)
  --train-size N --test-size N              task sizes (task defaults)
  --eval-every N       evaluate on 200 held-out pairs every N steps
  --eval-size N        held-out pairs scored at the end (default 500)
  --backend B          auto | simd | scalar | fma (default auto; fma: fused multiply-add via
                       relaxed SIMD, faster, not bit-identical; Node 20 needs
                       --experimental-wasm-relaxed-simd, which the CLI adds itself)
  --workers N          threads training data-parallel: N or auto (default auto: the machine's
                       cores, at most 8); the model file is the same for every N
  --checkpoint-every N write a checkpoint every N steps (and on Ctrl+C) to MODEL.s2s.ckpt
  --resume CHECKPOINT  continue the run a checkpoint holds, with its data and options (any
                       option given must be the one the run was started with; --workers and
                       --checkpoint-every may change): the model ends byte-identical

Every file is written atomically (a temporary file, flushed, then renamed): a crash or a full
disk leaves the old file or the new one, never a truncated one.

translate options:
  TEXT ...             texts to translate; without any, one text per line from stdin
  --beam N             beam width (default 1: greedy)   --n-best N   hypotheses to show
  --max-length N       longest output    --length-penalty X   beam ranks by logP / len^X
  --show-attention     print a text heat map of the attention weights
  --json               one JSON object per line (with --show-attention: the matrix too)

eval options:
  --task NAME          score on that task's test split (the model's own seed and sizes if it
                       was trained on this task), or --data FILE to score every pair in a file
  --split S            test | train (default test)   --limit N   score at most N pairs
  --beam N  --max-length N  --json

translate and eval also take --backend auto | simd | scalar | fma.
`;

const OPTIONS = {
  task: { type: 'string' }, data: { type: 'string' }, 'test-fraction': { type: 'string' },
  tokenizer: { type: 'string' }, 'vocab-size': { type: 'string' }, 'shared-vocabulary': { type: 'boolean' }, out: { type: 'string' }, epochs: { type: 'string' }, steps: { type: 'string' },
  'batch-size': { type: 'string' }, 'learning-rate': { type: 'string' }, schedule: { type: 'string' },
  'clip-norm': { type: 'string' }, cell: { type: 'string' }, attention: { type: 'string' },
  embed: { type: 'string' }, hidden: { type: 'string' }, 'attention-size': { type: 'string' },
  seed: { type: 'string' }, 'train-size': { type: 'string' }, 'test-size': { type: 'string' },
  'eval-every': { type: 'string' }, 'eval-size': { type: 'string' }, backend: { type: 'string' }, workers: { type: 'string' },
  'checkpoint-every': { type: 'string' }, resume: { type: 'string' },
  model: { type: 'string' }, beam: { type: 'string' }, 'n-best': { type: 'string' }, 'max-length': { type: 'string' },
  'length-penalty': { type: 'string' }, 'show-attention': { type: 'boolean' }, json: { type: 'boolean' },
  split: { type: 'string' }, columns: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
};

class UsageError extends Error {}

function int(values, name, fallback, min = 1) {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function num(values, name, fallback, min = 0) {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number >= ${min}, got "${raw}"`);
  return n;
}

function allow(values, command, names) {
  for (const key of Object.keys(values)) {
    if (!names.includes(key)) throw new UsageError(`--${key} is not an option of "${command}"`);
  }
}

async function readModel(path, backend = 'auto') {
  if (!path) throw new UsageError('--model MODEL.s2s is required');
  let bytes;
  try {
    const info = await stat(path);
    if (info.size > MAX_FILE) throw new Error(`${path} is ${info.size} bytes; model files are at most ${MAX_FILE / 2 ** 30} GiB`);
    bytes = await readFile(path);
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error(`cannot read the model: ${path} does not exist (train one with "seq2seq-attention train --task dates --out ${path}")`);
    throw error;
  }
  try {
    return await Translator.load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { backend });
  } catch (error) {
    if (error.code !== 'BAD_FILE') throw error;
    error.message = `${path}: ${error.message}. Give a model file written by "seq2seq-attention train --out FILE" (or Translator#save)`;
    throw error;
  }
}

/** A built-in task name from the command line, checked (a usage mistake, exit 2). */
function taskName(name) {
  if (!taskNames.includes(name)) {
    throw new UsageError(`unknown task "${name}": use one of ${taskNames.join(', ')} (see "seq2seq-attention tasks"), or --data PAIRS.tsv for your own pairs`);
  }
  return name;
}

/** --beam and --max-length, checked against the library's limits before a model is read. */
function decodingOptions(values) {
  const options = { beam: int(values, 'beam', 1) };
  if (options.beam > MAX_BEAM) throw new UsageError(`--beam must be at most ${MAX_BEAM}, got ${options.beam}`);
  if (values['max-length'] !== undefined) {
    options.maxLength = int(values, 'max-length');
    if (options.maxLength > MAX_SEQUENCE_LENGTH) throw new UsageError(`--max-length must be at most ${MAX_SEQUENCE_LENGTH}, got ${options.maxLength}`);
  }
  return options;
}

function columnsOption(values) {
  if (values.columns === undefined) return [0, 1];
  const parts = values.columns.split(',').map(Number);
  if (parts.length !== 2 || !parts.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new UsageError(`--columns must be two 1-based column numbers like 1,2 or 2,4, got "${values.columns}"`);
  }
  return parts.map((n) => n - 1);
}

async function readPairsFile(path, options = {}) {
  let bytes;
  try {
    const info = await stat(path);
    const limit = options.maxBytes ?? tasks.TSV_LIMITS.maxBytes;
    if (info.size > limit) throw new Error(`${path} is ${info.size} bytes; the limit is ${limit}: use a smaller file`);
    bytes = await readFile(path);
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error(`cannot read ${path}: no such file`);
    throw error;
  }
  try {
    return tasks.fromTSV(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
  } catch (error) {
    error.message = `${path}: ${error.message}`;
    throw error;
  }
}

function formatDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** Progress on stderr: a bar redrawn in place on a terminal, a plain line every 5% otherwise. */
function progressPrinter(stream) {
  const tty = Boolean(stream.isTTY);
  let lastPlain = -1;
  let lastDraw = 0;
  let lineOpen = false; // a bar is on screen without its newline yet
  return {
    update(p) {
      const fraction = p.step / p.totalSteps;
      const eta = fraction > 0 ? (p.elapsedMs / fraction) * (1 - fraction) : 0;
      const evalText = p.eval ? ` exact ${(100 * p.eval.exactMatch).toFixed(1)}%` : '';
      const threads = p.workers > 1 ? ` on ${p.workers} workers` : ' on 1 worker';
      const stats = `step ${p.step}/${p.totalSteps} epoch ${p.epoch} loss ${p.loss.toFixed(4)} ${Math.round(p.examplesPerSecond)} ex/s${threads}`;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && p.step !== p.totalSteps && !p.eval) return;
        lastDraw = now;
        const width = 24;
        const filled = Math.round(fraction * width);
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
        stream.write(`\r\x1b[K${bar} ${(100 * fraction).toFixed(0).padStart(3)}% ${stats} ETA ${formatDuration(eta)}${evalText}`);
        lineOpen = true;
        if (p.step === p.totalSteps) {
          stream.write('\n');
          lineOpen = false;
        }
      } else {
        const bucket = Math.floor(fraction * 20);
        if (bucket === lastPlain && !p.eval) return;
        lastPlain = bucket;
        stream.write(`${stats} elapsed ${formatDuration(p.elapsedMs)} eta ${formatDuration(eta)}${evalText}\n`);
      }
    },
    end() {
      if (lineOpen) stream.write('\n');
    },
  };
}

function formatMetrics(m) {
  return `exact match ${(100 * m.exactMatch).toFixed(2)}%  token accuracy ${(100 * m.tokenAccuracy).toFixed(2)}%  BLEU ${m.bleu.toFixed(2)}  chrF ${m.chrf.toFixed(2)}  (${m.count} pairs)`;
}

/** --workers: 'auto' or a positive integer. */
function workersOption(values) {
  const text = values.workers;
  if (text === undefined || text === 'auto') return 'auto';
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > 256) {
    throw new UsageError(`--workers must be auto or a whole number from 1 to 256 (1: no extra thread), got "${text}"`);
  }
  return Number(text);
}

// The options that define a training run: a checkpoint keeps them, and --resume reuses them.
// (--workers and --checkpoint-every do not change the model, so a resumed run may change them.)
const RUN_OPTIONS = ['task', 'data', 'test-fraction', 'columns', 'tokenizer', 'epochs', 'steps', 'batch-size',
  'learning-rate', 'schedule', 'clip-norm', 'cell', 'attention', 'embed', 'hidden', 'attention-size', 'seed',
  'train-size', 'test-size', 'eval-every', 'eval-size', 'backend', 'vocab-size', 'shared-vocabulary'];
const CHECKPOINT_APP = 'seq2seq-attention train';

/** The checkpoint at `path`, loaded: { translator, session, app }. */
async function readCheckpoint(path) {
  let bytes;
  try {
    const info = await stat(path);
    if (info.size > CHECKPOINT_LIMITS.maxBytes) throw new Error(`${path} is ${info.size} bytes; checkpoints are at most ${CHECKPOINT_LIMITS.maxBytes}`);
    bytes = await readFile(path);
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error(`cannot resume: ${path} does not exist (train with --checkpoint-every N to write checkpoints)`);
    throw error;
  }
  let loaded;
  try {
    loaded = await Translator.loadCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    const olderCopy = error.code === 'BAD_FILE' && !/^this is a model file/.test(error.message);
    error.message = `${path}: ${error.message}${olderCopy ? '; resume from an older copy of the checkpoint if you have one, or start the run again' : ''}`;
    throw error;
  }
  if (loaded.app?.program !== CHECKPOINT_APP || loaded.session === null) {
    loaded.translator.dispose();
    throw new Error(`${path}: this checkpoint was not written by "seq2seq-attention train" in the middle of a run, so there is no run to resume: load it with Translator.loadCheckpoint`);
  }
  return loaded;
}

/** The backend a checkpoint was written on, or null if it cannot be read (train then says why). */
async function checkpointBackend(path) {
  try {
    return decodeCheckpoint(new Uint8Array(await readFile(path))).state.backend;
  } catch {
    return null;
  }
}

/** The run's options from a checkpoint, with the ones given now checked against them. */
function resumeOptions(values, app) {
  const stored = app.options ?? {};
  for (const name of RUN_OPTIONS) {
    if (values[name] === undefined) continue;
    const before = stored[name];
    const given = String(values[name]);
    const same = before !== undefined && (before === given || (before.trim() !== '' && given.trim() !== '' && Number(before) === Number(given)));
    if (!same) {
      throw new UsageError(`--resume: the run was started ${before === undefined ? `without --${name}` : `with --${name} ${before}`}, not --${name} ${values[name]}: leave the option out (the checkpoint has the run's options) or start a new run without --resume`);
    }
  }
  return {
    ...stored, resume: values.resume, out: values.out ?? app.out,
    'checkpoint-every': values['checkpoint-every'] ?? app.checkpointEvery ?? undefined, workers: values.workers ?? app.workers ?? undefined,
  };
}

async function train(values) {
  allow(values, 'train', [...RUN_OPTIONS, 'out', 'workers', 'checkpoint-every', 'resume']);
  let resumed = null;
  if (values.resume !== undefined) {
    resumed = await readCheckpoint(values.resume);
    try {
      values = resumeOptions(values, resumed.app);
    } catch (error) {
      resumed.translator.dispose();
      throw error;
    }
  }
  let model = resumed?.translator;
  try {
    model = await trainRun(values, resumed);
  } finally {
    model?.dispose();
  }
}

/** Trains as `values` say (continuing `resumed` if given); returns the model. */
async function trainRun(values, resumed) {
  if (Boolean(values.task) === Boolean(values.data)) throw new UsageError('train needs --task NAME or --data PAIRS.tsv (one of them)');
  if (values.epochs !== undefined && values.steps !== undefined) throw new UsageError('give --epochs or --steps, not both');
  // Every number is checked before the task is generated or read, so a typo fails at once.
  for (const name of ['epochs', 'steps', 'batch-size', 'embed', 'hidden', 'attention-size', 'eval-every']) int(values, name, 1);
  if (!(Number(values['learning-rate'] ?? 1) > 0) || !Number.isFinite(Number(values['learning-rate'] ?? 1))) {
    throw new UsageError(`--learning-rate must be a number > 0, got "${values['learning-rate']}"`);
  }
  num(values, 'clip-norm', 5);
  int(values, 'eval-size', 0, 0);
  const bpe = values.tokenizer === 'bpe';
  if ((values['vocab-size'] !== undefined || values['shared-vocabulary']) && !bpe) {
    throw new UsageError('--vocab-size and --shared-vocabulary go with --tokenizer bpe');
  }
  if (values['vocab-size'] !== undefined) {
    const n = Number(values['vocab-size']);
    if (!Number.isInteger(n) || n < MIN_BPE_VOCABULARY_SIZE || n > MAX_VOCAB) {
      throw new UsageError(`--vocab-size must be an integer from ${MIN_BPE_VOCABULARY_SIZE} (4 specials, 256 bytes, 1 character) to ${MAX_VOCAB}, got "${values['vocab-size']}"`);
    }
  }
  const seed = int(values, 'seed', 1, 0);
  const checkpointEvery = int(values, 'checkpoint-every', 0, 1);
  let task;
  let info;
  if (values.task) {
    if (values['test-fraction'] !== undefined || values.columns !== undefined) {
      throw new UsageError('--test-fraction and --columns go with --data; with --task use --test-size');
    }
    const taskOptions = { seed };
    if (values['train-size'] !== undefined) taskOptions.trainSize = int(values, 'train-size');
    if (values['test-size'] !== undefined) taskOptions.testSize = int(values, 'test-size', 0, 0);
    task = generateTask(taskName(values.task), taskOptions);
    info = { task: task.name, taskOptions: task.options };
  } else {
    if (values['train-size'] !== undefined || values['test-size'] !== undefined) {
      throw new UsageError('--train-size/--test-size go with --task; with --data use --test-fraction');
    }
    task = await readPairsFile(values.data, {
      seed, testFraction: num(values, 'test-fraction', 0.1), tokenizer: values.tokenizer ?? 'char', columns: columnsOption(values),
    });
    info = { data: values.data };
    process.stderr.write(describeCorpus(values.data, task));
  }
  const out = values.out ?? `${task.name}.s2s`;
  const checkpointPath = `${out}.ckpt`;
  const workers = workersOption(values);
  const started = Date.now();
  const model = resumed ? resumed.translator : await Translator.create({
    pairs: task.train,
    tokenizer: values.tokenizer ?? task.tokenizer,
    cell: values.cell ?? 'gru',
    attention: values.attention ?? 'additive',
    embed: int(values, 'embed', 32),
    hidden: int(values, 'hidden', 64),
    attentionSize: int(values, 'attention-size', 64),
    seed,
    backend: values.backend ?? 'auto',
    ...(bpe ? { vocabSize: int(values, 'vocab-size', 2000), sharedVocabulary: String(values['shared-vocabulary']) === 'true' } : {}),
    info,
  });
  const evalSize = int(values, 'eval-size', 500, 0);
  const heldOut = task.test.slice(0, evalSize);
  const vocabularies = model.tokenizer.source === 'bpe' || model.tokenizer.target === 'bpe'
    ? `; vocabularies ${model.config.srcVocabSize}/${model.config.tgtVocabSize} (${model.tokenizer.source}/${model.tokenizer.target}${resumed ? '' : `, learned in ${formatDuration(Date.now() - started)}`})` : '';
  process.stderr.write(`${task.name}: ${task.train.length} training pairs, ${task.test.length} held out; ` +
    `${model.config.cell}/${model.config.attention}, backend ${model.backend}${vocabularies}` +
    `${resumed ? `; resuming at step ${resumed.session.step} of ${resumed.session.totalSteps} from ${values.resume}` : ''}\n`);
  const session = model.session(task.train, {
    ...(values.steps !== undefined ? { steps: int(values, 'steps') } : { epochs: int(values, 'epochs', 10) }),
    batchSize: int(values, 'batch-size', 64),
    learningRate: num(values, 'learning-rate', 3e-3),
    schedule: values.schedule ?? 'constant',
    clipNorm: num(values, 'clip-norm', 5),
    shuffleSeed: seed,
    workers,
    ...(values['eval-every'] !== undefined && heldOut.length > 0
      ? { evaluate: { pairs: heldOut.slice(0, 200), every: int(values, 'eval-every') } } : {}),
    ...(resumed ? { resume: resumed.session } : {}),
  });
  const app = {
    program: CHECKPOINT_APP, out, checkpointEvery: values['checkpoint-every'] ?? null, workers: values.workers ?? null,
    options: Object.fromEntries(RUN_OPTIONS.filter((k) => values[k] !== undefined).map((k) => [k, String(values[k])])),
  };
  const printer = progressPrinter(process.stderr);
  let checkpointed = null;
  const writeCheckpoint = async () => {
    try {
      await writeFileAtomic(checkpointPath, model.checkpoint({ session, app }));
      checkpointed = session.step;
    } catch (error) {
      printer.end();
      process.stderr.write(`seq2seq-attention: warning: could not write the checkpoint at step ${session.step}: ${error.message}; training goes on\n`);
    }
  };
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let report;
  try {
    // Runs of up to --checkpoint-every steps (ending on its multiples), a checkpoint after each,
    // and one when Ctrl+C stops the run.
    for (;;) {
      const limit = checkpointEvery > 0 ? { maxSteps: checkpointEvery - (session.step % checkpointEvery) } : {};
      report = await session.run({ ...limit, signal: controller.signal, onProgress: (p) => printer.update(p) });
      if (session.done) break;
      await writeCheckpoint();
      if (report.stopped) break;
    }
  } catch (error) {
    if (error.code !== 'DIVERGED') throw error;
    // The library's advice names API options; say it with this command's.
    const clip = num(values, 'clip-norm', 5) === 0 ? ' or a --clip-norm above 0' : '';
    error.message = `training diverged at step ${error.step} (the loss or a gradient became NaN/Inf); the model was not written: ` +
      `train again with a lower --learning-rate (it was ${num(values, 'learning-rate', 3e-3)})${clip}`;
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    printer.end();
    await session.close();
  }
  await writeFileAtomic(out, model.save());
  const lines = [`trained ${report.steps} steps (${report.epochs.toFixed(2)} epochs) in ${formatDuration(report.elapsedMs)}` +
    `${report.stopped ? ' (stopped early)' : ''}, final loss ${report.loss.toFixed(4)}; saved ${out}`];
  if (report.stopped && checkpointed === report.steps) lines.push(`checkpoint ${checkpointPath} at step ${report.steps}: continue with "seq2seq-attention train --resume ${checkpointPath}"`);
  if (heldOut.length > 0) lines.push(`held-out ${formatMetrics(model.evaluate(heldOut))}`);
  lines.push(`total time ${formatDuration(Date.now() - started)}`);
  process.stdout.write(lines.join('\n') + '\n');
  return model;
}

const SHADES = [' ', '░', '▒', '▓', '█'];

function showSymbol(s) {
  return s === ' ' ? '␣' : s === '\t' ? '⇥' : displayPiece(s);
}

/** The corpus before training: pairs, split, mean lengths and a length histogram (stderr). */
function describeCorpus(path, task) {
  const d = tasks.describePairs(task.train.concat(task.test));
  const lines = [`${path}: ${d.pairs} distinct pairs (${task.train.length} to train on, ${task.test.length} held out); ` +
    `source ${d.source.meanWords.toFixed(1)} words / ${d.source.meanChars.toFixed(1)} characters on average (longest ${d.source.maxWords} / ${d.source.maxChars}), ` +
    `target ${d.target.meanWords.toFixed(1)} / ${d.target.meanChars.toFixed(1)} (longest ${d.target.maxWords} / ${d.target.maxChars})`];
  const top = Math.max(1, ...d.histogram.map((b) => Math.max(b.source, b.target)));
  lines.push('  words      source  target');
  for (const b of d.histogram) {
    const range = b.from === b.to ? String(b.from) : `${b.from}-${b.to}`;
    lines.push(`  ${range.padEnd(8)} ${String(b.source).padStart(8)} ${String(b.target).padStart(7)}  ${'█'.repeat(Math.round((24 * b.source) / top))}`);
  }
  return lines.join('\n') + '\n';
}

/** Text heat map: one row per output symbol, one column per source symbol. */
function heatMap({ weights, rows, cols, source, target }) {
  const widths = source.map((s) => Math.max(1, Array.from(showSymbol(s)).length));
  const label = Math.max(...target.map((t) => Array.from(showSymbol(t)).length), 1);
  const lines = [' '.repeat(label) + ' │' + source.map((s, j) => showSymbol(s).padEnd(widths[j])).join(' ')];
  for (let i = 0; i < rows; i++) {
    const cells = [];
    for (let j = 0; j < cols; j++) {
      const w = weights[i * cols + j];
      cells.push(SHADES[Math.min(SHADES.length - 1, Math.floor(w * SHADES.length))].repeat(widths[j]));
    }
    lines.push(showSymbol(target[i]).padStart(label) + ' │' + cells.join(' '));
  }
  return lines.join('\n');
}

/** stdin's lines (a final newline ends the last line, it does not start another). */
async function readStdinLines() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const lines = Buffer.concat(chunks).toString('utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

async function translate(values, texts) {
  allow(values, 'translate', ['model', 'beam', 'n-best', 'max-length', 'length-penalty', 'show-attention', 'json', 'backend']);
  const options = { ...decodingOptions(values), nBest: int(values, 'n-best', 1), lengthPenalty: num(values, 'length-penalty', 0) };
  if (options.nBest > options.beam) {
    throw new UsageError(`--n-best ${options.nBest} needs a beam search at least that wide: add --beam ${options.nBest} (or more)`);
  }
  if (texts.length === 0) {
    if (process.stdin.isTTY) throw new UsageError('give the texts to translate as arguments, or pipe them in one per line');
    texts = await readStdinLines();
    if (texts.every((t) => t.trim() === '')) throw new UsageError('no texts to translate: give them as arguments, or pipe them in one per line');
  }
  const model = await readModel(values.model, values.backend);
  try {
    for (const text of texts) {
      if (text.trim() === '') { // a blank line in gives a blank line out, so the lines stay aligned
        process.stdout.write(values.json ? `${JSON.stringify({ input: text, text: '', empty: true })}\n` : '\n');
        continue;
      }
      const r = model.translate(text, options);
      if (values.json) {
        const record = { input: text, text: r.text, score: r.score, logProb: r.logProb, unknown: r.unknown, nBest: r.nBest };
        if (values['show-attention']) record.attention = { ...r.attention, weights: Array.from(r.attention.weights) };
        process.stdout.write(JSON.stringify(record) + '\n');
        continue;
      }
      if (options.nBest > 1) {
        r.nBest.forEach((h, k) => process.stdout.write(`${k + 1}. ${h.text}\t(score ${h.score.toFixed(4)})\n`));
      } else {
        process.stdout.write(r.text + '\n');
      }
      if (r.unknown.length > 0) {
        process.stderr.write(`note: not in the vocabulary, read as <unk>: ${r.unknown.map((u) => `"${u.symbol}" at ${u.index}`).join(', ')}\n`);
      }
      if (values['show-attention']) process.stdout.write(heatMap(r.attention) + '\n\n');
    }
  } finally {
    model.dispose();
  }
}

async function evaluate(values) {
  allow(values, 'eval', ['model', 'task', 'data', 'columns', 'beam', 'limit', 'split', 'json', 'seed', 'train-size', 'test-size', 'max-length', 'backend']);
  if (Boolean(values.task) === Boolean(values.data)) throw new UsageError('eval needs --task NAME or --data PAIRS.tsv (one of them)');
  const split = values.split ?? 'test';
  if (split !== 'test' && split !== 'train') throw new UsageError('--split must be test or train');
  const options = decodingOptions(values);
  if (values.task) taskName(values.task);
  const model = await readModel(values.model, values.backend);
  try {
    let pairs;
    if (values.task) {
      const info = model.info;
      const stored = info?.task === values.task ? info.taskOptions : {};
      const taskOptions = { ...stored };
      if (values.seed !== undefined) taskOptions.seed = int(values, 'seed', 1, 0);
      if (values['train-size'] !== undefined) taskOptions.trainSize = int(values, 'train-size');
      if (values['test-size'] !== undefined) taskOptions.testSize = int(values, 'test-size', 0, 0);
      pairs = generateTask(taskName(values.task), taskOptions)[split];
    } else {
      pairs = (await readPairsFile(values.data, { testFraction: 0, columns: columnsOption(values) })).train;
    }
    if (values.limit !== undefined) pairs = pairs.slice(0, int(values, 'limit'));
    if (pairs.length === 0) throw new Error('no pairs to evaluate on: raise --test-size or use --split train');
    const started = Date.now();
    const m = model.evaluate(pairs, options);
    if (values.json) {
      process.stdout.write(JSON.stringify({ ...m, elapsedMs: Date.now() - started }) + '\n');
    } else {
      process.stdout.write(`${formatMetrics(m)} in ${formatDuration(Date.now() - started)}\n`);
      for (const x of m.mistakes.slice(0, 5)) process.stdout.write(`  ${x.source}  ->  ${x.output}   (expected ${x.reference})\n`);
    }
  } finally {
    model.dispose();
  }
}

function listTasks() {
  for (const name of taskNames) {
    const t = generateTask(name, { trainSize: 1, testSize: 0 });
    process.stdout.write(`${name.padEnd(10)} ${t.tokenizer.padEnd(5)} ${t.description}\n`);
  }
}

/** `--steps -5` -> `--steps=-5`, so a negative number reaches the option's own check. */
function joinNegativeValues(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : null;
    if (name && OPTIONS[name]?.type === 'string' && /^-[\d.]/.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const option = error.message.match(/^Option '(--[\w-]+)/)?.[1];
    if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
      throw new UsageError(`${option} needs a value (for one that starts with "-", write ${option}=VALUE)`);
    }
    throw new UsageError(error.message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { help, version, ...options } = values;
  const needsFma = async () => values.backend === 'fma' || (command === 'train' && values.resume !== undefined && await checkpointBackend(values.resume) === 'fma');
  if (!fmaSupported() && !process.execArgv.includes(RELAXED_SIMD_FLAG) && await needsFma()) {
    // Node 20 has relaxed SIMD behind a flag: run this command again in a Node that has it on
    const child = spawnSync(process.execPath, [RELAXED_SIMD_FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...argv],
      { stdio: 'inherit' });
    if (child.error) throw child.error;
    process.exitCode = child.status ?? 1;
    return;
  }
  if (command === 'train' || command === 'eval' || command === 'tasks') {
    if (rest.length > 0) throw new UsageError(`"${command}" takes no text arguments, got "${rest[0]}"`);
  }
  switch (command) {
    case 'train': return train(options);
    case 'translate': return translate(options, rest);
    case 'eval': return evaluate(options);
    case 'tasks': return listTasks();
    default: throw new UsageError(`unknown command "${command}": use train, translate, eval or tasks`);
  }
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`seq2seq-attention: ${error.message}\nRun "seq2seq-attention help" for the options.\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`seq2seq-attention: error: ${error.message}\n`);
    process.exitCode = 1;
  }
});
