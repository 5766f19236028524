// pretrained.test.js: the pretrained models the page opens with (pretrained/*.s2s) are exactly
// what scripts/pretrained.js makes from its fixed seeds: each is rebuilt here and compared byte
// for byte with the committed file (about 13 s of one core for the three). Also: the page names
// exactly those files, each model says in its info that it is pretrained and how it was made,
// and it translates its own task's held-out pairs (measured, not assumed).

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RECIPES, PRETRAINED_DIR, buildPretrained } from '../scripts/pretrained.js';
import { Translator, tasks } from '../lib/index.js';

const MIN_EXACT = { dates: 0.95, scrambled: 0.6, 'en-fr': 0.9 };

test('the page names exactly the pretrained files the script makes', () => {
  const page = fs.readFileSync(new URL('../web/pretrained.js', import.meta.url), 'utf8');
  const named = [...page.matchAll(/new URL\('\.\.\/pretrained\/([^']+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(named, RECIPES.map((r) => r.file).sort());
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.ok(pkg.files.includes('pretrained/'), 'the package ships pretrained/');
});

for (const recipe of RECIPES) {
  test(`${recipe.file} is rebuilt byte for byte from its recipe`, { timeout: 120000 }, async () => {
    const file = path.join(PRETRAINED_DIR, recipe.file);
    assert.ok(fs.existsSync(file), `${file} is committed`);
    const committed = new Uint8Array(fs.readFileSync(file));
    const { bytes } = await buildPretrained(recipe);
    assert.ok(committed.length < 512 * 1024, `${recipe.file}: ${committed.length} bytes (small enough to ship with the page)`);
    assert.ok(Buffer.compare(Buffer.from(bytes), Buffer.from(committed)) === 0,
      `${recipe.file} differs from a rebuild (${bytes.length} vs ${committed.length} bytes): if training changed on purpose, run node scripts/pretrained.js and commit pretrained/`);

    const model = await Translator.load(committed);
    try {
      assert.equal(model.info.pretrained, true);
      assert.equal(model.info.task, recipe.task);
      assert.deepEqual(model.info.train, recipe.train);
      const data = tasks[recipe.task](recipe.taskOptions);
      const { exactMatch } = model.evaluate(data.test.slice(500, 700));
      assert.ok(exactMatch >= MIN_EXACT[recipe.task], `${recipe.file}: ${(exactMatch * 100).toFixed(1)} % exact on 200 held-out pairs`);
    } finally {
      model.dispose();
    }
  });
}
