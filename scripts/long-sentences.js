#!/usr/bin/env node
// long-sentences.js: the seed tutorial's length claim, on translation. Without attention the
// quality of a seq2seq translation is best near 20 words and falls beyond; with attention it
// holds. Three models that differ only in attention (additive, dot, none) train the same number
// of steps on the same English -> French long sentences (clauses joined, 5-40 words:
// tasks['en-fr']({ minWords: 5, maxWords: 40 })), each in its own worker thread, then
// translate the same held-out sentences; BLEU (sacreBLEU's corpus BLEU) is computed per
// sentence-length bin. Prints one JSON line per model and writes an SVG plot.
//
//   node scripts/long-sentences.js                       (STEPS=1200, writes docs/img/long-sentences.svg)
//   STEPS=300 OUT=/tmp/plot.svg node scripts/long-sentences.js

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TranslatorWorker, tasks, corpusBleu, wordTokenizer } from '../lib/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = Number(process.env.STEPS || 1200);
const OUT = path.resolve(ROOT, process.env.OUT || 'docs/img/long-sentences.svg');
const DATA = { seed: 1, trainSize: 8000, testSize: 600, minWords: 5, maxWords: 40 };
const MODEL = { cell: 'gru', embed: 32, hidden: 64, attentionSize: 64, seed: 1, tokenizer: 'word' };
const TRAIN = { steps: STEPS, batchSize: 32, learningRate: 0.005, clipNorm: 5, shuffleSeed: 1 };
const KINDS = [
  { attention: 'additive', color: '#2457c5', dash: '' },
  { attention: 'dot', color: '#e8590c', dash: '6 3' },
  { attention: 'none', color: '#7a7f8c', dash: '' },
];
const BINS = [[5, 9], [10, 14], [15, 19], [20, 24], [25, 29], [30, 34], [35, 40]];

const data = tasks['en-fr'](DATA);
const words = (s) => wordTokenizer.tokenize(s).filter((w) => w !== '.').length;
const tokens = (s) => wordTokenizer.tokenize(s);
const t0 = Date.now();

async function runOne(kind) {
  const remote = await TranslatorWorker.create({ pairs: data.train, ...MODEL, attention: kind.attention });
  try {
    const report = await remote.train(data.train, TRAIN);
    const outputs = (await remote.translateBatch(data.test.map(([src]) => src), { beam: 1 })).map((r) => r.text);
    const bins = BINS.map(([lo, hi]) => {
      const idx = data.test.map(([src], i) => [words(src), i]).filter(([n]) => n >= lo && n <= hi).map(([, i]) => i);
      const bleu = corpusBleu(idx.map((i) => tokens(outputs[i])), idx.map((i) => tokens(data.test[i][1]))).score;
      return { words: [lo, hi], count: idx.length, bleu: Number(bleu.toFixed(2)) };
    });
    const all = corpusBleu(outputs.map(tokens), data.test.map(([, tgt]) => tokens(tgt))).score;
    return { attention: kind.attention, steps: report.steps, loss: Number(report.loss.toFixed(4)), bleu: Number(all.toFixed(2)), bins };
  } finally {
    await remote.dispose();
  }
}

function svgPlot(results) {
  const W = 640, H = 360, L = 56, R = 16, T = 40, B = 48;
  const pw = W - L - R, ph = H - T - B;
  const X = (k) => Number((L + ((k + 0.5) / BINS.length) * pw).toFixed(1));
  const Y = (b) => Number((T + ph - (b / 100) * ph).toFixed(1));
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  let s = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="12">\n`;
  s += `<rect width="${W}" height="${H}" fill="#fff"/>\n`;
  s += `<text x="${L}" y="16" font-size="13" fill="#1d2330">BLEU by English sentence length (held-out en → fr, ${STEPS} steps of ${TRAIN.batchSize} each)</text>\n`;
  for (let b = 0; b <= 100; b += 20) {
    s += `<line x1="${L}" x2="${L + pw}" y1="${Y(b)}" y2="${Y(b)}" stroke="#e4e8f0"/><text x="${L - 6}" y="${Y(b) + 4}" text-anchor="end" fill="#5d6678">${b}</text>\n`;
  }
  BINS.forEach(([lo, hi], k) => { s += `<text x="${X(k)}" y="${T + ph + 18}" text-anchor="middle" fill="#5d6678">${lo}–${hi}</text>\n`; });
  s += `<text x="${L + pw / 2}" y="${H - 8}" text-anchor="middle" fill="#5d6678">English words in the sentence</text>\n`;
  s += `<text transform="translate(14 ${T + ph / 2}) rotate(-90)" text-anchor="middle" fill="#5d6678">BLEU</text>\n`;
  let lx = L;
  results.forEach((r, i) => {
    const k = KINDS[i];
    const pts = r.bins.map((b, j) => `${X(j).toFixed(1)},${Y(b.bleu).toFixed(1)}`).join(' ');
    s += `<polyline points="${pts}" fill="none" stroke="${k.color}" stroke-width="2.5"${k.dash ? ` stroke-dasharray="${k.dash}"` : ''}/>\n`;
    for (const [j, b] of r.bins.entries()) s += `<circle cx="${X(j).toFixed(1)}" cy="${Y(b.bleu).toFixed(1)}" r="3.5" fill="${k.color}"><title>${esc(`${r.attention}, ${b.words[0]}–${b.words[1]} words (${b.count} sentences): BLEU ${b.bleu}`)}</title></circle>\n`;
    s += `<line x1="${lx}" x2="${lx + 18}" y1="30" y2="30" stroke="${k.color}" stroke-width="3"${k.dash ? ` stroke-dasharray="${k.dash}"` : ''}/><text x="${lx + 22}" y="34" fill="#1d2330">${esc(`${r.attention} (BLEU ${r.bleu})`)}</text>\n`;
    lx += 150;
  });
  return `${s}</svg>\n`;
}

const results = await Promise.all(KINDS.map(runOne));
for (const r of results) console.log(JSON.stringify({ ...r, data: DATA, model: MODEL, train: TRAIN, seconds: Math.round((Date.now() - t0) / 1000) }));
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, svgPlot(results));
console.error(`wrote ${path.relative(process.cwd(), OUT)} in ${Math.round((Date.now() - t0) / 1000)} s`);
