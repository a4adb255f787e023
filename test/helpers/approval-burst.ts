import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { call, expectStatus, inParallel } from './fleet';
import { eventually } from './wait';

/**
 * Standard-tier tickets taken to one step before approval against real
 * service processes, then approved together: opened and claimed over HTTP as
 * agents do, the OTP step marked passed in SQL (its code only reaches the
 * subject through the relay, as bench/tickets.bench.ts does), the last step
 * (directory_facts) left for the test to fire over HTTP. Its transaction
 * enters `approved` and, after commit, enqueues the regeneration job.
 */

export interface BurstAccount {
  id: string;
  email: string;
  employeeNumber: string;
  costCentre: string;
}

export interface BurstTicket {
  id: string;
  account: BurstAccount;
}

export interface StaffMember {
  id: string;
  token: string;
}

/** A member linked to an employee account of its own (agents, approvers and admins must be: staff rules). */
export async function createStaff(base: string, adminToken: string, roles: string[]): Promise<StaffMember> {
  const tag = randomBytes(3).toString('hex');
  const person = {
    externalId: `S${tag}`,
    displayName: `Staff ${tag}`,
    tier: 'standard',
    email: `s${tag}@example.com`,
    phone: `+4477008${parseInt(tag, 16) % 100000}`.padEnd(13, '0'),
  };
  const account = expectStatus(await call(base, 'POST', '/v1/accounts', adminToken, person), 201, 'create staff account');
  const staff = expectStatus(
    await call(base, 'POST', '/v1/staff', adminToken, { name: `fault ${roles.join('+')} ${tag}`, roles, accountId: account.id }),
    201,
    'create staff',
  );
  const issued = expectStatus(await call(base, 'POST', `/v1/staff/${staff.id}/tokens`, adminToken, { expiresInDays: 1 }), 201, 'issue token');
  return { id: staff.id, token: issued.token };
}

/** Standard-tier accounts through the directory import (one request), read back by external id. */
export async function importAccounts(base: string, adminToken: string, db: Client, count: number): Promise<BurstAccount[]> {
  const batch = randomBytes(4).toString('hex');
  const rows = Array.from({ length: count }, (_, i) => ({
    externalId: `F${batch}x${i}`,
    displayName: `Fault Subject ${i}`,
    tier: 'standard',
    email: `f${batch}x${i}@example.com`,
    phone: `+4477009${String(10_000 + i).padStart(5, '0')}`,
    employeeNumber: `EN${batch}${i}`,
    costCentre: 'CC-700',
  }));
  const report = expectStatus(
    await call(base, 'POST', '/v1/accounts/import', adminToken, { format: 'json', content: JSON.stringify(rows) }),
    200,
    'import accounts',
  );
  if (report.created !== count) throw new Error(`import created ${report.created} of ${count}: ${JSON.stringify(report.rejected)}`);
  const { rows: accounts } = await db.query<BurstAccount>(
    `SELECT id, email, employee_number AS "employeeNumber", cost_centre AS "costCentre" FROM accounts WHERE external_id = ANY($1) ORDER BY external_id`,
    [rows.map((r) => r.externalId)],
  );
  return accounts;
}

/**
 * Opens one ticket per account (spread over `bases`, round-robin), has `agent`
 * claim them all (POST /v1/tickets/next), and marks their OTP step passed.
 */
