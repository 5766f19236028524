// The model-file loader fuzzed in the runtime users have (issue 6): the native libFuzzer
// harnesses cannot see what only wasm32 does (32-bit size_t, its allocator, the JS copy-in), so
// this test mutates the committed seed corpus for a few seconds (WASM_FUZZ_MS, default 8000) and
// feeds every mutant to Seq2Seq.load on the SIMD build. Half the mutants are re-sealed with the
// right CRC-32 so they reach the checks behind the checksum. Each must either be refused with an
// Error of code BAD_FILE or LIMIT (never a RuntimeError from a wasm trap, never a hang), or load,
// save back byte-identical and translate. Seeded: a failure names the seed to replay it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Seq2Seq } from '../lib/core.js';

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
  let a = SEED >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
