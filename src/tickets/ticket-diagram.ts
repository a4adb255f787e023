import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMermaid } from './ticket.machine';

export const BEGIN = '<!-- ticket-diagram:begin (generated from src/tickets/ticket.machine.ts by `npm run diagram`) -->';
export const END = '<!-- ticket-diagram:end -->';

/** The README with its diagram block replaced by the one the table renders now. */
export function withCurrentDiagram(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error('README has no ticket-diagram block');
  return `${readme.slice(0, start)}${BEGIN}\n\`\`\`mermaid\n${renderMermaid()}\n\`\`\`\n${readme.slice(end)}`;
}

// `npm run diagram` rewrites the block in README.md (scripts/start.js puts this entry in argv[1] and requires it).
if (require.main === module || process.argv[1] === __filename) {
  const file = join(__dirname, '..', '..', '..', 'README.md');
  writeFileSync(file, withCurrentDiagram(readFileSync(file, 'utf8')));
  console.log(`Rewrote the ticket state diagram in ${file}`);
}
