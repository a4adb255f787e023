import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCurrentDiagram } from './ticket-diagram';

describe('the state diagram in the README', () => {
  it('is the one the transition table renders now (run `npm run diagram` after changing the table)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toBe(withCurrentDiagram(readme));
  });
});
