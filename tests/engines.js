// engines.js: the three browser engines behind one small interface, for the tests that run the
// page's and the package's main flows in each (not a test itself). Debian's packages, no browser
// downloads (TOOLCHAIN.md):
//   chromium  /usr/bin/chromium through playwright-core (CDP)
//   firefox   /usr/bin/firefox-esr through puppeteer-core over WebDriver BiDi, no separate driver
//   webkit    WebKitGTK's MiniBrowser through WebKitWebDriver and selenium-webdriver, under
//             xvfb-run (MiniBrowser needs a display; --headless made the session hang)
// Each engine gives { name, version, goto(url), run(fn, arg), close() }: run() evaluates an
// async function in the page with PAGE_HELPERS in scope and returns its JSON-able result, so a
// flow is written once, as page code, and runs the same way in all three.

import fs from 'node:fs';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { CHROMIUM, CHROMIUM_ARGS } from './web-harness.js';

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const ENGINES = ['chromium', 'firefox', 'webkit'];

/** Why an engine cannot run here (a message naming the package to install), or null. */
export function missing(engine) {
  const need = {
    chromium: [[CHROMIUM, 'apt-get install -y chromium (or set CHROMIUM_PATH)']],
    firefox: [[FIREFOX, 'apt-get install -y firefox-esr (or set FIREFOX_PATH)']],
    webkit: [[WEBKIT_DRIVER, 'apt-get install -y webkit2gtk-driver'], [MINIBROWSER, 'apt-get install -y webkit2gtk-driver'], ['/usr/bin/xvfb-run', 'apt-get install -y xvfb']],
  }[engine];
  for (const [file, how] of need) if (!fs.existsSync(file)) return `${engine}: no ${file}: ${how}`;
  return null;
}

// Defined in the page before every flow: $ (querySelector), sleep, waitFor(predicate, ms, what),
// setInput(selector, value) (sets a field and fires input/change as typing does), and
// window.__errors (uncaught errors and rejections since the page's first flow).
export const PAGE_HELPERS = `
  const $ = (s) => document.querySelector(s);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const waitFor = async (pred, ms = 20000, what = String(pred)) => {
    const t0 = performance.now();
    for (;;) {
      let v;
      try { v = pred(); } catch { v = false; }
      if (v) return v;
      if (performance.now() - t0 > ms) throw new Error('timed out after ' + ms + ' ms waiting for ' + what);
      await sleep(50);
    }
  };
  const setInput = (s, value) => {
    const e = $(s);
    e.value = value;
    e.dispatchEvent(new Event('input', { bubbles: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
  };
  if (!window.__errors) {
    window.__errors = [];
    addEventListener('error', (e) => window.__errors.push(String(e.message || e)));
    addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason && e.reason.message || e.reason)));
  }
`;

function script(fn, arg) {
  return `(async () => { ${PAGE_HELPERS}; return await (${fn.toString()})(${JSON.stringify(arg ?? null)}); })()`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function chromium() {
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage();
  return {
    name: 'chromium',
    version: browser.version(),
    goto: (url) => page.goto(url),
    run: (fn, arg) => page.evaluate(script(fn, arg)),
    close: () => browser.close(),
  };
}

async function firefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  const page = await browser.newPage();
  page.setDefaultTimeout(0);
  return {
    name: 'firefox',
    version: await browser.version(),
    goto: (url) => page.goto(url),
    run: (fn, arg) => page.evaluate(script(fn, arg)),
    close: () => browser.close(),
  };
}

async function webkit() {
  const { Builder } = await import('selenium-webdriver');
  const port = await freePort();
  // Its own process group, so close() ends xvfb-run, Xvfb, the driver and MiniBrowser together.
  const child = spawn('xvfb-run', ['-a', WEBKIT_DRIVER, `--port=${port}`], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
  try {
    const t0 = Date.now();
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() - t0 > 20000) throw new Error(`WebKitWebDriver did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }).build();
    await driver.manage().setTimeouts({ script: 600000, pageLoad: 60000 });
    const caps = await driver.getCapabilities();
    return {
      name: 'webkit',
      version: `${caps.get('browserName')} ${caps.get('browserVersion')}`,
      goto: (url) => driver.get(url),
      async run(fn, arg) {
        const out = await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
          ${script(fn, arg)}.then((v) => done({ v: JSON.stringify(v) }), (e) => done({ e: String(e && e.stack || e) }));`);
        if (out.e) throw new Error(out.e);
        return out.v === undefined ? undefined : JSON.parse(out.v);
      },
      async close() {
        await driver.quit().catch(() => {});
        stop();
      },
    };
  } catch (err) {
    stop();
    throw err;
  }
}

/** Launches `engine` ('chromium' | 'firefox' | 'webkit'). */
export function launch(engine) {
  const why = missing(engine);
  if (why) throw new Error(`${why} (SKIP_BROWSER_TESTS=1 skips the browser tests)`);
  return { chromium, firefox, webkit }[engine]();
}
