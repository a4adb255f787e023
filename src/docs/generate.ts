import { GeneratedBlock, writeBlocks } from './generated-block';
import { MODULE_MAP } from './module-map';
import { PATHS_TO_CODES } from './paths-to-codes';
import { POLICY_DEFAULTS } from './policy-defaults';
import { TICKET_DIAGRAM } from './ticket-diagram';

/** Every block of the README and docs/ that code writes; `npm run diagram` rewrites them all, docs.spec.ts checks them. */
export const GENERATED_BLOCKS: readonly GeneratedBlock[] = [TICKET_DIAGRAM, MODULE_MAP, PATHS_TO_CODES, POLICY_DEFAULTS];

// `npm run diagram` (scripts/start.js puts this entry in argv[1] and requires it).
if (require.main === module || process.argv[1] === __filename) {
  const changed = writeBlocks(GENERATED_BLOCKS);
  console.log(changed.length ? `Rewrote the generated blocks in ${changed.join(', ')}` : 'Every generated block was already current');
}
