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

/** Compiles when dist/ is missing or older than any source it is built from. */
function ensureBuilt() {
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

module.exports = { root, ensureInstalled, ensureBuilt };
