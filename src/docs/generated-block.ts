import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The repository's root, from src/docs (ts-jest) or dist/src/docs (the built `npm run diagram`). */
const twoUp = join(__dirname, '..', '..');
export const REPO_ROOT = basename(twoUp) === 'dist' ? join(twoUp, '..') : twoUp;

/**
 * A block of a Markdown page that code writes: everything between `<!-- <name>:begin … -->` and `<!-- <name>:end -->`.
 * The begin line may carry a note (where it comes from); it is kept as written.
 */
export interface GeneratedBlock {
  /** The page, relative to the repository's root. */
  file: string;
  name: string;
  render: () => string;
}

export function withBlock(page: string, block: GeneratedBlock): string {
  const begin = new RegExp(`<!-- ${block.name}:begin[^>]*-->\\n`);
  const match = begin.exec(page);
  const endMarker = `<!-- ${block.name}:end -->`;
  const end = page.indexOf(endMarker);
  if (!match || end < match.index) throw new Error(`${block.file} has no ${block.name} block (<!-- ${block.name}:begin --> … ${endMarker})`);
  return `${page.slice(0, match.index + match[0].length)}${block.render().trimEnd()}\n${page.slice(end)}`;
}

/** Rewrites each block's page; returns the pages that changed. */
export function writeBlocks(blocks: readonly GeneratedBlock[], root = REPO_ROOT): string[] {
  const changed: string[] = [];
  for (const block of blocks) {
    const path = join(root, block.file);
    const before = readFileSync(path, 'utf8');
    const after = withBlock(before, block);
    if (after !== before) {
      writeFileSync(path, after);
      changed.push(block.file);
    }
  }
  return changed;
}
