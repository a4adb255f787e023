#!/usr/bin/env node
'use strict';
// `npm start`: install if needed, build if needed, then run the service (or the CLI, or the benchmarks) in this process.
const { join } = require('node:path');
const { root, ensureInstalled, ensureBuilt } = require('./prepare');

ensureInstalled();
ensureBuilt();

const args = process.argv.slice(2);
const entries = { '--cli': 'dist/src/cli.js', '--bench': 'dist/bench/run.js', '--diagram': 'dist/src/docs/generate.js' };
const mode = Object.keys(entries).find((flag) => args[0] === flag);
const entry = join(root, mode ? entries[mode] : 'dist/src/main.js');
process.argv = [process.argv[0], entry, ...(mode ? args.slice(1) : args)];
require(entry);
