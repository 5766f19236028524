// Floating-point operations of one training step (Seq2Seq.trainStep: forward, backward, clipping,
// one Adam update), counted from the shapes the way c_src/ computes them: every matrix product
// (2 per multiply-add), attention scores, masked softmax and weighted sums and their backward,
// the cells' elementwise work and biases, the output log-softmax, and the update. A tanh, sigmoid,
// exp, sqrt or divide counts as one operation, like an add. Full-length batches (no PAD), as the
// benchmarks use. Used by bench/ceiling.js; `node bench/flops.js` prints the counts.
import { MODELS } from './common.js';

// The dates task with the Translator's defaults (GRU, embed 32, hidden 64, additive 64, batch 64;
// lib/translator.js): vocabularies as built from the task's pairs, source 13 = the mean source
// length (12.5 characters) and target 11 = 10 characters + EOS.
export const DATES_MODEL = { cell: 'gru', attention: 'additive', scale: true, embed: 32, hidden: 64, attentionSize: 64,
  srcVocabSize: 60, tgtVocabSize: 15, m: 13, n: 11, B: 64 };

export const FLOP_MODELS = { ...MODELS, dates: DATES_MODEL };

export function paramCount(c) {
  const G = { rnn: 1, gru: 3, lstm: 4 }[c.cell], H = c.hidden, E = c.embed, A = c.attentionSize;
  const at = c.attention !== 'none';
  const Din = E + (at ? H : 0), Dout = at ? 2 * H : H;
  return c.srcVocabSize * E + G * H * (E + H + 2) + (c.attention === 'additive' ? 2 * A * H + 2 * A : 0) +
    (c.attention === 'dot' ? 2 * A * H : 0) + c.tgtVocabSize * E + G * H * (Din + H + 2) + c.tgtVocabSize * Dout + c.tgtVocabSize;
}

/** -> { total, gemm, attention, cell, output, update } in flops for one step of batch c.B. */
export function stepFlops(c) {
  const G = { rnn: 1, gru: 3, lstm: 4 }[c.cell], H = c.hidden, E = c.embed, GH = G * H;
  const at = c.attention !== 'none', add = c.attention === 'additive';
  const A = at ? c.attentionSize : 0, Vt = c.tgtVocabSize;
  const Din = E + (at ? H : 0), Dout = at ? 2 * H : H;
  const { B, m: M, n: N } = c;
  const enc = M * B, dec = N * B; // rows
  // cell elementwise work per hidden unit, forward and backward (c_src/cell.c), and the two biases
  const cellFwd = { rnn: 2, gru: 11, lstm: 13 }[c.cell], cellBwd = { rnn: 3, gru: 16, lstm: 23 }[c.cell];
  const gemm =
    // encoder: input projection and recurrence, forward; backward dh (recurrence), dW_ih, dW_hh, dx
    enc * 2 * GH * (E + H) + enc * 2 * GH * H + enc * 2 * GH * (E + H) + enc * 2 * GH * E +
    // keys once per sequence, forward and the two backward products
    (at ? 3 * enc * 2 * A * H : 0) +
    // decoder: query projection, input projection and recurrence; backward: dq->ds and dW_q/W_s,
    // dx and dW_ih, dh and dW_hh
    (at ? 3 * dec * 2 * A * H : 0) + 3 * dec * 2 * GH * Din + 3 * dec * 2 * GH * H +
    // output layer: forward, dW, d input
    3 * dec * 2 * Vt * Dout;
  const attention = !at ? 0 : dec * (
    (add ? 4 * M * A : 2 * M * A + (c.scale ? M : 0)) + 5 * M + 2 * M * H + // scores, softmax, context
    4 * M * H + 4 * M + (add ? 8 * M * A : 4 * M * A) + // context, softmax and score backward
    (add ? 2 * A : 0)); // b of the query (forward) and its gradient
  const cell = (enc + dec) * (cellFwd + cellBwd) * H + (enc + dec) * 4 * GH + // elementwise, 2 biases fwd + bwd
    enc * (E + H) + dec * (E + (at ? H : 0) + H); // embedding gradients, dh accumulation
  const output = dec * (Vt + 5 * Vt + 2 * Vt + Vt); // bias, log-softmax, dlogits, bias gradient
  const update = 16 * paramCount(c); // norm (2) and Adam (14) per parameter
  return { total: gemm + attention + cell + output + update, gemm, attention, cell, output, update };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, c] of Object.entries(FLOP_MODELS)) {
    const f = stepFlops(c);
    process.stdout.write(JSON.stringify({ bench: 'flops', model: name, params: paramCount(c), ...Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v])),
      gemmShare: +(f.gemm / f.total).toFixed(3) }) + '\n');
  }
}
