#!/usr/bin/env node
// build-site.js: writes the page as one static folder (default build/site/) holding exactly what
// it needs, deployable as-is to any static host at any sub-path (every URL in it is relative).
//
// What goes in is found, not listed: starting from web/index.html, every local `src`/`href` of
// the HTML, and in every JavaScript module each `import ... from '…'`, `import('…')` and
// `new URL('…', import.meta.url)` (workers, the wasm builds, the pretrained models), is followed.
// The package's '#platform' import is resolved the way a bundler resolves it for browsers
// (package.json "imports", "browser" condition: lib/browser/platform.js). Files keep the
// repository's layout (lib/, build/wasm/, pretrained/) except web/, whose files go to the top; the
// specifiers that cross that move ('../lib/x.js' in web/, '#platform' in lib/) are rewritten.
// Then the service worker (web/sw.js) gets the list of files to cache and a version made from
// their bytes, and the app icons are drawn. Same inputs, same bytes out.
//
//   node scripts/build-site.js [--out DIR] [--entry repo/path.js ...]
//   import { buildSite } from './scripts/build-site.js'

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { iconPng } from './icon.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** Default output folder. */
export const SITE_DIR = path.join(ROOT, 'build', 'site');

const JS_REFS = [
  /^(\s*(?:import|export)\b[^;'"`]*?\bfrom\s*)(['"])([^'"\n]+)\2/gm,
  /^(\s*import\s*)(['"])([^'"\n]+)\2/gm,
  /(\bimport\(\s*)(['"])([^'"\n]+)\2(?=\s*\))/g,
  /(\bnew URL\(\s*)(['"])([^'"\n]+)\2(?=\s*,\s*import\.meta\.url\s*\))/g,
];
const HTML_REFS = [/(\b(?:src|href)=)(["'])([^"'\n]+)\2/g];
/** Drawn by this script (scripts/icon.js), not read from web/. */
const ICON_SIZES = [192, 512];
const GENERATED = new Set(ICON_SIZES.map((size) => `icon-${size}.png`));

/** Where a repository file goes in the site: web/x -> x, anything else keeps its path. */
function sitePath(repoPath) {
  return repoPath.startsWith('web/') ? repoPath.slice(4) : repoPath;
}

/** Whether a reference names a file of the site (not a data:/http: URL, an absolute path or a
 *  fragment). In JavaScript a '#…' specifier is a package import; in HTML it is a fragment. */
function isLocal(spec, ext) {
  if (/^([a-z][a-z0-9+.-]*:|\/)/i.test(spec)) return false;
  if (spec.startsWith('#')) return ext === '.js';
  return true;
}

/** The repository path a specifier in `from` (a repository path) names. */
function resolveSpec(from, spec) {
  if (spec.startsWith('#')) {
    const target = PKG.imports?.[spec];
    const file = typeof target === 'string' ? target : target?.browser ?? target?.default;
    if (!file) throw new Error(`${from}: package.json "imports" has no browser target for ${spec}`);
    return path.posix.normalize(file.replace(/^\.\//, ''));
  }
  const clean = spec.split(/[?#]/)[0];
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), clean));
}

function relativeSpec(fromSite, toSite) {
  let rel = path.posix.relative(path.posix.dirname(fromSite), toSite);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

/**
 * The page's HTML with a <link rel="modulepreload"> for every module its module scripts import,
 * directly or not (import() too: the library the page loads at once), right after the first
 * of them: the browser then fetches and compiles the whole module graph at once instead of one
 * level of imports at a time.
 */
function withModulePreloads(html, moduleImports) {
  const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"><\/script>\n/g)];
  if (!scripts.length) return html;
  const roots = scripts.map((m) => path.posix.normalize(m[1]));
  const seen = new Set(roots);
  const order = [];
  const queue = [...roots];
  while (queue.length) {
    for (const dep of moduleImports.get(queue.shift()) ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      order.push(dep);
      queue.push(dep);
    }
  }
  const links = order.map((f) => `<link rel="modulepreload" href="${relativeSpec('index.html', f)}">\n`).join('');
  // after the first module script (the page's boot, which starts its work with a small graph of
  // its own), so that one is fetched first
  return html.replace(scripts[0][0], scripts[0][0] + links);
}

/**
 * Builds the site.
 * @param {{ out?: string, entries?: string[], quiet?: boolean }} [options] entries: extra
 *   repository files to include with what they import (tests add lib/index.js).
 * @returns {{ out: string, files: string[], version: string }}
 */
export function buildSite({ out = SITE_DIR, entries = [], quiet = true } = {}) {
  const outputs = new Map(); // site path -> Buffer
  const moduleImports = new Map(); // site path of a module -> site paths it imports (static and import())
  const queue = ['web/index.html', 'web/sw.js', 'web/manifest.webmanifest', ...entries];
  const seen = new Set();
  while (queue.length) {
    const repoPath = queue.shift();
    if (seen.has(repoPath)) continue;
    seen.add(repoPath);
    const abs = path.join(ROOT, repoPath);
    if (!fs.existsSync(abs)) {
      const hint = repoPath.startsWith('build/wasm/') ? ' (run make wasm)' : '';
      throw new Error(`build-site: ${repoPath} is referenced but missing${hint}`);
    }
    const ext = path.extname(repoPath);
    const patterns = ext === '.js' ? JS_REFS : ext === '.html' ? HTML_REFS : null;
    if (!patterns) {
      outputs.set(sitePath(repoPath), fs.readFileSync(abs));
      continue;
    }
    let text = fs.readFileSync(abs, 'utf8');
    for (const re of patterns) {
      const isModule = ext === '.js' && re !== JS_REFS[3]; // import … from, import '…', import('…')
      text = text.replace(re, (all, head, quote, spec) => {
        if (!isLocal(spec, ext)) return all;
        if (ext === '.js' && !/^(\.{1,2}\/|#)/.test(spec)) throw new Error(`build-site: ${repoPath} imports the bare specifier ${spec}; the site has no node_modules`);
        const target = resolveSpec(repoPath, spec);
        if (target.startsWith('..')) throw new Error(`build-site: ${repoPath} refers outside the repository: ${spec}`);
        if (!GENERATED.has(sitePath(target))) queue.push(target);
        if (isModule) moduleImports.set(sitePath(repoPath), [...(moduleImports.get(sitePath(repoPath)) ?? []), sitePath(target)]);
        const suffix = spec.startsWith('#') ? '' : spec.slice(spec.split(/[?#]/)[0].length);
        return `${head}${quote}${relativeSpec(sitePath(repoPath), sitePath(target))}${suffix}${quote}`;
      });
    }
    outputs.set(sitePath(repoPath), Buffer.from(text));
  }
  for (const size of ICON_SIZES) outputs.set(`icon-${size}.png`, iconPng(size));
  outputs.set('index.html', Buffer.from(withModulePreloads(outputs.get('index.html').toString('utf8'), moduleImports)));

  // The service worker caches every file of the site; its version is a hash of all of them, so
  // a new build replaces the old cache and an unchanged one keeps it.
  const listed = [...outputs.keys()].filter((f) => f !== 'sw.js').sort();
  const hash = crypto.createHash('sha256');
  for (const f of listed) hash.update(f).update('\0').update(outputs.get(f)).update('\0');
  const version = hash.digest('hex').slice(0, 16);
  const sw = outputs.get('sw.js').toString('utf8');
  if (!sw.includes('self.__SITE_FILES__') || !sw.includes('self.__SITE_VERSION__')) {
    throw new Error('build-site: web/sw.js must contain self.__SITE_FILES__ and self.__SITE_VERSION__');
  }
  const files = ['./', ...listed.map((f) => `./${f}`)];
  outputs.set('sw.js', Buffer.from(sw
    .replace('self.__SITE_FILES__', JSON.stringify(files))
    .replace('self.__SITE_VERSION__', JSON.stringify(version))));

  fs.rmSync(out, { recursive: true, force: true });
  for (const [rel, bytes] of [...outputs].sort()) {
    const dest = path.join(out, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, bytes);
  }
  const all = [...outputs.keys()].sort();
  if (!quiet) {
    const bytes = [...outputs.values()].reduce((a, b) => a + b.length, 0);
    console.log(`site: ${all.length} files, ${(bytes / 1024).toFixed(0)} KiB, version ${version} -> ${path.relative(process.cwd(), out) || '.'}`);
  }
  return { out, files: all, version };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  let out = SITE_DIR;
  const entries = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = path.resolve(args[++i]);
    else if (args[i] === '--entry' && args[i + 1]) entries.push(args[++i]);
    else {
      console.error(`usage: node scripts/build-site.js [--out DIR] [--entry path/in/repo.js ...] (got ${args[i]})`);
      process.exit(2);
    }
  }
  try {
    buildSite({ out, entries, quiet: false });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
