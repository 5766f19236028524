// The TypeScript declarations (lib/index.d.ts) against the docs' examples as people write them
// (tests/types/usage.ts): `tsc --strict` must accept them, inline pairs typed string[][] included,
// and must still refuse the misuses marked there as expected errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));

test('lib/index.d.ts: the documented examples compile under tsc --strict, and the misuses do not', { timeout: 120000 }, () => {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
