#!/usr/bin/env node
'use strict';
// `npm test`: install if needed, type-check, lint and format check, then the whole suite (unit and e2e) against the
// real PostgreSQL and Redis. With arguments (`npm test -- --runTestsByPath …`) it skips lint and format: a targeted run stays fast.
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { root, ensureInstalled } = require('./prepare');

/**
 * Type-checks both projects at once (tests included: ts-jest transpiles without checking). Incremental, with the
 * build info under node_modules/.cache, so a second run re-checks only what changed and never touches dist/.
 */
function typeCheck() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const cache = join(root, 'node_modules', '.cache', 'recovery-desk');
  mkdirSync(cache, { recursive: true });
  const projects = [
    ['tsconfig.json', 'tsc-server.tsbuildinfo'],
    ['web/tsconfig.json', 'tsc-web.tsbuildinfo'],
  ];
  return Promise.all(
    projects.map(
      ([project, info]) =>
        new Promise((resolve) => {
          const args = [tsc, '-p', project, '--noEmit', '--incremental', '--tsBuildInfoFile', join(cache, info)];
          spawn(process.execPath, args, { cwd: root, stdio: 'inherit' }).on('exit', (code) => resolve(code ?? 1));
        }),
    ),
  ).then((codes) => codes.find((code) => code !== 0) ?? 0);
}

async function main() {
  ensureInstalled();
  const typeErrors = await typeCheck();
  if (typeErrors !== 0) process.exit(typeErrors);
  const args = process.argv.slice(2);
  if (args.length === 0) {
    for (const script of ['lint', 'format:check']) {
      const checked = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
      if (checked.status !== 0) process.exit(checked.status ?? 1);
    }
  }
  const jest = require.resolve('jest/bin/jest', { paths: [root] });
  const result = spawnSync(process.execPath, [jest, ...args], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

void main();
