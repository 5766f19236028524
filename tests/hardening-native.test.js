// Hardening of the native C core (issue 6), run by `npm test`:
//  - (the native suite under ASan + UBSan, the scalar-only build too, is tests/core-native.test.js:
//    all three native test programs are sanitized builds);
//  - the native suite under valgrind memcheck, no errors and no leaks (`make valgrind`);
//  - every fuzz regression input and the whole seed corpus replayed under the libFuzzer harnesses
//    (ASan + UBSan, single allocations capped at 64 MiB);
//  - a short fuzzing run (FUZZ_CI_SECONDS, default 20 s in all) that must find nothing.
// Needs clang, libclang-rt-14-dev, valgrind and the 32-bit libc/libstdc++ development files (for the
// -m32 size-arithmetic fuzzer); bash scripts/setup.sh --test installs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args, timeout = 300000) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
const output = (r) => `${r.error ? r.error.message + '\n' : ''}${r.stdout}\n${r.stderr}`.slice(-6000);
const files = (dir) => fs.existsSync(path.join(root, dir))
  ? fs.readdirSync(path.join(root, dir)).map((f) => path.join(dir, f)).filter((f) => fs.statSync(path.join(root, f)).isFile())
  : [];

test('native suite under valgrind memcheck: no errors, no leaks (make valgrind)', { timeout: 400000 }, () => {
  const r = run('make', ['-s', 'valgrind'], 400000);
  // --error-exitcode=99 turns any memcheck error or leak into a failed make
  assert.equal(r.status, 0, output(r));
  assert.equal(r.stdout.match(/\d+ passed, 0 failed/g)?.length, 3, output(r));
  assert.doesNotMatch(r.stderr, /==\d+==/, `valgrind reported something:\n${output(r)}`);
});

test('fuzz harnesses build, each a coverage-guided libFuzzer binary with AddressSanitizer', { timeout: 300000 }, () => {
  const r = run('make', ['-s', 'fuzz-build']);
  assert.equal(r.status, 0, output(r));
  for (const target of ['load', 'decode', 'shapes']) {
    // -runs=0 runs only the empty input; ASAN_OPTIONS=help=1 makes ASan list its flags, which it
    // can only do if it is linked in; INITED cov: N counts the instrumented edges it saw.
    const h = spawnSync(path.join(root, `build/fuzz/fuzz_${target}`), ['-runs=0'],
      { cwd: root, encoding: 'utf8', timeout: 60000, env: { ...process.env, ASAN_OPTIONS: 'help=1' } });
    assert.equal(h.status, 0, output(h));
    assert.match(h.stderr, /Available flags for AddressSanitizer/, `fuzz_${target} has no ASan:\n${output(h)}`);
    const cov = h.stderr.match(/INITED cov: (\d+)/);
    assert.ok(cov && Number(cov[1]) > 0, `fuzz_${target} is not coverage-instrumented:\n${output(h)}`);
  }
});

for (const target of ['load', 'decode', 'shapes']) {
  test(`fuzz_${target}: every regression input and the seed corpus pass, no allocation over 64 MiB`, { timeout: 120000 }, () => {
    const inputs = [...files(`fuzz/regressions/${target}`), ...files(`fuzz/corpus/${target}`)];
    assert.ok(files(`fuzz/corpus/${target}`).length >= 8, `the seed corpus fuzz/corpus/${target} is missing`);
    fs.mkdirSync(path.join(root, 'fuzz/artifacts'), { recursive: true });
    const r = run(`build/fuzz/fuzz_${target}`, ['-malloc_limit_mb=64', '-rss_limit_mb=1024', '-timeout=10', `-artifact_prefix=fuzz/artifacts/replay-${target}-`, ...inputs]);
    assert.equal(r.status, 0, output(r));
    assert.equal((r.stderr.match(/^Running: /gm) ?? []).length, inputs.length, output(r));
  });
}

test('a short fuzzing run finds nothing (scripts/fuzz.sh)', { timeout: 240000 }, () => {
  const seconds = process.env.FUZZ_CI_SECONDS ?? '20';
  const r = run('bash', ['scripts/fuzz.sh', seconds], 240000);
  assert.equal(r.status, 0, output(r));
  for (const target of ['load', 'decode', 'shapes']) {
    const m = r.stdout.match(new RegExp(`fuzz ${target}: (\\d+) executions in \\d+ s, 0 crashes`));
    assert.ok(m, `no result line for ${target}:\n${output(r)}`);
    assert.ok(Number(m[1]) > 20, `fuzz_${target} ran only ${m[1]} inputs`);
  }
});
