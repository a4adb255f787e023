import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, withBlock } from '../docs/generated-block';
import { TICKET_DIAGRAM } from './ticket-diagram';

describe('the state diagram in docs/tickets.md', () => {
  it('is the one the transition table renders now (run `npm run diagram` after changing the table)', () => {
    const page = readFileSync(join(REPO_ROOT, TICKET_DIAGRAM.file), 'utf8');
    expect(page).toBe(withBlock(page, TICKET_DIAGRAM));
  });
});
