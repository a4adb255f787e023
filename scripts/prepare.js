'use strict';
// Shared by start.js and test.js: make a fresh clone runnable with one command.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Installs dependencies when node_modules is missing or older than the lock file. */
function ensureInstalled() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs) return;
  console.log('Installing dependencies (npm ci)…');
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

/** Compiles the service and bundles the console, each only when older than its sources. */
function ensureBuilt() {
  ensureServerBuilt();
  ensureWebBuilt();
}

/**
 * Runs `build` when its output is missing or older than any of its sources. Incremental
 * builds leave unchanged outputs untouched, so a stamp records when the build last ran.
 */
function buildWhenStale({ what, stamp, output, sources, build }) {
  const newestSource = Math.max(...sources.map(newestMtime));
  if (existsSync(stamp) && existsSync(output) && statSync(stamp).mtimeMs >= newestSource) return;
  console.log(`Building ${what}…`);
  build();
  writeFileSync(stamp, new Date().toISOString() + '\n');
}

/** Compiles the service (nest build → dist/). */
function ensureServerBuilt() {
  buildWhenStale({
    what: '(nest build)',
    stamp: join(root, 'dist', '.build-stamp'),
    output: join(root, 'dist', 'src', 'main.js'),
    sources: ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((s) => join(root, s)),
    build: () => execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] }), 'build'], { cwd: root, stdio: 'inherit' }),
  });
}

/** Bundles the console (web/ → web/dist) with Vite. */
function ensureWebBuilt() {
  const web = join(root, 'web');
  buildWhenStale({
    what: 'the console (vite build)',
    stamp: join(web, 'dist', '.build-stamp'),
    output: join(web, 'dist', 'index.html'),
    sources: [...['src', 'index.html', 'vite.config.mts', 'tsconfig.json'].map((s) => join(web, s)), join(root, 'package-lock.json')],
    build: () => viteBuild(web, 'warn'),
  });
}

/** A production Vite build of the app in `cwd` (the console, or the console benchmark's baseline). */
function viteBuild(cwd, logLevel) {
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', logLevel], {
    cwd,
    stdio: 'inherit',
    // Vite bundles React's development build when NODE_ENV says so (Jest sets it to "test").
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

module.exports = { root, ensureInstalled, ensureBuilt, ensureWebBuilt, viteBuild };
