#!/usr/bin/env node
// serve.js: a dependency-free static file server for the page.
//
// It serves the built site (build/site/, written by scripts/build-site.js: `npm run build`),
// and nothing else of the repository, as any static host would. Port from PORT (default 8080;
// 0 picks a free one); BASE_PATH mounts the site under a sub-path (default /), as on GitHub
// Pages. It prints the URL when it listens. Only GET and HEAD; nothing outside the folder is
// ever served. `npm start` sends the cross-origin-isolation headers (COOP same-origin, COEP
// require-corp), so the page's training workers share gradients through SharedArrayBuffer; the
// page works without them too (gradients then travel as transferred ArrayBuffers), as on hosts
// that cannot send them: ISOLATE=0 npm start serves it that way (startServer's default).
//
// Also usable from tests: `import { startServer } from './serve.js'`.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '..');
/** The folder `npm start` serves: the built site. */
export const SITE_ROOT = path.join(REPO_ROOT, 'build', 'site');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.s2s': 'application/octet-stream',
};

function contentType(file) {
  return MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

// Cross-origin isolation: makes SharedArrayBuffer available to the page and its workers.
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function handler(root, prefix, isolated) {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      send(res, 400, 'Bad request\n');
      return;
    }
    if (pathname === prefix.slice(0, -1) && prefix !== '/') {
      res.writeHead(301, { Location: prefix });
      res.end();
      return;
    }
    if (!pathname.startsWith(prefix)) {
      send(res, 404, `Not found: ${pathname} (the site is at ${prefix})\n`);
      return;
    }
    const file = path.resolve(root, '.' + pathname.slice(prefix.length - 1));
    if (file !== root && !file.startsWith(root + path.sep)) {
      send(res, 403, 'Forbidden\n');
      return;
    }
    fs.stat(file, (err, st) => {
      if (err) {
        send(res, 404, `Not found: ${pathname}\n`);
        return;
      }
      if (st.isDirectory()) {
        if (!pathname.endsWith('/')) {
          res.writeHead(301, { Location: pathname + '/' });
          res.end();
          return;
        }
        serveFile(req, res, path.join(file, 'index.html'), isolated);
        return;
      }
      serveFile(req, res, file, isolated);
    });
  };
}

function serveFile(req, res, file, isolated) {
  fs.stat(file, (err, stat) => {
    if (err || !stat.isFile()) {
      send(res, 404, 'Not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': contentType(file),
      'Content-Length': stat.size,
      'Cache-Control': 'no-cache',
      ...(isolated ? ISOLATION_HEADERS : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file).pipe(res);
  });
}

/** Start serving `root` (default: the built site) at `prefix` (a path ending in '/') on `port`
 *  (0: a free port), with the cross-origin-isolation headers when `isolated` (npm start's default).
 *  Resolves to { server, port, url, close() }. */
export function startServer({ port = 8080, root = SITE_ROOT, host = '127.0.0.1', prefix = '/', isolated = false } = {}) {
  const absRoot = path.resolve(root);
  if (!/^\/([^?#]*\/)?$/.test(prefix)) throw new Error(`prefix must start and end with "/", got ${JSON.stringify(prefix)}`);
  const server = http.createServer(handler(absRoot, prefix, isolated));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      resolve({
        server,
        port: actual,
        url: `http://localhost:${actual}${prefix}`,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer from 0 to 65535, got "${process.env.PORT}"`);
    process.exit(1);
  }
  const prefix = process.env.BASE_PATH || '/';
  if (!fs.existsSync(path.join(SITE_ROOT, 'index.html'))) {
    console.error(`${path.relative(process.cwd(), SITE_ROOT)}/index.html is missing: run "npm run build" first (npm start does).`);
    process.exit(1);
  }
  let started;
  try {
    started = startServer({ port, prefix, isolated: process.env.ISOLATE !== '0' });
  } catch (err) {
    console.error(`BASE_PATH: ${err.message}`);
    process.exit(1);
  }
  started.then(
    ({ url }) => console.log(`seq2seq-attention page: ${url}  (Ctrl+C stops)`),
    (err) => {
      console.error(err.code === 'EADDRINUSE'
        ? `Port ${port} is in use; set PORT to another one, e.g. PORT=8081 npm start`
        : `Could not start the server: ${err.message}`);
      process.exit(1);
    },
  );
}
