// The native C test programs (built by `make native`, all three under ASan + UBSan; `make test-c`
// runs them alone): kernels SIMD-vs-scalar, decoding invariants and model files, the scalar-only
// build, and the double-precision gradient check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

for (const program of ['test_core', 'test_core_scalar', 'test_gradients']) {
  test(`native ${program} passes`, () => {
    const run = spawnSync(`build/native/${program}`, { cwd: root, encoding: 'utf8' });
    assert.equal(run.error, undefined, `cannot run build/native/${program}: build it with \`make native\``);
    assert.equal(run.status, 0, `${program} failed:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /\d+ passed, 0 failed/);
  });
}
