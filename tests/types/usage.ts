// The examples of README.md, docs/library.md and docs/api.md as people write them, compiled with
// `tsc --strict` against lib/index.d.ts by tests/lib-types.test.js. The lines marked as expected
// errors at the end must stay errors: tsc fails if one of them compiles.
import {
  Translator, TranslatorWorker, Seq2Seq, tasks, taskNames, generateTask, corpusBleu, chrF,
  type Seq2SeqError, type Pair, type Task,
} from 'seq2seq-attention';

// docs/library.md, "Train the dates task from Node" (and the README)
const data = tasks.dates({ seed: 1 });
const model = await Translator.create({ pairs: data.train });
await model.train(data.train, {
  onProgress: (p) => p.step % 500 === 0 && console.log(`step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)}`),
});
for (const text of ['Nov 23, 2026', 'the 4th of July 1976', '31.12.1999']) {
  console.log(text, '->', model.translate(text).text);
}
const { exactMatch, bleu } = model.evaluate(data.test);
console.log({ exactMatch, bleu, backend: model.backend });

// Pairs written inline: TypeScript infers string[][], which the API accepts (checked at run time).
const pairs = [['hello', 'bonjour'], ['cat', 'chat']];
const heldOut = [['dog', 'chien']] as const;
const inline = await Translator.create({
  pairs,
  tokenizer: 'char',
  cell: 'gru', attention: 'additive',
  embed: 32, hidden: 64, attentionSize: 64, seed: 1,
});
const controller = new AbortController();
const report = await inline.train(pairs, {
  epochs: 10, batchSize: 64, learningRate: 3e-3, schedule: 'cosine', clipNorm: 5, shuffleSeed: 1,
  evaluate: { pairs: heldOut.slice(0, 200), every: 200 },
  onProgress: ({ step, totalSteps, epoch, loss, examplesPerSecond, eval: scores }) => {},
  signal: controller.signal,
});
const stopped: boolean = report.stopped;

// Translate, explain, evaluate, save and load
const r = inline.translate('Nov 23, 2026', { beam: 4, nBest: 3, lengthPenalty: 0.6 });
const best: string = r.text;
const hypotheses: number = r.nBest.length;
const weights: Float32Array = r.attention.weights;
const unknownAt: number[] = r.unknown.map((u) => u.index);
inline.translateBatch(['1/2/2003', '18JAN2019']);
const { steps } = inline.explain('18JAN2019');
const firstSymbol: string = steps[0].symbol;
inline.evaluate(heldOut);
const bytes: Uint8Array = inline.save();
const again = await Translator.load(bytes);
again.dispose();
inline.dispose();

// Errors: a code to switch on
try {
  await model.train(data.train, { learningRate: 1e30, clipNorm: 0 });
} catch (e) {
  const error = e as Seq2SeqError;
  if (error.code === 'DIVERGED' && error.weightsUsable === false) console.log('start again from a fresh model', error.step);
}

// In a worker
const remote = await TranslatorWorker.create({ pairs });
await remote.train(pairs, { epochs: 5, onProgress: (p) => console.log(p.step) });
const viaWorker: string = (await remote.translate('Nov 23, 2026')).text;
await remote.dispose();

// Low level (docs/design.md's contract)
const core = await Seq2Seq.create({ cell: 'gru', attention: 'additive', embed: 32, hidden: 64, srcVocabSize: 40, tgtVocabSize: 14, seed: 1 });
const names: string[] = core.parameterNames();
const { loss } = core.trainStep({
  src: new Int32Array(3), srcLengths: new Int32Array([3]), tgtIn: new Int32Array(2), tgtOut: new Int32Array(2),
  batchSize: 1, srcLength: 3, tgtLength: 2,
}, { learningRate: 1e-3, clipNorm: 5 });
core.dispose();

// Tasks and metrics
const named: Task = generateTask(taskNames[0], { seed: 2 });
const firstPair: Pair = named.train[0];
const own = tasks.fromTSV('a\tb\n', { testFraction: 0 });
console.log(corpusBleu([['a', 'b']], [['a', 'b']]).score, chrF(['ab'], ['ab']).score, own.train.length, firstPair);

// What must stay refused
// @ts-expect-error a string is not pairs
await Translator.create({ pairs: 'hello\tbonjour' });
// @ts-expect-error pairs of numbers
await Translator.create({ pairs: [[1, 2]] });
// @ts-expect-error a misspelt option
await Translator.create({ pairs, hiddenSize: 64 });
// @ts-expect-error an unknown cell
await Translator.create({ pairs, cell: 'transformer' });
// @ts-expect-error translate takes a string
model.translate(42);

console.log(stopped, best, hypotheses, weights, unknownAt, firstSymbol, viaWorker, names, loss);
