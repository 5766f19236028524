// Loads the project's low-level class (lib/core.js) for the benchmark parts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.dirname(here);

export async function loadSeq2Seq() {
  const file = path.join(root, 'lib', 'core.js');
  if (!fs.existsSync(file)) throw new Error('lib/core.js not found (the C core wrapper is not built yet)');
  const mod = await import(file);
  if (!mod.Seq2Seq) throw new Error('lib/core.js does not export Seq2Seq');
  return mod.Seq2Seq;
}

export function modelOptions(cfg, backend, extra = {}) {
  const { cell, attention, scale, embed, hidden, attentionSize, srcVocabSize, tgtVocabSize } = cfg;
  return { cell, attention, scale, embed, hidden, attentionSize, srcVocabSize, tgtVocabSize, seed: 1, backend, ...extra };
}

// Make EOS (id 2) never the best token, so decoding an untrained model runs exactly maxLength
// steps, like a trained model decoding an output of that length.
export function suppressEos(model) {
  const p = model.getParameter('out.bias');
  p.data[2] = -30;
  model.setParameter('out.bias', p.data);
}
