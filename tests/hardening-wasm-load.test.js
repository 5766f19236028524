// The model-file loader (and decoding) fuzzed in the runtime users have (issue 6): the native libFuzzer
// harnesses cannot see what only wasm32 does (32-bit size_t, its allocator, the JS copy-in), so
// this test mutates the committed seed corpus for a few seconds (WASM_FUZZ_MS, default 8000) and
// feeds every mutant to Seq2Seq.load on the SIMD build. Half the mutants are re-sealed with the
// right CRC-32 so they reach the checks behind the checksum. Each must either be refused with an
// Error of code BAD_FILE or LIMIT (never a RuntimeError from a wasm trap, never a hang), or load,
// save back byte-identical and translate. A second test does the same for decoding and the loss:
// random token ids (some out of range) and options (some past the limits) on 9 loaded models give
// a valid result or a BAD_ARGUMENT/LIMIT Error, and leave the models decoding as fresh copies do.
// Seeded (WASM_FUZZ_SEED): a failure names the seed to replay it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Seq2Seq } from '../lib/core.js';
import { createRandom } from '../lib/random.js';

const dir = new URL('../fuzz/corpus/load/', import.meta.url);
const seeds = fs.readdirSync(dir).map((f) => new Uint8Array(fs.readFileSync(new URL(f, dir)))).filter((b) => b.length > 0);
const BUDGET_MS = Number(process.env.WASM_FUZZ_MS ?? 8000);
const SEED = Number(process.env.WASM_FUZZ_SEED ?? Date.now() % 1e9);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function reseal(bytes) {
  if (bytes.length < 12) return bytes;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length - 4; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, (c ^ 0xffffffff) >>> 0, true);
  return bytes;
}

function mutate(random, input) {
  let b = input.slice();
  const pick = (n) => Math.floor(random() * n);
  const interesting = [0, 1, 2, 3, 4, 5, 1023, 1024, 1025, 65535, 65536, 65537, 0x7fffffff, 0x80000000, 0xffffffff, 16 << 20, (16 << 20) + 1];
  for (let n = 1 + pick(4); n > 0; n--) {
    const kind = pick(6);
    if (kind === 0 && b.length) b[pick(b.length)] ^= 1 << pick(8); // flip a bit
    else if (kind === 1 && b.length) b[pick(b.length)] = pick(256); // set a byte
    else if (kind === 2 && b.length >= 48) { // a header word (config, metadata length) to an edge value
      new DataView(b.buffer).setUint32(8 + 4 * pick(10), interesting[pick(interesting.length)], true);
    } else if (kind === 3 && b.length > 1) b = b.slice(0, pick(b.length)); // truncate
    else if (kind === 4) { // append bytes
      const extra = new Uint8Array(1 + pick(16)).map(() => pick(256));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      b = out;
    } else if (kind === 5 && b.length > 60) { // a tensor header word (name length, rows, cols) somewhere
      const at = 48 + pick(b.length - 56);
      new DataView(b.buffer).setUint32(at, interesting[pick(interesting.length)], true);
    }
  }
  return random() < 0.5 ? reseal(b) : b;
}

test(`Seq2Seq.load on mutated model files in wasm: refused cleanly or loaded intact (seed ${SEED})`, { timeout: BUDGET_MS + 60000 }, async () => {
  const random = createRandom(SEED).next;
  const started = Date.now();
  const outcomes = { loaded: 0, BAD_FILE: 0, LIMIT: 0 };
  let runs = 0;
  while (Date.now() - started < BUDGET_MS) {
    const input = mutate(random, seeds[Math.floor(random() * seeds.length)]);
    runs++;
    let model;
    try {
      model = await Seq2Seq.load(input, { backend: 'simd' });
    } catch (error) {
      const what = `mutant ${runs} (seed ${SEED}, ${input.length} bytes)`;
      assert.ok(error instanceof Error && !(error instanceof WebAssembly.RuntimeError), `${what}: ${error}`);
      assert.ok(['BAD_FILE', 'LIMIT'].includes(error.code), `${what}: code ${error.code}: ${error.message}`);
      assert.ok(error.message.length > 10, `${what}: message "${error.message}"`);
      outcomes[error.code]++;
      continue;
    }
    try {
      outcomes.loaded++;
      assert.deepEqual(model.save(), input, `mutant ${runs} (seed ${SEED}) loaded but does not save back the same`);
      const out = model.translateTokens(new Int32Array([4, 4]), { maxLength: 5 });
      assert.ok(out.tokens.length >= 1 && out.tokens.every((t) => t >= 2 && t < model.config.tgtVocabSize));
    } finally {
      model.dispose();
    }
  }
  console.log(`# ${runs} mutants in ${Date.now() - started} ms: ${JSON.stringify(outcomes)}`);
  assert.ok(runs > 50, `only ${runs} mutants ran`);
  assert.ok(outcomes.BAD_FILE > 0 && outcomes.loaded > 0, 'the mutants reach both outcomes');
});

