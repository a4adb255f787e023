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

/** Compiles when dist/ is missing or older than any source it is built from. */
function ensureServerBuilt() {
  // tsc's incremental build leaves unchanged outputs untouched, so a stamp records when it last ran.
  const stamp = join(root, 'dist', '.build-stamp');
  const sources = ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
  const newestSource = Math.max(...sources.map((s) => newestMtime(join(root, s))));
  if (existsSync(stamp) && existsSync(join(root, 'dist', 'src', 'main.js')) && statSync(stamp).mtimeMs >= newestSource) return;
  console.log('Building (nest build)…');
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] }), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(stamp, new Date().toISOString() + '\n');
}

/** Bundles the console (web/ → web/dist) with Vite when it is missing or older than its sources. */
function ensureWebBuilt() {
  const web = join(root, 'web');
  const stamp = join(web, 'dist', '.build-stamp');
  const newestSource = Math.max(...['src', 'index.html', 'vite.config.mts', 'tsconfig.json'].map((s) => newestMtime(join(web, s))), newestMtime(join(root, 'package-lock.json')));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource) return;
  console.log('Building the console (vite build)…');
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: web,
    stdio: 'inherit',
    // Vite bundles React's development build when NODE_ENV says so (Jest sets it to "test").
    env: { ...process.env, NODE_ENV: 'production' },
  });
  writeFileSync(stamp, new Date().toISOString() + '\n');
}

module.exports = { root, ensureInstalled, ensureBuilt, ensureWebBuilt };
