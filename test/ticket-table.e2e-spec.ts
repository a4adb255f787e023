import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { SYSTEM } from '../src/audit/audit-actor';
import { AuditService } from '../src/audit/audit.service';
import { InvalidTransition } from '../src/common/errors';
import { afterCommit } from '../src/database/after-commit';
import { OutboxService } from '../src/notifications/outbox.service';
import { Staff } from '../src/staff/staff.entity';
import { asStaff, asSubject, asSystem, TicketActor } from '../src/tickets/ticket-actor';
import { TicketTransitions } from '../src/tickets/ticket-transitions.service';
import { Actor, guardsOf, TICKET_EVENTS, TICKET_STATES, TicketEvent, TicketState, Transition, TRANSITIONS } from '../src/tickets/ticket.machine';
import { createTestApp, TestApp } from './helpers/app';
import { bearer, Desk } from './helpers/desk';
import { untilWaitingOnLock } from './helpers/wait';

/**
 * Walks the whole table against the real database: for every (state, event)
 * pair, a ticket is put in that state and the event fired. Pairs with a row
 * succeed and show their effects; every other pair is a 409 that leaves the
 * ticket row and the audit trail exactly as they were.
 */
let t: TestApp;
let desk: Desk;
let staff: Staff;

beforeAll(async () => {
  t = await createTestApp(__filename);
  desk = new Desk(t);
  staff = (await t.createStaff(['agent', 'approver', 'admin'])).staff;
});
afterAll(() => t?.close());

function actorFor(role: Actor, accountId: string): TicketActor {
  if (role === 'system') return asSystem();
  if (role === 'subject') return asSubject(accountId);
  return asStaff(staff, role);
}

/** A ticket in `state`, with the facts a row's guard needs set to hold. */
async function ticketIn(state: TicketState, row?: Transition): Promise<{ id: string; accountId: string }> {
  const account = await t.createAccount();
  const agent = bearer((await t.createStaff(['agent'])).token);
  const { id } = await desk.open(agent, account);
  const needsApproval = row?.guard === 'needsApproval' || row?.event === 'approve' ? 1 : 0;
  await t.db.query(
    `UPDATE tickets SET state = $2, assigned_to = $3, approvals_required = $4, cooling_off_minutes = 60,
       regenerate_after = CASE WHEN $2 = 'approved' THEN now() - interval '1 second' ELSE NULL END
     WHERE id = $1`,
    [id, state, state === 'proofing' ? staff.id : null, needsApproval],
  );
  if (row?.event === 'approve') {
    await t.db.query(`INSERT INTO approvals (ticket_id, approver_id, decision, reason, created_at) VALUES ($1, $2, 'approve', 'ok', now())`, [id, staff.id]);
  }
  return { id, accountId: account.id };
}

const snapshotRow = async (id: string) => (await t.db.query('SELECT * FROM tickets WHERE id = $1', [id])).rows[0];
/**
 * The audit events about this ticket or its account (targeting either, or naming the ticket in their payload): the
 * app's own workers (sweep, relay, sequencer) audit other tickets meanwhile, which a count of the whole table would see.
 */
