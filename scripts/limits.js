#!/usr/bin/env node
// Writes lib/limits.js from the S2S_MIN_* / S2S_MAX_* bounds of c_src/s2s.h, the one place the
// limits are defined, so the library and the page check the same numbers the core does.
// `make limits` (and `make wasm`, `make all`) runs it; tests/core-limits.test.js checks that the
// committed lib/limits.js is what it writes. Usage: node scripts/limits.js
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
export const header = fileURLToPath(new URL('c_src/s2s.h', root));
const target = fileURLToPath(new URL('lib/limits.js', root));

// #define S2S_MAX_X <expression> /* comment */: integer literals (u suffix), (size_t) casts, * and <<
export function parseLimits(text) {
  const limits = [];
  for (const line of text.split('\n')) {
    const m = /^#define S2S_((?:MIN|MAX)_[A-Z]+)\s+(.+?)\s*(?:\/\*\s*(.*?)\s*\*\/)?\s*$/.exec(line);
    if (!m) continue;
    const [, name, expr, comment] = m;
    const js = expr.replace(/\(size_t\)/g, '').replace(/(\d+)u\b/g, '$1');
    if (!/^[\d\s*()<]+$/.test(js)) throw new Error(`S2S_${name}: cannot evaluate ${JSON.stringify(expr)}`);
    const value = Number(Function(`"use strict"; return (${js.replace(/(\d+)/g, '$1n')});`)());
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`S2S_${name} = ${value} is not a positive integer`);
    limits.push({ name, value, comment: comment ?? '' });
  }
  if (limits.length === 0) throw new Error(`no S2S_MIN_/S2S_MAX_ defines in ${header}`);
  return limits;
}

export function limitsModule(text) {
  const lines = [
    '// limits.js: the core\'s bounds, written by scripts/limits.js from c_src/s2s.h (S2S_MIN_*,',
    '// S2S_MAX_*). Do not edit: change the header and run `make limits`.',
    '',
  ];
  for (const { name, value, comment } of parseLimits(text)) {
    if (comment) lines.push(`/** ${comment} */`);
    lines.push(`export const ${name} = ${value};`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // the same bytes when nothing changed; the new modification time tells make it is current
  fs.writeFileSync(target, limitsModule(fs.readFileSync(header, 'utf8')));
}
