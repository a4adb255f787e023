import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Account } from '../src/accounts/account.entity';
import { InvalidTransition } from '../src/common/errors';
import { Staff } from '../src/staff/staff.entity';
import { asStaff } from '../src/tickets/ticket-actor';
import { TicketTransitions } from '../src/tickets/ticket-transitions.service';
import { TicketSweep } from '../src/tickets/ticket-sweep.service';
import { createTestApp, TestApp } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * Risk signals, each on the data that should raise it and on data that should
 * not. Test policy: at most 3 tickets for privileged and critical accounts
 * across the desk per hour, so a burst is four; the rest are the defaults
 * (channel change window 14 days, more than 2 tickets per account in 7 days).
 * Windows that must not see the rest of the file's tickets run at a clock
 * offset of their own.
 */
let t: TestApp;
let desk: Desk;
let admin: Auth;
let agent: Auth;
let agentStaff: Staff;
let otherAgent: Auth;
const approvers: Auth[] = [];
let service: Auth;
let runner: Auth;
/** Added part-way through the file: from then on sensitive changes by `admin` are change requests this admin approves. */
let secondAdmin: Auth | undefined;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type SignalView = {
  signal: string;
  reason: string;
  holds: boolean;
  raisedAt: string;
  clearedAt: string | null;
  clearedBy: string | null;
  clearReason: string | null;
};
type TicketView = {
  id: string;
  state: string;
  held: boolean;
  signals: SignalView[];
  steps: { step: string; status: string }[];
  approvals: { approverId: string; independent: boolean }[];
};

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-risk-policy-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ risk: { deskVelocity: { maxPrivilegedTickets: 3, windowMinutes: 60 } } }));
  t = await createTestApp(__filename, { POLICY_FILE: policyFile, LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  admin = bearer(t.adminToken);
  const a = await t.createStaff(['agent']);
  agent = bearer(a.token);
  agentStaff = a.staff;
  otherAgent = bearer((await t.createStaff(['agent'])).token);
  for (let i = 0; i < 4; i += 1) approvers.push(bearer((await t.createStaff(['approver'])).token));
  service = bearer((await t.createStaff(['service'])).token);
  runner = bearer((await t.createStaff(['drill_runner'])).token);
  await t.createStaff(['intake']); // drill tickets enter through intake
});
afterAll(() => t?.close());

const drainQueue = () => t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`);

/** Runs `fn` with the service's clock moved by `offsetMs`, then puts it back. */
async function at<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  t.clock.advance(offsetMs);
  try {
    return await fn();
  } finally {
    t.clock.advance(-offsetMs);
  }
}

const freshPhone = () => `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;

/** An admin changes the registered phone, `daysAgo` days ago by the service's clock. */
async function changePhone(account: Account, daysAgo = 0) {
  const phone = freshPhone();
  await at(-daysAgo * DAY, async () => applied(await t.http().patch(`/v1/accounts/${account.id}`).set(admin).send({ phone })));
  account.phone = phone;
}

/** A sensitive change by `admin`: applied at once while it is the only admin, else a change request the second admin approves. */
async function applied(res: { status: number; body: { id: string } }) {
  if (res.status === 202 && secondAdmin) {
    await t.http().post(`/v1/change-requests/${res.body.id}/approve`).set(secondAdmin).send({ reason: 'confirmed with the employee' }).expect(200);
  } else {
    expect(res.status).toBe(200);
  }
  return res;
}

async function accountWithCodes(overrides: Partial<Account> = {}) {
  const account = await t.createAccount(overrides);
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return account;
}

const view = async (id: string, who: Auth = agent) => (await t.http().get(`/v1/tickets/${id}`).set(who).expect(200)).body as TicketView;
const signalsOf = (ticket: TicketView) => ticket.signals.map((s) => s.signal);
const signal = (ticket: TicketView, code: string) => ticket.signals.find((s) => s.signal === code);
const clear = (who: Auth, id: string, code: string, reason = 'called the subject back on the number on file: genuine') =>
  t.http().post(`/v1/tickets/${id}/signals/${code}/clear`).set(who).send({ reason });

