#!/usr/bin/env node
'use strict';
// `npm test`: install if needed, then the whole suite (unit and e2e) against the real PostgreSQL and Redis.
const { spawnSync } = require('node:child_process');
const { root, ensureInstalled } = require('./prepare');

ensureInstalled();
// Type-check everything (tests included: ts-jest transpiles without checking) before running anything.
for (const project of ['tsconfig.json', 'web/tsconfig.json']) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', project, '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
const jest = require.resolve('jest/bin/jest', { paths: [root] });
const result = spawnSync(process.execPath, [jest, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
