import { renderMermaid } from '../tickets/ticket.machine';
import { GeneratedBlock } from './generated-block';

/** The state diagram in docs/tickets.md, rendered from the transition table (`npm run diagram` rewrites it). */
export const TICKET_DIAGRAM: GeneratedBlock = {
  file: 'docs/tickets.md',
  name: 'ticket-diagram',
  render: () => `\`\`\`mermaid\n${renderMermaid()}\n\`\`\``,
};