/** Proofs a privileged or critical ticket the agent has claimed, up to awaiting_approval. */
async function proofToApproval(ticketId: string, account: Account, manager: Account) {
  await desk.passPrivilegedSteps(agent, ticketId, account, manager);
  expect(await desk.state(ticketId)).toBe('awaiting_approval');
}

/** Opens, claims and proofs a ticket for `account`, up to awaiting_approval. */
async function awaitingApproval(account: Account, manager: Account) {
  const opened = await desk.open(agent, account);
  expect((await desk.claim(agent)).id).toBe(opened.id);
  await proofToApproval(opened.id, account, manager);
  return opened;
}

describe('channel_recently_changed', () => {
  beforeEach(drainQueue);

  it('fires for a phone changed 13 days ago, not for one changed 15 days ago', async () => {
    const recent = await t.createAccount({ tier: 'standard' });
    const older = await t.createAccount({ tier: 'standard' });
    await changePhone(recent, 13);
    await changePhone(older, 15);
    const a = await view((await desk.open(agent, recent)).id);
    const b = await view((await desk.open(agent, older)).id);
    expect(signalsOf(a)).toEqual(['channel_recently_changed']);
    expect(signal(a, 'channel_recently_changed')!.reason).toMatch(/changed 13 days ago .*within the 14-day window/);
    expect(signalsOf(b)).toEqual([]);
  });

  it('a standard account with a recent change gets the privileged steps, is not held, and completes with them', async () => {
    const manager = await t.createAccount();
    const account = await accountWithCodes({ tier: 'standard', managerId: manager.id });
    await changePhone(account, 2);
    const opened = await desk.open(agent, account);
    const ticket = await view(opened.id);
    expect(ticket.steps.map((s) => s.step)).toEqual(['registered_channel_otp', 'directory_facts', 'manager_attestation', 'government_id']);
    expect(ticket).toMatchObject({ held: false, signals: [expect.objectContaining({ signal: 'channel_recently_changed', holds: false })] });
    expect(ticket.signals[0].reason).toMatch(/the privileged tier's proofing steps are required$/);
    const audit = await t.db.query(`SELECT payload FROM audit_events WHERE action = 'ticket.signal_raised' AND target_id = $1`, [opened.id]);
    expect(audit.rows).toEqual([
      { payload: expect.objectContaining({ signal: 'channel_recently_changed', holds: false, addedSteps: ['manager_attestation', 'government_id'] }) },
    ]);

    await desk.claim(agent);
    await desk.passOtp(agent, opened.id, account);
    await desk.passDirectory(agent, opened.id, account);
    expect(await desk.state(opened.id)).toBe('proofing'); // the added steps are still to do
    await desk.managerAnswers(agent, opened.id, manager, 'confirm');
    await desk.passGovernmentId(agent, opened.id);
    await desk.waitFor(opened.id, 'completed');
  });

  it('catches a change made during proofing of a standard ticket: the privileged steps are added before it can pass', async () => {
    const manager = await t.createAccount();
    const account = await accountWithCodes({ tier: 'standard', managerId: manager.id });
    const opened = await desk.open(agent, account);
    expect((await view(opened.id)).steps).toHaveLength(2);
    await desk.claim(agent);
    await desk.passOtp(agent, opened.id, account);
    await t
      .http()
      .patch(`/v1/accounts/${account.id}`)
      .set(admin)
      .send({ email: `moved.${Date.now()}@example.org` })
      .expect(200);
    await desk.passDirectory(agent, opened.id, account);
    const ticket = await view(opened.id);
    expect(ticket.state).toBe('proofing');
    expect(ticket.steps.filter((s) => s.status === 'pending').map((s) => s.step)).toEqual(['manager_attestation', 'government_id']);
    expect(signalsOf(ticket)).toEqual(['channel_recently_changed']);
  });

  it('holds a privileged ticket: take-next skips it, the table refuses the claim, agents and approvers cannot clear it, an admin can', async () => {
    const manager = await t.createAccount();
    const account = await accountWithCodes({ tier: 'privileged', managerId: manager.id });
    await changePhone(account, 3);
    const held = await desk.open(agent, account);
    const ticket = await view(held.id, approvers[0]);
    expect(ticket.held).toBe(true);
    expect(ticket.signals).toEqual([
      expect.objectContaining({
        signal: 'channel_recently_changed',
        holds: true,
        clearedAt: null,
        reason: expect.stringMatching(/held until an admin clears it$/),
      }),
    ]);
    await eventually(() => t.inbox().some((m) => m.template === 'security.possible_social_engineering' && m.body.includes(held.id)), 'the alert');

    // A standard ticket behind it in the queue is taken instead; then nothing is left to take.
    const other = await desk.open(agent, await t.createAccount({ tier: 'standard' }));
    expect((await desk.claim(otherAgent)).id).toBe(other.id);
    await t.http().post('/v1/tickets/next').set(agent).expect(204);
    const refused = await t.app
      .get(TicketTransitions)
      .fireAlone(held.id, 'claim', asStaff(agentStaff, 'agent'))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidTransition);
    expect((refused as Error).message).toBe('this ticket is held by a risk signal (channel_recently_changed) until an admin clears it');

    expect((await clear(agent, held.id, 'channel_recently_changed').expect(403)).body.message).toMatch(/needs the role admin/);
    await clear(approvers[0], held.id, 'channel_recently_changed').expect(403);
    await clear(admin, held.id, 'no_such_signal').expect(400);
    await clear(admin, held.id, 'reset_velocity').expect(404);
    await clear(admin, held.id, 'channel_recently_changed', 'x').expect(400); // a reason is required
    expect(await desk.state(held.id)).toBe('open');

    const cleared = (await clear(admin, held.id, 'channel_recently_changed').expect(200)).body as TicketView;
    expect(cleared.held).toBe(false);
    expect(cleared.signals[0]).toMatchObject({
      holds: true,
      clearedAt: expect.any(String),
      clearedBy: expect.any(String),
      clearReason: 'called the subject back on the number on file: genuine',
    });
    await clear(admin, held.id, 'channel_recently_changed').expect(409);
    const audit = await t.db.query(`SELECT actor_kind, payload FROM audit_events WHERE action = 'ticket.signal_cleared' AND target_id = $1`, [held.id]);
    expect(audit.rows).toEqual([
      { actor_kind: 'staff', payload: { signal: 'channel_recently_changed', reason: 'called the subject back on the number on file: genuine' } },
    ]);

    expect((await desk.claim(agent)).id).toBe(held.id);
    await proofToApproval(held.id, account, manager);
    expect((await desk.approve(approvers[0], held.id).expect(200)).body.state).toBe('approved');
    await desk.waitFor(held.id, 'completed');
  });

  it('catches a change made after the ticket was opened: the approval is refused (409) until an admin clears the hold, and the one who cleared it cannot approve', async () => {
    const manager = await t.createAccount();
    const account = await accountWithCodes({ tier: 'privileged', managerId: manager.id });
    const opened = await awaitingApproval(account, manager);
    expect((await view(opened.id)).held).toBe(false);
    await changePhone(account); // e.g. a SIM swap reported by the attacker, after proofing

    const refused = await desk.approve(approvers[1], opened.id).expect(409);
    expect(refused.body).toMatchObject({
      code: 'ticket_held',
      message: 'this ticket is held by a risk signal (channel_recently_changed) until an admin clears it',
      details: { state: 'awaiting_approval' },
    });
    const ticket = await view(opened.id, approvers[1]);
    expect(ticket).toMatchObject({ state: 'awaiting_approval', held: true, approvals: [] });
    expect(signal(ticket, 'channel_recently_changed')).toMatchObject({ holds: true });
    await eventually(() => t.inbox().some((m) => m.template === 'security.possible_social_engineering' && m.body.includes(opened.id)), 'the alert');

    // A second admin: clearing a hold is now a change request the other admin approves; neither may then approve the ticket.
    const adminApprover = await t.createStaff(['admin', 'approver']);
    secondAdmin = bearer(adminApprover.token);
    const asked = await clear(bearer(adminApprover.token), opened.id, 'channel_recently_changed').expect(202);
    expect((await view(opened.id)).held).toBe(true);
    await t.http().post(`/v1/change-requests/${asked.body.id}/approve`).set(admin).send({ reason: 'called the subject back' }).expect(200);
    expect((await view(opened.id)).held).toBe(false);
    const self = await desk.approve(bearer(adminApprover.token), opened.id).expect(403);
    expect(self.body.message).toBe('the admin who cleared a hold on a ticket (or asked for it to be cleared) cannot approve it');
    expect((await desk.approve(approvers[1], opened.id).expect(200)).body.state).toBe('approved');
  });
});