const auditCount = async (id: string, accountId: string) =>
  (await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE target_id IN ($1, $2) OR payload::text LIKE '%' || $1 || '%'`, [id, accountId])).rows[0]
    .n as number;
const outboxTemplates = async (id: string, accountId: string) =>
  (
    await t.db.query(
      `SELECT template FROM outbox WHERE idempotency_key LIKE '%' || $1 || '%' OR (template LIKE 'ticket.%' AND recipient IN (SELECT email FROM accounts WHERE id = $2))`,
      [id, accountId],
    )
  ).rows.map((r: { template: string }) => r.template);

describe('every (state, event) pair', () => {
  for (const state of TICKET_STATES) {
    for (const event of TICKET_EVENTS) {
      const rows = TRANSITIONS.filter((r) => r.from === state && r.event === event);
      if (rows.length === 0) {
        it(`${state} × ${event} → 409, nothing changed`, async () => {
          const { id, accountId } = await ticketIn(state);
          const before = await snapshotRow(id);
          const audits = await auditCount(id, accountId);
          const error = await t.app
            .get(TicketTransitions)
            .fireAlone(id, event as TicketEvent, actorFor('admin', accountId))
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(InvalidTransition);
          expect((error as InvalidTransition).details).toEqual({ state, allowedEvents: expect.any(Array) });
          expect(await snapshotRow(id)).toEqual(before);
          expect(await auditCount(id, accountId)).toBe(audits);
        });
        continue;
      }
      for (const row of rows) {
        it(`${state} × ${event}${row.guard ? ` [${row.guard}]` : ''} → ${row.to} by ${row.by.join('/')}, with its effects`, async () => {
          const { id, accountId } = await ticketIn(state, row);
          const ticket = await t.app.get(TicketTransitions).fireAlone(id, event, actorFor(row.by[0], accountId));
          expect(ticket.state).toBe(row.to);
          const after = await snapshotRow(id);
          expect(after.state).toBe(row.to);
          const audit = await t.db.query(`SELECT payload FROM audit_events WHERE action = $1 AND target_id = $2`, [`ticket.${event}`, id]);
          expect(audit.rows).toEqual([{ payload: expect.objectContaining({ from: state, to: row.to }) }]);
          const effects = row.effects ?? [];
          if (effects.includes('assign_actor')) expect(after.assigned_to).toBe(row.by[0] === 'system' || row.by[0] === 'subject' ? null : staff.id);
          if (effects.includes('unassign')) expect(after.assigned_to).toBeNull();
          if (effects.includes('fix_approved_facts')) {
            const {
              rows: [account],
            } = await t.db.query('SELECT tier, email, phone, manager_id FROM accounts WHERE id = $1', [accountId]);
            expect(after.approved_facts).toEqual({
              tier: account.tier,
              email: account.email,
              phone: account.phone,
              managerId: account.manager_id,
              approvedAt: expect.any(String),
            });
          }
          if (effects.includes('schedule_regeneration')) expect(after.regenerate_after).toEqual(expect.any(Date));
          const templates = await outboxTemplates(id, accountId);
          if (effects.includes('alert_security')) expect(templates).toContain('security.possible_social_engineering');
          if (effects.includes('notify_subject_outcome')) expect(templates).toContain('ticket.closed');
          if (effects.includes('notify_subject_approved')) expect(templates).toContain('ticket.approved');
        });
        // the same pair by an actor the row does not name is refused (403-class), nothing changed
        const outsider = (['agent', 'owner', 'approver', 'admin', 'system', 'subject'] as Actor[]).find(
          (a) => !row.by.includes(a) && !rows.some((r) => r.by.includes(a)),
        );
        if (outsider) {
          it(`${state} × ${event} by ${outsider} → refused, nothing changed`, async () => {
            const { id, accountId } = await ticketIn(state, row);
            const before = await snapshotRow(id);
            await expect(t.app.get(TicketTransitions).fireAlone(id, event, actorFor(outsider, accountId))).rejects.toThrow(/cannot/);
            expect(await snapshotRow(id)).toEqual(before);
          });
        }
      }
    }
  }
});

describe('rows a risk signal can hold', () => {
  for (const row of TRANSITIONS.filter((r) => guardsOf(r).includes('not:heldBySignal'))) {
    it(`${row.from} × ${row.event} while a signal holds the ticket → 409 naming it, nothing changed; after the admin clears it → ${row.to}`, async () => {
      const { id, accountId } = await ticketIn(row.from, row);
      await t.db.query(
        `INSERT INTO ticket_signals (ticket_id, signal, reason, holds, basis, raised_at) VALUES ($1, 'channel_recently_changed', 'test hold', true, 'test', now())`,
        [id],
      );
      const before = await snapshotRow(id);
      const audits = await auditCount(id, accountId);
      const error = await t.app
        .get(TicketTransitions)
        .fireAlone(id, row.event, actorFor(row.by[0], accountId))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidTransition);
      expect((error as Error).message).toBe('this ticket is held by a risk signal (channel_recently_changed) until an admin clears it');
      expect(await snapshotRow(id)).toEqual(before);
      expect(await auditCount(id, accountId)).toBe(audits);
      await t.db.query(`UPDATE ticket_signals SET cleared_at = now(), cleared_by = $2, clear_reason = 'checked' WHERE ticket_id = $1`, [id, staff.id]);
      expect((await t.app.get(TicketTransitions).fireAlone(id, row.event, actorFor(row.by[0], accountId))).state).toBe(row.to);
    });
  }
});

describe('guard facts read with the lock', () => {
  const heldRow = TRANSITIONS.find((r) => guardsOf(r).includes('not:heldBySignal'))!;

  it(`a hold committed while ${heldRow.from} × ${heldRow.event} waits for the ticket's lock is seen by its guard: 409, nothing changed`, async () => {
    const { id, accountId } = await ticketIn(heldRow.from, heldRow);
    const before = await snapshotRow(id);
    const audits = await auditCount(id, accountId);
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      // The signal's insert takes a key-share lock on the ticket row (its foreign key) until it commits.
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO ticket_signals (ticket_id, signal, reason, holds, basis, raised_at) VALUES ($1, 'channel_recently_changed', 'test hold', true, 'test', now())`,
        [id],
      );
      const fired = t.app
        .get(TicketTransitions)
        .fireAlone(id, heldRow.event, actorFor(heldRow.by[0], accountId))
        .catch((e: unknown) => e);
      // Until the transition is seen waiting for that lock (its snapshot for the lock's statement taken before the commit).
      await untilWaitingOnLock(t.db, 'rd_lock_ticket');
      await other.query('COMMIT');
      const error = await fired;
      expect(error).toBeInstanceOf(InvalidTransition);
      expect((error as Error).message).toBe('this ticket is held by a risk signal (channel_recently_changed) until an admin clears it');
    } finally {
      await other.end();
    }
    expect(await snapshotRow(id)).toEqual(before);
    expect(await auditCount(id, accountId)).toBe(audits);
  });
});

describe('what belongs to a transaction is refused outside one', () => {
  it('locking a ticket outside a transaction is refused: a lock that ended with its own statement would guard nothing', async () => {
    const { id } = await ticketIn('open');
    const transitions = t.app.get(TicketTransitions);
    const manager = t.app.get(DataSource).manager;
    await expect(transitions.lock(manager, id)).rejects.toThrow('a ticket is locked inside the transaction that changes it');
    await expect(transitions.lockWithFacts(manager, id)).rejects.toThrow('a ticket is locked inside the transaction that changes it');
    // Inside one, the same calls lock and read the row.
    await t.app.get(DataSource).transaction(async (em) => {
      expect((await transitions.lock(em, id)).state).toBe('open');
      expect((await transitions.lockWithFacts(em, id)).ticket.id).toBe(id);
    });
  });

  it('an audit event, an outbox message or an after-commit task outside a transaction is refused, and nothing is written', async () => {
    const { id, accountId } = await ticketIn('open');
    const manager = t.app.get(DataSource).manager;
    const before = { events: await auditCount(id, accountId), messages: await outboxTemplates(id, accountId) };
    await expect(t.app.get(AuditService).record(manager, { actor: SYSTEM, action: 'ticket.noted', target: { type: 'ticket', id } })).rejects.toThrow(
      'audit events are written inside the transaction of the change they record',
    );
    await expect(
      t.app.get(OutboxService).write(manager, {
        channel: 'email',
        to: 'someone@example.test',
        template: 'codes.issued',
        vars: {},
        idempotencyKey: `outside:${id}`,
        ticketId: id,
      }),
    ).rejects.toThrow('outbox messages are written inside the transaction that causes them');
    const task = jest.fn(async () => undefined);
    expect(() => afterCommit(manager, task)).toThrow('afterCommit needs the caller’s transaction');
    expect({ events: await auditCount(id, accountId), messages: await outboxTemplates(id, accountId) }).toEqual(before);
    expect(task).not.toHaveBeenCalled();
  });
});
