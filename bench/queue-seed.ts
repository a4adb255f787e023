import { Client } from 'pg';
import type { Policy } from '../src/config/policy';
import { TICKET_CHANNELS, TICKET_REASONS, TIER_RANK } from '../src/tickets/ticket.entity';

/**
 * The queue benchmark's data, written straight into PostgreSQL with
 * INSERT … SELECT generate_series: a million tickets through the API would take
 * hours. Rows are what the service itself would have written (tier, rank, steps,
 * approvals and SLA dates from the policy), except the audit trail and outbox,
 * which neither the listing nor take-next reads.
 */

/** Seeded accounts get ids from their number, so a ticket can name its account without a join. */
const accountId = (n: string) => `('00000000-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
/** 2 % critical, 18 % privileged, the rest standard: a function of the account number, so tickets agree with accounts. */
const tierOf = (n: string) => `(CASE WHEN ${n} % 50 = 0 THEN 'critical' WHEN ${n} % 50 < 10 THEN 'privileged' ELSE 'standard' END)`;

export interface SeedStaff {
  agents: string[];
  approvers: string[];
}

/** The policy's figures the rows must agree with, as one JSON parameter. */
function tierParams(policy: Policy): string {
  return JSON.stringify(
    (['standard', 'privileged', 'critical'] as const).map((tier) => ({
      tier,
      rank: TIER_RANK[tier],
      steps: policy.tiers[tier].steps,
      approvers: policy.tiers[tier].approvers,
      cooling: policy.tiers[tier].coolingOffMinutes,
    })),
  );
}

/** What callers give as a reason; `exposure` tickets are opened by the service itself (channel self_service). */
const REASONS = TICKET_REASONS.filter((reason) => reason !== 'exposure');

const TIERS_CTE = `tiers AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(tier text, rank smallint, steps text[], approvers int, cooling int))`;

/** One row per required step of each inserted ticket, in the state its ticket implies. */
const STEPS_INSERT = `
  INSERT INTO ticket_steps (ticket_id, step, status, attempts, sends, decided_by, decided_at)
  SELECT i.id, s.step,
         CASE WHEN i.state IN ('completed', 'awaiting_approval') THEN 'passed'
              WHEN i.state = 'denied' AND s.ord = 1 THEN 'failed' ELSE 'pending' END,
         CASE WHEN i.state IN ('completed', 'awaiting_approval', 'denied') AND s.ord = 1 THEN 1 ELSE 0 END,
         CASE WHEN i.state IN ('completed', 'awaiting_approval', 'denied') AND s.step IN ('registered_channel_otp', 'manager_attestation') THEN 1 ELSE 0 END,
         CASE WHEN i.state IN ('completed', 'awaiting_approval') OR (i.state = 'denied' AND s.ord = 1) THEN 'staff:' || i.assigned_to END,
         CASE WHEN i.state IN ('completed', 'awaiting_approval') OR (i.state = 'denied' AND s.ord = 1) THEN i.proofed END
    FROM ins i CROSS JOIN LATERAL unnest(i.required_steps) WITH ORDINALITY AS s(step, ord)`;

/** `count` accounts numbered 1…count (ids from the number; channels and directory facts unique per number). */
export async function seedAccounts(client: Client, count: number): Promise<void> {
  await client.query(
    `INSERT INTO accounts (id, external_id, display_name, tier, email, phone, employee_number, cost_centre, status, created_at, updated_at)
     SELECT ${accountId('n')}, 'S' || lpad(n::text, 7, '0'), 'Seeded Employee ' || n, ${tierOf('n')},
            's' || n || '@example.com', '+4477' || lpad(n::text, 8, '0'), lpad(n::text, 7, '0'), 'CC-' || (n % 300),
            'active', now() - interval '4 years', now() - interval '4 years'
       FROM generate_series(1, $1::int) AS n`,
    [count],
  );
}

/**
 * The live queue: one ticket for each of accounts 1…count (one live ticket per
 * account, as tickets_one_active demands). Standard: 4 in 5 open, 1 in 5 being
 * proofed. Privileged and critical: half open, a quarter being proofed, a quarter
 * awaiting approval (all steps passed). SLA dates from the policy, all in the future.
 */
export async function seedLiveTickets(client: Client, policy: Policy, staff: SeedStaff, count: number): Promise<void> {
  const { unclaimedMinutes: open, proofingMinutes: proofing, approvalMinutes: approval } = policy.sla;
  await client.query(
    `WITH ${TIERS_CTE},
     g AS (
       SELECT n, ${tierOf('n')} AS tier, random() AS r1, random() AS r2, floor(random() * ${TICKET_CHANNELS.length})::int AS ch, floor(random() * ${REASONS.length})::int AS why
         FROM generate_series(1, $2::int) AS n),
     p AS (
       SELECT g.*, t.rank, t.steps, t.approvers, t.cooling,
              CASE WHEN g.tier = 'standard' THEN CASE WHEN n % 5 = 1 THEN 'proofing' ELSE 'open' END
                   ELSE CASE n % 4 WHEN 1 THEN 'proofing' WHEN 2 THEN 'awaiting_approval' ELSE 'open' END END AS state,
              ($3::uuid[])[1 + n % cardinality($3::uuid[])] AS agent
         FROM g JOIN tiers t USING (tier)),
     d AS (
       SELECT p.*,
              CASE p.state WHEN 'open' THEN now() - r1 * ${open - 10} * interval '1 minute'
                           ELSE now() - (${approval} + r1 * ${open}) * interval '1 minute' END AS created,
              CASE p.state WHEN 'open' THEN NULL
                           WHEN 'proofing' THEN now() - r2 * ${proofing - 5} * interval '1 minute'
                           ELSE now() - r2 * ${approval - 10} * interval '1 minute' END AS changed
         FROM p),
     ins AS (
       INSERT INTO tickets (account_id, state, tier, tier_rank, channel, reason, callback, notes, required_steps, approvals_required,
                            cooling_off_minutes, opened_by, assigned_to, created_at, state_changed_at, due_at, regenerate_after, version, is_drill)
       SELECT ${accountId('n')}, state, tier, rank, ($4::text[])[1 + ch], ($5::text[])[1 + why], '{}', NULL, steps, approvers,
              cooling, 'staff:' || agent, CASE WHEN state = 'open' THEN NULL ELSE agent END, created, coalesce(changed, created),
              CASE state WHEN 'open' THEN created + ${open} * interval '1 minute'
                         WHEN 'proofing' THEN changed + ${proofing} * interval '1 minute'
                         ELSE changed + ${approval} * interval '1 minute' END,
              NULL, CASE state WHEN 'open' THEN 1 WHEN 'proofing' THEN 2 ELSE 3 END, false
         FROM d
       RETURNING id, state, required_steps, assigned_to, state_changed_at AS proofed)
     ${STEPS_INSERT}`,
    [tierParams(policy), count, staff.agents, TICKET_CHANNELS, REASONS],
  );
}

/**
 * Closed tickets numbered from…to, each on a random account of 1…accounts, opened
 * 1 day to 3 years ago: 70 % completed, 10 % denied (the first step failed), 12 %
 * expired unclaimed, 8 % cancelled. Completed privileged and critical tickets
 * carry their approvals. Dates follow the ticket's path through the SLAs.
 */
export async function seedClosedTickets(client: Client, policy: Policy, staff: SeedStaff, accounts: number, from: number, to: number): Promise<void> {
  const { unclaimedMinutes: open, proofingMinutes: proofing, approvalMinutes: approval } = policy.sla;
  await client.query(
    `WITH ${TIERS_CTE},
     g AS (
       SELECT n, 1 + floor(random() * $4::int)::int AS acc, random() AS r_state, random() AS r_age, random() AS r1, random() AS r2, random() AS r3,
              floor(random() * ${TICKET_CHANNELS.length})::int AS ch, floor(random() * ${REASONS.length})::int AS why
         FROM generate_series($2::int, $3::int) AS n),
     p AS (
       SELECT g.*, ${tierOf('acc')} AS tier,
              CASE WHEN r_state < 0.70 THEN 'completed' WHEN r_state < 0.80 THEN 'denied' WHEN r_state < 0.92 THEN 'expired' ELSE 'cancelled' END AS state,
              now() - interval '1 day' - r_age * interval '1095 days' AS created,
              ($5::uuid[])[1 + n % cardinality($5::uuid[])] AS agent
         FROM g),
     q AS (
       SELECT p.*, t.rank, t.steps, t.approvers, t.cooling,
              p.created + r1 * ${Math.round(open * 0.9)} * interval '1 minute' AS claimed
         FROM p JOIN tiers t USING (tier)),
     r AS (
       SELECT q.*, q.claimed + (5 + r2 * ${proofing - 10}) * interval '1 minute' AS proofed FROM q),
     s AS (
       SELECT r.*, r.proofed + r3 * ${Math.round(approval * 0.9)} * interval '1 minute' * (approvers > 0)::int AS approved FROM r),
     ins AS (
       INSERT INTO tickets (account_id, state, tier, tier_rank, channel, reason, callback, notes, required_steps, approvals_required,
                            cooling_off_minutes, opened_by, assigned_to, created_at, state_changed_at, due_at, regenerate_after, version, is_drill)
       SELECT ${accountId('acc')}, state, tier, rank, ($7::text[])[1 + ch], ($8::text[])[1 + why], '{}', NULL, steps, approvers, cooling,
              'staff:' || agent, CASE WHEN state IN ('completed', 'denied') THEN agent END, created,
              CASE state WHEN 'completed' THEN approved + (cooling + 1) * interval '1 minute'
                         WHEN 'denied' THEN proofed
                         WHEN 'expired' THEN created + ${open} * interval '1 minute'
                         ELSE created + r1 * ${Math.round(open / 2)} * interval '1 minute' END,
              CASE WHEN state = 'completed' AND approvers > 0 THEN proofed + ${approval} * interval '1 minute'
                   WHEN state IN ('completed', 'denied') THEN claimed + ${proofing} * interval '1 minute'
                   ELSE created + ${open} * interval '1 minute' END,
              CASE WHEN state = 'completed' THEN approved + cooling * interval '1 minute' END,
              CASE state WHEN 'completed' THEN 5 + (approvers > 0)::int WHEN 'denied' THEN 3 ELSE 2 END,
              false
         FROM s
       RETURNING id, state, required_steps, assigned_to, approvals_required,
                 -- back from the stored dates: when the last step passed, and when the last approval came
                 CASE WHEN state = 'completed' AND approvals_required > 0 THEN due_at - ${approval} * interval '1 minute'
                      WHEN state = 'completed' THEN state_changed_at - (cooling_off_minutes + 1) * interval '1 minute'
                      ELSE state_changed_at END AS proofed,
                 state_changed_at - (cooling_off_minutes + 1) * interval '1 minute' AS approved),
     steps AS (${STEPS_INSERT})
     INSERT INTO approvals (ticket_id, approver_id, decision, reason, created_at)
     SELECT i.id, ($6::uuid[])[k], 'approve', 'proofing evidence reviewed', i.approved - (i.approvals_required - k) * interval '1 minute'
       FROM ins i CROSS JOIN LATERAL generate_series(1, i.approvals_required) AS k
      WHERE i.state = 'completed'`,
    [tierParams(policy), from, to, accounts, staff.agents, staff.approvers, TICKET_CHANNELS, REASONS],
  );
}