describe('held tickets (GET /v1/tickets/held)', () => {
  beforeEach(drainQueue);

  it('lists live tickets an uncleared hold stops, oldest first, keyset-paged, for admins only', async () => {
    const held: string[] = [];
    // In a day of its own, so neither the desk-wide count nor the file's other tickets come into it.
    await at(-90 * DAY, async () => {
      for (let i = 0; i < 3; i += 1) {
        const account = await t.createAccount({ tier: 'privileged' });
        await changePhone(account, 2);
        held.push((await desk.open(agent, account)).id);
        t.clock.advance(1_000); // distinct creation times
      }
      t.clock.advance(-3_000);
      await desk.open(agent, await t.createAccount({ tier: 'privileged' })); // not held
    });
    const list = (query = '') => t.http().get(`/v1/tickets/held${query}`).set(admin);

    await t.http().get('/v1/tickets/held').set(agent).expect(403);
    await t.http().get('/v1/tickets/held').set(approvers[0]).expect(403);
    const all = (await list().expect(200)).body as { items: TicketView[]; nextCursor: string | null };
    expect(all).toEqual({ items: held.map((id) => expect.objectContaining({ id, held: true })), nextCursor: null });
    const first = (await list('?limit=2').expect(200)).body as { items: TicketView[]; nextCursor: string };
    expect(first.items.map((v) => v.id)).toEqual(held.slice(0, 2));
    const second = (await list(`?limit=2&cursor=${first.nextCursor}`).expect(200)).body as { items: TicketView[]; nextCursor: string | null };
    expect(second).toEqual({ items: [expect.objectContaining({ id: held[2] })], nextCursor: null });
    await list('?cursor=not-a-cursor').expect(400);

    // Cleared, or closed: no longer an admin's to look at.
    await applied(await clear(admin, held[1], 'channel_recently_changed'));
    await t.http().post(`/v1/tickets/${held[2]}/cancel`).set(agent).send({ reason: 'caller hung up' }).expect(200);
    expect(((await list().expect(200)).body as { items: TicketView[] }).items.map((v) => v.id)).toEqual([held[0]]);
    // A closed ticket is held by nothing, though its signal (never cleared) still says it held it.
    const closed = await view(held[2]);
    expect(closed).toMatchObject({ state: 'cancelled', held: false });
    expect(closed.signals).toEqual([expect.objectContaining({ signal: 'channel_recently_changed', holds: true, clearedAt: null })]);
  });
});

