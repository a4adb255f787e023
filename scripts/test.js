#!/usr/bin/env node
'use strict';
// `npm test`: install if needed, type-check, lint and format check, then the whole suite (unit and e2e) against the
// real PostgreSQL and Redis. With arguments (`npm test -- --runTestsByPath …`) it skips lint and format: a targeted run stays fast.
const { spawnSync } = require('node:child_process');
const { root, ensureInstalled } = require('./prepare');

const passOrExit = (result) => {
  if (result.status !== 0) process.exit(result.status ?? 1);
};

ensureInstalled();
const args = process.argv.slice(2);
// Type-check everything (tests included: ts-jest transpiles without checking) before running anything.
for (const project of ['tsconfig.json', 'web/tsconfig.json']) {
  passOrExit(spawnSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', project, '--noEmit'], { cwd: root, stdio: 'inherit' }));
}
if (args.length === 0) {
  for (const script of ['lint', 'format:check']) passOrExit(spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' }));
}
const jest = require.resolve('jest/bin/jest', { paths: [root] });
passOrExit(spawnSync(process.execPath, [jest, ...args], { cwd: root, stdio: 'inherit' }));