export async function ticketsOneStepFromApproval(bases: string[], agent: StaffMember, db: Client, accounts: BurstAccount[], width = 8): Promise<BurstTicket[]> {
  const tickets = await inParallel(accounts.length, width, async (i) => {
    const opened = expectStatus(
      await call(bases[i % bases.length], 'POST', '/v1/tickets', agent.token, { accountId: accounts[i].id, channel: 'phone', reason: 'lost_device' }),
      201,
      'open ticket',
    );
    return { id: opened.id as string, account: accounts[i] };
  });
  await inParallel(accounts.length, width, async (i) => {
    const claimed = expectStatus(await call(bases[i % bases.length], 'POST', '/v1/tickets/next', agent.token), 200, 'claim next');
    if (claimed.state !== 'proofing') throw new Error(`claimed ticket is ${claimed.state}`);
  });
  const ids = tickets.map((t) => t.id);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1) AND state = 'proofing' AND assigned_to = $2`, [ids, agent.id]);
  if (rows[0].n !== ids.length) throw new Error(`${rows[0].n} of ${ids.length} tickets were claimed by the agent`);
  await db.query(
    `UPDATE ticket_steps SET status = 'passed', evidence = '{"attempts":1}', decided_by = $2, decided_at = now()
      WHERE ticket_id = ANY($1) AND step = 'registered_channel_otp'`,
    [ids, `staff:${agent.id}`],
  );
  return tickets;
}

/** The last proofing step over HTTP: the answer is the approving transaction's. */
export function passDirectoryFacts(base: string, agent: StaffMember, ticket: BurstTicket) {
  return call(base, 'POST', `/v1/tickets/${ticket.id}/steps/directory_facts`, agent.token, {
    employeeNumber: ticket.account.employeeNumber,
    costCentre: ticket.account.costCentre,
  });
}

export interface RegenerationRecord {
  id: string;
  state: string;
  setsIssued: number;
  activeSets: number;
  activeIssuer: string | null;
  envelopes: number;
  completeEvents: number;
  startEvents: number;
  issuedEvents: number;
  deliveryMessages: number;
}

/** What each ticket's regeneration left behind, counted in the database. */
export async function regenerationRecords(db: Client, ticketIds: string[]): Promise<RegenerationRecord[]> {
  const { rows } = await db.query<RegenerationRecord>(
    `SELECT t.id, t.state,
       (SELECT count(*)::int FROM code_sets c WHERE c.issuing_ticket_id = t.id) AS "setsIssued",
       (SELECT count(*)::int FROM code_sets c WHERE c.account_id = t.account_id AND c.revoked_at IS NULL) AS "activeSets",
       (SELECT max(c.issuing_ticket_id::text) FROM code_sets c WHERE c.account_id = t.account_id AND c.revoked_at IS NULL) AS "activeIssuer",
       (SELECT count(*)::int FROM delivery_envelopes d WHERE d.account_id = t.account_id) AS envelopes,
       (SELECT count(*)::int FROM audit_events a WHERE a.target_id = t.id::text AND a.action = 'ticket.complete') AS "completeEvents",
       (SELECT count(*)::int FROM audit_events a WHERE a.target_id = t.id::text AND a.action = 'ticket.start_regeneration') AS "startEvents",
       (SELECT count(*)::int FROM audit_events a WHERE a.action = 'codes.issued' AND a.payload ->> 'ticketId' = t.id::text) AS "issuedEvents",
       (SELECT count(*)::int FROM outbox o JOIN accounts acc ON acc.id = t.account_id WHERE o.template = 'delivery.link' AND o.recipient = acc.email) AS "deliveryMessages"
     FROM tickets t WHERE t.id = ANY($1) ORDER BY t.id`,
    [ticketIds],
  );
  return rows;
}

/** The records of tickets that were NOT regenerated exactly once (empty when all were). */
export function notExactlyOnce(records: RegenerationRecord[]): RegenerationRecord[] {
  return records.filter(
    (r) =>
      r.state !== 'completed' ||
      r.setsIssued !== 1 ||
      r.activeSets !== 1 ||
      r.activeIssuer !== r.id ||
      r.envelopes !== 1 ||
      r.completeEvents !== 1 ||
      r.startEvents !== 1 ||
      r.issuedEvents !== 1 ||
      r.deliveryMessages !== 1,
  );
}

/** Waits until every ticket is `completed`; the error names the states they are in. */
export async function waitForCompletion(db: Client, ids: string[], timeoutMs: number): Promise<void> {
  await eventually(async () => ((await countStates(db, ids)).completed ?? 0) === ids.length, `${ids.length} tickets to complete`, timeoutMs).catch(
    async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await countStates(db, ids))}`);
    },
  );
}

export async function countStates(db: Client, ticketIds: string[]): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM tickets WHERE id = ANY($1) GROUP BY state`, [ticketIds]);
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export interface ApprovalAttempts {
  ticketId: string;
  /** Each answer's status, in order; the last is 200 (approved now) or 409 (an earlier attempt had committed). */
  statuses: number[];
  retryAfter: (string | null)[];
  final: { status: number; state?: string; text: string };
}

/**
 * The last step as a client with a retry policy sends it: a 503 is retried
 * after its Retry-After (capped), and so is a 5xx without one (which the
 * caller reports: the service should never answer it).
 */
export async function approveWithRetries(base: string, agent: StaffMember, ticket: BurstTicket, maxWaitMs = 2_000): Promise<ApprovalAttempts> {
  const statuses: number[] = [];
  const retryAfter: (string | null)[] = [];
  for (let attempt = 0; ; attempt += 1) {
    const answer = await passDirectoryFacts(base, agent, ticket);
    statuses.push(answer.status);
    retryAfter.push(answer.headers.get('retry-after'));
    if (answer.status < 500 || attempt >= 20)
      return { ticketId: ticket.id, statuses, retryAfter, final: { status: answer.status, state: answer.body?.state, text: answer.text.slice(0, 300) } };
    const seconds = Number(answer.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(seconds * 1000, maxWaitMs)));
  }
}