describe('callback_not_on_file', () => {
  beforeEach(drainQueue);

  it('fires when the callback number is not the phone on file, compared as digits; never when it is or when none was given', async () => {
    const cases: [Record<string, unknown>, boolean][] = [
      [{}, false],
      [{ callback: { phone: '0044 7700 900555' } }, false],
      [{ callback: { phone: '+44 (0)7700 900555' } }, false],
      [{ callback: { phone: '+447700900556' } }, true],
      [{ callback: { name: 'Jane', email: 'JANE.DOE.555@EXAMPLE.COM' } }, false],
      [{ callback: { email: 'jane.private@example.net' } }, true],
    ];
    for (const [extra, fires] of cases) {
      // An account per case: more than two tickets on one account would raise reset_velocity.
      const account = await t.createAccount({ phone: '+447700900555', email: 'jane.doe.555@example.com' });
      const ticket = await view((await desk.open(agent, account, extra)).id);
      expect([extra, signalsOf(ticket)]).toEqual([extra, fires ? ['callback_not_on_file'] : []]);
    }
  });

  it('shows the reason to staff and still sends the OTP only to the registered phone', async () => {
    const account = await accountWithCodes();
    const opened = await desk.open(agent, account, { callback: { phone: '+15555550123' } });
    expect(signal(await view(opened.id, approvers[0]), 'callback_not_on_file')).toMatchObject({
      holds: false,
      reason: 'the callback phone number the caller gave is not on file for this account: never call back or send anything there',
    });
    await desk.claim(agent);
    await desk.sendOtp(agent, opened.id, account);
    expect(t.inbox().some((m) => m.to === '+15555550123')).toBe(false);
  });
});

