#!/usr/bin/env node
'use strict';
// Import cycles among a folder's modules, counting `import type` too (ESLint's import-x/no-cycle skips type-only
// imports; a cycle through types is still two modules that cannot be read or moved one without the other).
// Usage: node scripts/import-cycles.js <tsconfig>…; prints each cycle and exits 1 if there is one.
const { readFileSync } = require('node:fs');
const { dirname, relative, resolve } = require('node:path');
const ts = require('typescript');

const root = resolve(__dirname, '..');
const projects = process.argv.slice(2);
if (projects.length === 0) {
  console.error('usage: node scripts/import-cycles.js <tsconfig>…');
  process.exit(2);
}

/** file → the project files it imports (values and types alike), over every project named. */
const graph = new Map();
for (const project of projects) {
  const tsconfig = resolve(root, project);
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(tsconfig, ts.sys.readFile).config, ts.sys, dirname(tsconfig));
  const known = new Set(parsed.fileNames);
  for (const file of parsed.fileNames) {
    if (file.endsWith('.d.ts')) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set();
    for (const { fileName } of importedFiles) {
      const resolved = ts.resolveModuleName(fileName, file, parsed.options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved && known.has(resolved) && resolved !== file && !resolved.endsWith('.d.ts')) targets.add(resolved);
    }
    graph.set(file, [...targets]);
  }
}
const files = [...graph.keys()];

// Tarjan's strongly connected components: every component of more than one module is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function connect(file) {
  const node = { index, low: index, onStack: true };
  index++;
  state.set(file, node);
  stack.push(file);
  for (const next of graph.get(file)) {
    const seen = state.get(next);
    if (!seen) node.low = Math.min(node.low, connect(next).low);
    else if (seen.onStack) node.low = Math.min(node.low, seen.index);
  }
  if (node.low === node.index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== file);
    if (component.length > 1) cycles.push(component);
  }
  return node;
}
for (const file of files) if (!state.has(file)) connect(file);

for (const cycle of cycles)
  console.error(
    `import cycle: ${cycle
      .map((file) => relative(root, file))
      .sort()
      .join(' ↔ ')}`,
  );
if (cycles.length > 0) process.exit(1);
console.log(`no import cycle among ${files.length} modules (${projects.join(', ')})`);
