import { EntityManager } from 'typeorm';
import { Forbidden } from '../common/errors';

const DAY_MS = 86_400_000;

/** A presentation refused because the custodian's codes do not count for an unlock (the code is left untouched). */
export class CustodianCodesRule extends Forbidden {
  static readonly code = 'custodian_codes_rule';
}

/** What the rule looks at: when the custodian was added, and the custodian's active code set. */
export interface CustodianCodeFacts {
  addedAt: Date;
  issuedAt: Date;
  /** The set came from a recovery ticket that completed (proofed and approved), not a drill. */
  throughRecoveryTicket: boolean;
}

/**
 * Custodian codes belong to the custodian. Whoever may enrol first codes (a service token, an admin with one) could
 * otherwise enrol codes for custodians who never had any and present them all: one principal, k signatures. So a
 * presentation counts only with codes from a set the custodian already held before being added to the system and
 * that is at least `minAgeDays` old (the employee has had time to see the "codes were set up" notice), or from a set
 * issued through a completed recovery ticket (which proved who asked). Undefined when the codes count; else why not.
 */
export function custodianCodesRefusal(facts: CustodianCodeFacts, now: Date, minAgeDays: number): string | undefined {
  if (facts.throughRecoveryTicket) return undefined;
  const issued = facts.issuedAt.toISOString().slice(0, 10);
  const rule = `a custodian's codes count only from a set held before they were added and at least ${minAgeDays} days old, or issued through a recovery ticket`;
  if (facts.issuedAt >= facts.addedAt) {
    return `this custodian's codes were issued on ${issued}, after they were added to this system on ${facts.addedAt.toISOString().slice(0, 10)}: ${rule}`;
  }
  if (now.getTime() - facts.issuedAt.getTime() < minAgeDays * DAY_MS) {
    return `this custodian's codes were issued on ${issued}, less than ${minAgeDays} days ago: ${rule}`;
  }
  return undefined;
}

/**
 * The facts for a custodian of a system, read in the presentation's transaction; undefined when the account has no
 * active set (then the code cannot verify, and is answered and counted like any wrong code).
 */
export async function custodianCodeFacts(em: EntityManager, systemId: string, accountId: string): Promise<CustodianCodeFacts | undefined> {
  const [row] = (await em.query(
    `SELECT c.added_at, s.issued_at,
            EXISTS (SELECT 1 FROM tickets t WHERE t.id = s.issuing_ticket_id AND t.state = 'completed' AND NOT t.is_drill) AS through_ticket
       FROM critical_system_custodians c
       JOIN code_sets s ON s.account_id = c.account_id AND s.revoked_at IS NULL
      WHERE c.system_id = $1 AND c.account_id = $2`,
    [systemId, accountId],
  )) as { added_at: Date; issued_at: Date; through_ticket: boolean }[];
  return row && { addedAt: row.added_at, issuedAt: row.issued_at, throughRecoveryTicket: row.through_ticket };
}