describe('reset_velocity', () => {
  beforeEach(drainQueue);

  it('per account: quiet for two tickets in 7 days, fires on the third and after; security alerted once', async () => {
    const account = await t.createAccount();
    const seen: string[][] = [];
    for (let i = 0; i < 4; i += 1) {
      const opened = await desk.open(agent, account);
      seen.push(signalsOf(await view(opened.id)));
      await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(agent).send({ reason: 'caller hung up' }).expect(200);
    }
    expect(seen).toEqual([[], [], ['reset_velocity'], ['reset_velocity']]);
    const alerts = () => t.inbox().filter((m) => m.template === 'security.reset_velocity' && m.body.includes(account.id));
    await eventually(() => alerts().length > 0, 'the velocity alert');
    await new Promise((resolve) => setTimeout(resolve, 300)); // a second one would have arrived by now
    expect(alerts()).toEqual([
      expect.objectContaining({ to: 'security@example.com', body: expect.stringMatching(/3 recovery tickets for one account in 7 days/) }),
    ]);
  });

  it('per account: drills never count toward a real ticket’s velocity, and a drill counts the real tickets as a real call would', async () => {
    const account = await t.createAccount();
    // An admin ends each call: a drill ticket is opened through intake, so no agent owns it. (The first-start admin has
    // no account of its own, so it works no tickets: this one is linked to one.)
    const deskAdmin = bearer((await t.createStaff(['admin'])).token);
    const hangUp = (ticketId: string) => t.http().post(`/v1/tickets/${ticketId}/cancel`).set(deskAdmin).send({ reason: 'caller hung up' }).expect(200);
    const drillOn = async (name: string) => {
      const res = await t
        .http()
        .post('/v1/drills')
        .set(runner)
        .send({ name, campaign: 'velocity', target: { accountId: account.id }, channel: 'phone', reason: 'lost_device', pretext: 'lost my phone' })
        .expect(201);
      return view(res.body.ticketId);
    };
    for (const name of ['first drill', 'second drill']) await hangUp((await drillOn(name)).id);
    const firstReal = await desk.open(agent, account);
    expect(signalsOf(await view(firstReal.id))).toEqual([]);
    await hangUp(firstReal.id);
    const secondReal = await desk.open(agent, account);
    expect(signalsOf(await view(secondReal.id))).toEqual([]);
    await hangUp(secondReal.id);
    // Two real tickets before it: the drill is the third, as a third real call would be.
    expect(signalsOf(await drillOn('third call'))).toEqual(['reset_velocity']);
  });

  it('across the desk: the fourth privileged or critical ticket in an hour fires, standard ones never; tickets go on as usual; one alert per burst', async () => {
    const opened = await at(-30 * DAY, async () => {
      const ids: string[] = [];
      for (const tier of ['privileged', 'critical', 'privileged', 'critical', 'privileged'] as const)
        ids.push((await desk.open(agent, await t.createAccount({ tier }))).id);
      ids.push((await desk.open(agent, await t.createAccount({ tier: 'standard' }))).id);
      return ids;
    });
    const views = await Promise.all(opened.map((id) => view(id)));
    expect(views.map(signalsOf)).toEqual([[], [], [], ['reset_velocity'], ['reset_velocity'], []]);
    expect(views.map((v) => v.held)).toEqual(opened.map(() => false)); // not stopped: they need approval as usual
    expect(signal(views[3], 'reset_velocity')!.reason).toMatch(
      /^4 tickets for privileged and critical accounts across the desk in 60 minutes \(more than 3\): security has been alerted$/,
    );
    const alerts = () => t.inbox().filter((m) => m.template === 'security.reset_velocity' && opened.some((id) => m.body.includes(id)));
    await eventually(() => alerts().length > 0, 'the burst alert');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alerts()).toEqual([expect.objectContaining({ to: 'security@example.com', body: expect.stringContaining(opened[3]) })]);
  });
});