test(`translateTokens/traceTokens/loss with random tokens and options in wasm: a valid result or a clean Error (seed ${SEED})`, { timeout: BUDGET_MS + 60000 }, async () => {
  const random = createRandom(SEED ^ 0x5bd1e995).next;
  const pick = (n) => Math.floor(random() * n);
  const edge = (values) => values[pick(values.length)];
  const models = [];
  for (const cell of ['rnn', 'gru', 'lstm'])
    for (const attention of ['none', 'additive', 'dot']) {
      const created = await Seq2Seq.create({ cell, attention, embed: 5, hidden: 6, attentionSize: 4, srcVocabSize: 9, tgtVocabSize: 7, seed: 3 });
      models.push(await Seq2Seq.load(created.save()));
      created.dispose();
    }
  const token = () => (random() < 0.9 ? pick(9) : edge([-1, 9, 10, 2 ** 31 - 1, -(2 ** 31) + 1, 1000]));
  const started = Date.now();
  const outcomes = { ok: 0, BAD_ARGUMENT: 0, LIMIT: 0 };
  let runs = 0;
  try {
    while (Date.now() - started < BUDGET_MS / 2) {
      runs++;
      const m = models[pick(models.length)];
      const V = m.config.tgtVocabSize;
      try {
        if (random() < 0.7) {
          const src = Int32Array.from({ length: random() < 0.02 ? edge([0, 1025]) : 1 + pick(12) }, token);
          const options = { beam: random() < 0.1 ? edge([0, 64, 65, -3]) : 1 + pick(5), maxLength: random() < 0.1 ? edge([0, 1024, 1025]) : 1 + pick(20) };
          options.nBest = random() < 0.1 ? edge([0, 7, 65]) : 1 + pick(Math.max(1, Math.min(options.beam, 64)));
          if (random() < 0.2) options.lengthPenalty = edge([0, 0.5, 1, 10, 11, -1, NaN]);
          const useTrace = random() < 0.3;
          const out = useTrace ? m.traceTokens(src, { maxLength: options.maxLength }) : m.translateTokens(src, options);
          assert.ok(out.tokens.length >= 1 && out.tokens.every((t) => t >= 2 && t < V), `tokens ${out.tokens}`);
          assert.ok(Number.isFinite(out.logProb) && out.logProb <= 1e-4);
          if (useTrace) assert.equal(out.steps.length, out.tokens.length);
        } else {
          const B = 1 + pick(3), M = 1 + pick(5), N = 1 + pick(5);
          const ids = (n, f) => Int32Array.from({ length: n }, f);
          const batch = {
            src: ids(B * M, token), srcLengths: ids(B, () => (random() < 0.9 ? 1 + pick(M) : edge([0, M + 1, -1]))),
            tgtIn: ids(B * N, () => (random() < 0.95 ? pick(V) : edge([-1, V]))), tgtOut: ids(B * N, () => (random() < 0.95 ? pick(V) : edge([-1, V]))),
            batchSize: B, srcLength: M, tgtLength: N,
          };
          const loss = m.loss(batch);
          assert.ok(Number.isFinite(loss) && loss >= 0, `loss ${loss}`);
        }
        outcomes.ok++;
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        assert.ok(error instanceof Error && !(error instanceof WebAssembly.RuntimeError), `run ${runs} (seed ${SEED}): ${error}`);
        assert.ok(['BAD_ARGUMENT', 'LIMIT'].includes(error.code), `run ${runs} (seed ${SEED}): ${error.code} ${error.message}`);
        outcomes[error.code]++;
      }
    }
    // after all of that every model still decodes as a fresh copy does
    for (const m of models) {
      const fresh = await Seq2Seq.load(m.save());
      assert.deepEqual(m.translateTokens([4, 5, 6], { beam: 2 }).tokens, fresh.translateTokens([4, 5, 6], { beam: 2 }).tokens);
      fresh.dispose();
    }
  } finally {
    for (const m of models) m.dispose();
  }
  console.log(`# ${runs} calls: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.ok > 0 && outcomes.BAD_ARGUMENT > 0);
});
