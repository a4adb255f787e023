#!/usr/bin/env node
'use strict';
// After moving a module (git mv src/a/x.ts src/b/x.ts), points every relative import of it at the new place:
//   node scripts/rewrite-imports.js src/a/x.ts=src/b/x.ts [more pairs…]
// Rewrites the specifiers in every .ts/.tsx/.mts file of the repository (node_modules and dist aside) that resolve
// to an old path, keeping the file's own style (no extension, './' for a neighbour); prints the files it changed.
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage', 'var']);
const withoutExtension = (path) => path.replace(/\.(ts|tsx|mts)$/, '');

const moves = new Map();
for (const pair of process.argv.slice(2)) {
  const [from, to] = pair.split('=');
  if (!from || !to) {
    console.error(`not old=new: ${pair}`);
    process.exit(2);
  }
  moves.set(withoutExtension(resolve(root, from)), withoutExtension(resolve(root, to)));
}
if (moves.size === 0) {
  console.error('usage: node scripts/rewrite-imports.js <old path>=<new path>…');
  process.exit(2);
}

function* sources(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

// import … from '…', export … from '…', import('…'), jest.mock('…'), require('…')
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bjest\.mock\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]*)\2/gm;
let changed = 0;
for (const file of sources(root)) {
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(SPECIFIER, (whole, lead, quote, specifier) => {
    const target = moves.get(withoutExtension(resolve(dirname(file), specifier)));
    if (!target) return whole;
    let next = relative(dirname(file), target);
    if (!next.startsWith('.')) next = `./${next}`;
    return `${lead}${quote}${next}${quote}`;
  });
  if (rewritten !== text) {
    writeFileSync(file, rewritten);
    changed++;
    console.log(relative(root, file));
  }
}
console.error(`${changed} file(s) rewritten`);