describe('manager_not_independent', () => {
  beforeEach(drainQueue);

  // The subject's reporting line is now refused outright (manager_chain, test/approved-facts.e2e-spec.ts): the signal
  // only names approvals recorded as not independent before that rule.
  it('a critical ticket with an approval recorded before the reporting line was refused: named, not counted; completes with two independent approvers', async () => {
    const director = await t.createAccount();
    const manager = await t.createAccount({ managerId: director.id });
    const account = await accountWithCodes({ tier: 'critical', managerId: manager.id });
    const directorStaff = await t.createStaff(['approver'], { accountId: director.id });
    const opened = await awaitingApproval(account, manager);

    expect((await desk.approve(bearer(directorStaff.token), opened.id).expect(403)).body.code).toBe('manager_chain');
    await t.db.query(
      `INSERT INTO approvals (ticket_id, approver_id, decision, reason, created_at, independent, not_counted) VALUES ($1, $2, 'approve', 'before the rule', now(), false, '{manager_not_independent}')`,
      [opened.id, directorStaff.staff.id],
    );
    const third = (await desk.approve(approvers[2], opened.id).expect(200)).body as TicketView;
    expect(third.state).toBe('awaiting_approval');
    expect(signal(third, 'manager_not_independent')!.reason).toMatch(/^an approval came from the subject's manager .*independent approvals? needed$/);
    const fourth = (await desk.approve(approvers[3], opened.id).expect(200)).body as TicketView;
    expect(fourth.state).toBe('approved');
    expect(fourth.approvals.map((a) => a.independent)).toEqual([false, true, true]);
    const raised = await t.db.query(
      `SELECT payload FROM audit_events WHERE action = 'ticket.signal_raised' AND target_id = $1 AND payload->>'signal' = 'manager_not_independent'`,
      [opened.id],
    );
    expect(raised.rows).toHaveLength(1);

    await at(15 * 60_000 + 1_000, async () => {
      await t.app.get(TicketSweep).reconcile();
      await desk.waitFor(opened.id, 'completed');
    });
  });
});

describe('drills', () => {
  beforeEach(drainQueue);

  it('a drill ticket on an account with a recent change shows the same signals as a real one; its alert goes to the drill’s sink', async () => {
    // In an hour of its own, so the desk-wide count is the same for both.
    await at(-60 * DAY, async () => {
      for (const tier of ['standard', 'privileged'] as const) {
        const real = await t.createAccount({ tier });
        const target = await t.createAccount({ tier });
        await changePhone(real, 4);
        await changePhone(target, 4);
        const realTicket = await view((await desk.open(agent, real, { channel: 'phone', reason: 'new_phone', callback: { phone: '+447700900111' } })).id);
        const res = await t
          .http()
          .post('/v1/drills')
          .set(runner)
          .send({
            name: `recent change ${tier}`,
            campaign: 'risk',
            target: { accountId: target.id },
            channel: 'phone',
            reason: 'new_phone',
            pretext: 'new phone, please hurry',
            claims: { callbackPhone: '+447700900222' },
          })
          .expect(201);
        const drillTicket = await view(res.body.ticketId);
        const summary = (v: TicketView) => ({ held: v.held, steps: v.steps.map((s) => s.step), signals: v.signals.map((s) => [s.signal, s.holds, s.reason]) });
        expect(summary(drillTicket)).toEqual(summary(realTicket));
        expect(signalsOf(drillTicket)).toEqual(['channel_recently_changed', 'callback_not_on_file']);
        if (tier === 'privileged') {
          const drill = (await t.http().get(`/v1/drills/${res.body.id}`).set(runner).expect(200)).body;
          expect(drill.sink).toEqual(expect.arrayContaining([expect.objectContaining({ template: 'security.possible_social_engineering' })]));
          const toSecurity = (id: string) => t.inbox().some((m) => m.template === 'security.possible_social_engineering' && m.body.includes(id));
          await eventually(() => toSecurity(realTicket.id), 'the real alert');
          expect(toSecurity(drillTicket.id)).toBe(false);
        }
      }
    });
  });
});
