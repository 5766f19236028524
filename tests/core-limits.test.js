// The limits have one source, the S2S_MIN_*/S2S_MAX_* defines of c_src/s2s.h:
//  - lib/limits.js (committed, so lib/ needs no build step) is byte for byte what
//    scripts/limits.js writes from the header now;
//  - its numbers are the core's: the wasm core accepts each size bound and refuses one more,
//    and names the same number in its messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { limitsModule, header } from '../scripts/limits.js';
import * as L from '../lib/limits.js';
import { instantiate } from '../lib/wasm.js';

test('lib/limits.js is what scripts/limits.js writes from c_src/s2s.h (make limits)', () => {
  const committed = fs.readFileSync(new URL('../lib/limits.js', import.meta.url), 'utf8');
  assert.equal(committed, limitsModule(fs.readFileSync(header, 'utf8')));
  for (const name of ['MIN_VOCAB', 'MAX_VOCAB', 'MAX_EMBED', 'MAX_HIDDEN', 'MAX_ATTN', 'MAX_BATCH', 'MAX_LENGTH',
    'MAX_BEAM', 'MAX_PARAMS', 'MAX_WORKSPACE', 'MAX_FILE', 'MAX_META'])
    assert.ok(Number.isSafeInteger(L[name]) && L[name] > 0, `${name} missing`);
});

const { exports: c, memory } = await instantiate('scalar');
const LIMIT = -2;
const message = () => {
  const bytes = new Uint8Array(memory.buffer, c.s2s_last_error());
  return new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)));
};
// s2s_create(cell, attention, scale, E, H, A, Vs, Vt, seed): a tiny RNN with one size changed
const create = (o) => c.s2s_create(0, o.attention ?? 1, 1, o.E ?? 1, o.H ?? 1, o.A ?? 1, o.Vs ?? 5, o.Vt ?? 5, 1);

test('the core accepts each size at its limit and refuses one more', () => {
  for (const [key, limit] of [['E', L.MAX_EMBED], ['H', L.MAX_HIDDEN], ['A', L.MAX_ATTN], ['Vs', L.MAX_VOCAB], ['Vt', L.MAX_VOCAB]]) {
    const m = create({ [key]: limit });
    assert.notEqual(m, 0, `${key} = ${limit}: ${message()}`);
    c.s2s_destroy(m);
    assert.equal(create({ [key]: limit + 1 }), 0, `${key} = ${limit + 1} was accepted`);
    assert.equal(c.s2s_last_status(), LIMIT);
    assert.match(message(), new RegExp(`between \\d+ and ${limit}$`));
  }
  const m = create({ Vs: L.MIN_VOCAB });
  assert.notEqual(m, 0);
  c.s2s_destroy(m);
  assert.equal(create({ Vs: L.MIN_VOCAB - 1 }), 0);
  assert.match(message(), new RegExp(`between ${L.MIN_VOCAB} and ${L.MAX_VOCAB}$`));
});

test('the core names the same batch, length, beam, parameter, workspace, file and metadata limits', () => {
  const m = create({});
  const i32 = c.malloc(4 * 8);
  new Int32Array(memory.buffer, i32, 8).fill(4);
  new Int32Array(memory.buffer, i32 + 16, 1)[0] = 1; // src_len = 1
  const check = (status, pattern) => {
    assert.equal(status, LIMIT, message());
    assert.match(message(), pattern);
  };
  // s2s_loss(m, src, src_len, tgt_in, tgt_out, B, M, N, loss): sizes are checked before the arrays are read
  check(c.s2s_loss(m, i32, i32 + 16, i32, i32, L.MAX_BATCH + 1, 1, 1, 0), new RegExp(`between 1 and ${L.MAX_BATCH}$`));
  check(c.s2s_loss(m, i32, i32 + 16, i32, i32, 1, L.MAX_LENGTH + 1, 1, 0), new RegExp(`between 1 and ${L.MAX_LENGTH}$`));
  check(c.s2s_decode(m, i32, 1, L.MAX_BEAM + 1, 1, 0, 5, 0), new RegExp(`limit of ${L.MAX_BEAM}$`));
  check(c.s2s_set_meta(m, 0, L.MAX_META + 1), new RegExp(`limit of ${L.MAX_META}$`));
  assert.equal(c.s2s_load(i32, L.MAX_FILE + 1), 0);
  check(c.s2s_last_status(), new RegExp(`limit of ${L.MAX_FILE}$`));
  assert.equal(c.s2s_create(0, 0, 1, L.MAX_EMBED, L.MAX_HIDDEN, 1, L.MAX_VOCAB, L.MAX_VOCAB, 1), 0);
  check(c.s2s_last_status(), new RegExp(`limit of ${L.MAX_PARAMS}$`));
  c.free(i32);
  c.s2s_destroy(m);
  // 4096 x 1024 decoder rows of a hidden size of 64: more than 1 GiB of activations
  const big = create({ H: 64 }), B = L.MAX_BATCH, N = L.MAX_LENGTH;
  const src = c.malloc(4 * B), len = c.malloc(4 * B), tgt = c.malloc(4 * B * N);
  new Int32Array(memory.buffer, src, B).fill(4);
  new Int32Array(memory.buffer, len, B).fill(1);
  new Int32Array(memory.buffer, tgt, B * N).fill(4);
  check(c.s2s_loss(big, src, len, tgt, tgt, B, 1, N, 0), new RegExp(`limit of ${L.MAX_WORKSPACE / 2 ** 20} MiB`));
  for (const p of [src, len, tgt]) c.free(p);
  c.s2s_destroy(big);
});
