import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { CONSOLE_ROOT, projectRoot } from '../src/web/console.module';
import { launchChromium } from './chromium';
import { startBenchApp } from './bench-app';
import { median, percentile } from './measure';
import { describeLoad, describeMachine, ms, summaryTable, times } from './table';

const RUNS = { loads: 20, warmUp: 3 } as const;
const GOALS = { gzippedKb: 250, firstLoadMs: 1000 } as const;
const ROOT = projectRoot(__dirname);
const BASELINE_DIR = join(ROOT, 'node_modules', '.cache', 'rd-bench-bare-react');

const log = (line: string) => process.stderr.write(`console: ${line}\n`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/** The scripts and styles an index.html loads, gzipped at level 9 (what a server with compression sends). */
function assetSizes(distDir: string): { js: number; css: number; jsRaw: number } {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  const sizes = { js: 0, css: 0, jsRaw: 0 };
  for (const asset of assets) {
    const content = readFileSync(join(distDir, asset));
    const gz = gzipSync(content, { level: 9 }).length;
    if (asset.endsWith('.js')) {
      sizes.js += gz;
      sizes.jsRaw += content.length;
    } else if (asset.endsWith('.css')) sizes.css += gz;
  }
  return sizes;
}

/**
 * The baseline: the smallest React app the same toolchain builds (React, ReactDOM, one
 * component rendering a labelled input), bundled in this run with the same Vite settings.
 */
function buildBareReact(): string {
  rmSync(BASELINE_DIR, { recursive: true, force: true });
  mkdirSync(join(BASELINE_DIR, 'src'), { recursive: true });
  writeFileSync(
    join(BASELINE_DIR, 'index.html'),
    `<!doctype html><html><head><title>bare</title></head><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>`,
  );
  writeFileSync(
    join(BASELINE_DIR, 'src', 'main.tsx'),
    `import { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')!).render(<main><label htmlFor="t">Staff token</label><input id="t" /></main>);\n`,
  );
  writeFileSync(join(BASELINE_DIR, 'tsconfig.json'), JSON.stringify({ compilerOptions: { jsx: 'react-jsx', module: 'ESNext', moduleResolution: 'bundler' } }));
  // The same production build as the console's (scripts/prepare.js), so the two bundles compare.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(ROOT, 'scripts', 'prepare.js')).viteBuild(BASELINE_DIR, 'error');
  return join(BASELINE_DIR, 'dist');
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** A plain static server for the baseline build, on the loopback like the service. */
async function serveStatic(dir: string): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    const path = req.url === '/' ? '/index.html' : req.url!.split('?')[0];
    try {
      const body = readFileSync(join(dir, path));
      res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Cold first loads: a new browser context each time (empty cache), from navigation until the token field is on screen. */
async function firstLoads(browser: Browser, url: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS.warmUp + RUNS.loads; i += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    await page.getByLabel('Staff token').waitFor({ state: 'visible' });
    // Measured by the page's own clock: from the start of navigation to the field being rendered.
    const elapsed = await page.evaluate(() => performance.now());
    if (i >= RUNS.warmUp) samples.push(elapsed);
    await context.close();
  }
  return samples;
}

export async function runConsoleBench(): Promise<void> {
  console.log(`\n# console: gzipped JavaScript and first load of the sign-in screen\n${describeMachine()}`);
  const ours = assetSizes(CONSOLE_ROOT);
  log('building the bare React baseline…');
  const bare = assetSizes(buildBareReact());

  const bench = await startBenchApp({ role: 'api' });
  const baseline = await serveStatic(join(BASELINE_DIR, 'dist'));
  const browser = await launchChromium();
  try {
    log(`${RUNS.loads} cold loads each…`);
    const oursLoads = await firstLoads(browser, `${bench.baseUrl}/`);
    const bareLoads = await firstLoads(browser, `${baseline.baseUrl}/`);
    const rows = [
      ['console JavaScript, gzipped (goal < 250 kB)', kb(ours.js), kb(bare.js), times(ours.js / bare.js)],
      ['console JavaScript, minified, not gzipped', kb(ours.jsRaw), kb(bare.jsRaw), times(ours.jsRaw / bare.jsRaw)],
      ['console CSS, gzipped', kb(ours.css), kb(bare.css || 1), '—'],
      ['first load to sign-in form, p50 (goal < 1 s)', ms(median(oursLoads)), ms(median(bareLoads)), times(median(oursLoads) / median(bareLoads))],
      [
        'first load to sign-in form, p95',
        ms(percentile(oursLoads, 95)),
        ms(percentile(bareLoads, 95)),
        times(percentile(oursLoads, 95) / percentile(bareLoads, 95)),
      ],
    ];
    console.log(`\n${summaryTable('console', ['measure', 'ours', 'bare React app', 'ours / bare'], rows)}`);
    console.log(
      `\ngoals: ${kb(ours.js)} of ${GOALS.gzippedKb} kB gzipped JavaScript (${times(ours.js / 1024 / GOALS.gzippedKb)} of the budget); ` +
        `p50 first load ${ms(median(oursLoads))} of ${GOALS.firstLoadMs} ms (${times(median(oursLoads) / GOALS.firstLoadMs)})`,
    );
    console.log(`ours: the service (role api) serving web/dist with its security headers; baseline: a plain Node static server. ${describeLoad('at end')}`);
  } finally {
    await browser.close();
    baseline.server.close();
    await bench.close();
  }
}
