// determinism.js: one training run that can execute unchanged in Node and in a browser page
// (page.evaluate serialises the function, so it is self-contained: its only imports are the core
// and the seeded random numbers of lib/random.js, by URL). It trains a small model for `steps` Adam steps on seeded reverse-task batches and
// returns the SHA-256 of model.save() (configuration + every weight, bit for bit), the losses
// and the weights themselves.

/**
 * @param {{ coreUrl: string, config: object, steps: number, backend: string, dataSeed: number }} job
 * @returns {Promise<{ backend: string, sha256: string, losses: number[], weights: number[], bytes: number }>}
 */
export async function trainAndHash({ coreUrl, config, steps, backend, dataSeed }) {
  const { Seq2Seq } = await import(coreUrl);
  const { createRandom } = await import(new URL('random.js', coreUrl).href); // lib/random.js, beside core.js
  const random = createRandom(dataSeed).next;
  const symbols = config.srcVocabSize - 4;
  const batch = (B) => {
    const pairs = [];
    for (let b = 0; b < B; b++) {
      const n = 2 + Math.floor(random() * 6);
      const s = Array.from({ length: n }, () => 4 + Math.floor(random() * symbols));
      pairs.push([s, s.slice().reverse()]);
    }
    const M = Math.max(...pairs.map(([s]) => s.length)), N = M + 1;
    const src = new Int32Array(B * M), srcLengths = new Int32Array(B), tgtIn = new Int32Array(B * N), tgtOut = new Int32Array(B * N);
    pairs.forEach(([s, t], b) => {
      src.set(s, b * M);
      srcLengths[b] = s.length;
      tgtIn[b * N] = 1;
      tgtIn.set(t, b * N + 1);
      tgtOut.set(t, b * N);
      tgtOut[b * N + t.length] = 2;
    });
    return { src, srcLengths, tgtIn, tgtOut, batchSize: B, srcLength: M, tgtLength: N };
  };
  const model = await Seq2Seq.create({ ...config, backend });
  const losses = [];
  for (let i = 0; i < steps; i++) losses.push(model.trainStep(batch(8), { learningRate: 3e-3, clipNorm: 5 }).loss);
  const bytes = model.save();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const weights = [];
  for (const name of model.parameterNames()) weights.push(...model.getParameter(name).data);
  const out = { backend: model.backend, sha256: Array.from(digest, (x) => x.toString(16).padStart(2, '0')).join(''), losses, weights, bytes: bytes.length };
  model.dispose();
  return out;
}
