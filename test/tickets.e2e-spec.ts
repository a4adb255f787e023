import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Account } from '../src/accounts/account.entity';
import { QUEUE } from '../src/queue/queues';
import { RegenerationQueue, regenerationJobId } from '../src/tickets/regeneration.queue';
import { FaultInjection } from '../src/common/fault-injection';
import { Policy } from '../src/config/policy';
import { TicketSweep } from '../src/tickets/ticket-sweep.service';
import { TicketViews } from '../src/tickets/ticket-views';
import { TicketsService } from '../src/tickets/tickets.service';
import { createTestApp, TestApp } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

let t: TestApp;
let desk: Desk;
let service: Auth;
const agents: Auth[] = [];
const approvers: Auth[] = [];
const agentIds: string[] = [];

beforeAll(async () => {
  t = await createTestApp(__filename, { LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  service = bearer((await t.createStaff(['service'])).token);
  for (let i = 0; i < 3; i += 1) {
    const agent = await t.createStaff(['agent']);
    agents.push(bearer(agent.token));
    agentIds.push(agent.staff.id);
  }
  for (let i = 0; i < 3; i += 1) approvers.push(bearer((await t.createStaff(['approver'])).token));
});
afterAll(() => t?.close());

/** Each test works on its own accounts; the queue is shared, so drain it before claiming. */
const codesQueue = () => t.app.get<Queue>(getQueueToken(QUEUE.codes));

async function drainQueue() {
  await t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`);
}

async function accountWithCodes(overrides: Partial<Account> = {}) {
  const account = await t.createAccount(overrides);
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return { account, oldCodes: res.body.codes as string[] };
}

async function expectOldCodesDead(account: Account, oldCodes: string[], newCodes: string[]) {
  const old = await t.http().post(`/v1/accounts/${account.id}/codes/verify`).set(service).send({ code: oldCodes[0] }).expect(200);
  expect(old.body.valid).toBe(false);
  const fresh = await t.http().post(`/v1/accounts/${account.id}/codes/verify`).set(service).send({ code: newCodes[0] }).expect(200);
  expect(fresh.body.valid).toBe(true);
  const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM code_sets WHERE account_id = $1 AND revoked_at IS NULL`, [account.id]);
  expect(rows[0].n).toBe(1);
}

describe('from open to completed', () => {
  beforeEach(drainQueue);

  it('standard: OTP and directory facts, no approver; the subject redeems new codes and the old ones die', async () => {
    const { account, oldCodes } = await accountWithCodes({ tier: 'standard' });
    const opened = await desk.open(agents[0], account, { callback: { phone: '+15555550199' } });
    expect(opened.state).toBe('open');
    await eventually(() => t.inbox().some((m) => m.template === 'ticket.opened' && m.to === account.phone), 'the subject told by sms');
    const claimed = await desk.claim(agents[0]);
    expect(claimed).toMatchObject({ id: opened.id, state: 'proofing', assignedTo: agentIds[0] });
    await desk.passOtp(agents[0], opened.id, account);
    // the OTP went to the registered phone, never the callback number the caller gave
    expect(t.inbox().some((m) => m.to === '+15555550199')).toBe(false);
    await desk.passDirectory(agents[0], opened.id, account);
    await desk.waitFor(opened.id, 'completed');
    const codes = await desk.redeem(account);
    expect(codes).toHaveLength(10);
    await expectOldCodesDead(account, oldCodes, codes);

    const timeline = await t.http().get(`/v1/tickets/${opened.id}/events`).set(agents[0]).expect(200);
    expect(timeline.body.map((e: { action: string }) => e.action)).toEqual([
      'ticket.opened',
      'ticket.signal_raised', // callback_not_on_file: the caller gave a number that is not the registered phone
      'ticket.claim',
      'ticket.step_started',
      'ticket.step_passed',
      'ticket.step_passed',
      'ticket.steps_passed',
      'ticket.start_regeneration',
      'ticket.complete',
    ]);
    const view = await t.http().get(`/v1/tickets/${opened.id}`).set(agents[0]).expect(200);
    expect(JSON.stringify(view.body)).not.toMatch(new RegExp(`${account.email}|${account.phone.slice(1)}|${codes[0]}`));
  });

  it('privileged: OTP, manager attestation and ID, then one approver', async () => {
    const manager = await t.createAccount();
    const { account, oldCodes } = await accountWithCodes({ tier: 'privileged', managerId: manager.id });
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    await desk.passPrivilegedSteps(agents[0], opened.id, account, manager);
    expect(await desk.state(opened.id)).toBe('awaiting_approval');
    const approved = await desk.approve(approvers[0], opened.id).expect(200);
    expect(approved.body.approvals).toEqual([expect.objectContaining({ decision: 'approve', reason: 'proofing record complete' })]);
    await desk.waitFor(opened.id, 'completed');
    await expectOldCodesDead(account, oldCodes, await desk.redeem(account));
  });

  it('critical: two distinct approvers and a cooling-off period the subject is told about', async () => {
    const manager = await t.createAccount();
    const { account, oldCodes } = await accountWithCodes({ tier: 'critical', managerId: manager.id });
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    await desk.passPrivilegedSteps(agents[0], opened.id, account, manager);
    const first = await desk.approve(approvers[0], opened.id).expect(200);
    expect(first.body.state).toBe('awaiting_approval');
    const second = await desk.approve(approvers[1], opened.id).expect(200);
    expect(second.body.state).toBe('approved');
    expect(Date.parse(second.body.regenerateAfter) - Date.now()).toBeGreaterThan(14 * 60_000);
    await eventually(() => t.inbox().some((m) => m.template === 'ticket.approved' && m.to === account.phone), 'cooling-off notice by sms');

    // Nothing happens during cooling-off; after it, the sweep's reconciler releases the job.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await desk.state(opened.id)).toBe('approved');
    t.clock.advance(15 * 60_000 + 1_000);
    try {
      await t.app.get(TicketSweep).reconcile();
      await desk.waitFor(opened.id, 'completed');
    } finally {
      t.clock.reset();
    }
    await expectOldCodesDead(account, oldCodes, await desk.redeem(account));
  });

  /** A critical ticket approved by two approvers, its regeneration delayed by the cooling-off. */
  async function approvedCritical() {
    const manager = await t.createAccount();
    const { account } = await accountWithCodes({ tier: 'critical', managerId: manager.id });
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    await desk.passPrivilegedSteps(agents[0], opened.id, account, manager);
    await desk.approve(approvers[0], opened.id).expect(200);
    expect((await desk.approve(approvers[1], opened.id).expect(200)).body.state).toBe('approved');
    return opened;
  }

  it("after cooling-off, the reconciler also releases the approval's own delayed job when it lands while the reconciler re-enqueues", async () => {
    const opened = await approvedCritical();
    const queue = t.app.get<Queue>(getQueueToken(QUEUE.codes));
    // As if the approval's enqueue (after its commit) had not landed yet when the reconciler looks…
    const own = await eventually(() => queue.getJob(regenerationJobId(opened.id)), "the approval's delayed job");
    await own.remove();
    // … and lands between that look and the reconciler's own add, which is then a no-op.
    const regeneration = t.app.get(RegenerationQueue);
    const enqueue = regeneration.enqueue.bind(regeneration);
    let landed = false;
    const interleaved = jest.spyOn(regeneration, 'enqueue').mockImplementation(async (ticketId, delayMs) => {
      if (ticketId === opened.id && !landed) {
        landed = true;
        await enqueue(ticketId, 15 * 60_000);
      }
      await enqueue(ticketId, delayMs);
    });
    t.clock.advance(15 * 60_000 + 1_000);
    try {
      expect(await t.app.get(TicketSweep).reconcile()).toBeGreaterThanOrEqual(1);
      expect(landed).toBe(true);
      await desk.waitFor(opened.id, 'completed');
    } finally {
      interleaved.mockRestore();
      t.clock.reset();
    }
  });

  it('an enqueue due now releases the job an earlier one delayed, however many release it at once', async () => {
    const opened = await approvedCritical();
    const queue = t.app.get<Queue>(getQueueToken(QUEUE.codes));
    const own = await eventually(() => queue.getJob(regenerationJobId(opened.id)), "the approval's delayed job");
    expect(await own.isDelayed()).toBe(true);
    // Each finds it delayed; BullMQ refuses every promote after the first, and each refused one finds the job released.
    const regeneration = t.app.get(RegenerationQueue);
    t.clock.advance(15 * 60_000 + 1_000);
    try {
      await Promise.all([regeneration.enqueue(opened.id), regeneration.enqueue(opened.id), regeneration.enqueue(opened.id)]);
      await desk.waitFor(opened.id, 'completed');
    } finally {
      t.clock.reset();
    }
  });
});

describe('what stops an impostor', () => {
  beforeEach(drainQueue);

  it('denies the ticket after three wrong OTP read-backs and alerts security', async () => {
    const { account, oldCodes } = await accountWithCodes();
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    const otp = await desk.sendOtp(agents[0], opened.id, account);
    const wrong = otp === '000000' ? '111111' : '000000';
    for (let i = 0; i < 2; i += 1)
      expect((await desk.submit(agents[0], opened.id, 'registered_channel_otp', { code: wrong }).expect(200)).body.state).toBe('proofing');
    const denied = await desk.submit(agents[0], opened.id, 'registered_channel_otp', { code: wrong }).expect(200);
    expect(denied.body.state).toBe('denied');
    expect(denied.body.steps.find((s: { step: string }) => s.step === 'registered_channel_otp')).toMatchObject({ status: 'failed', attempts: 3 });
    await eventually(() => t.inbox().some((m) => m.template === 'security.possible_social_engineering' && m.body.includes(opened.id)), 'the alert');
    // the right code after the denial changes nothing
    await desk.submit(agents[0], opened.id, 'registered_channel_otp', { code: otp }).expect(409);
    expect((await t.http().post(`/v1/accounts/${account.id}/codes/verify`).set(service).send({ code: oldCodes[1] })).body.valid).toBe(true);
  });

  it('denies when the directory facts do not match, answering only pass/fail', async () => {
    const { account } = await accountWithCodes({ employeeNumber: '424242', costCentre: 'CC-9' });
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    const res = await desk.submit(agents[0], opened.id, 'directory_facts', { employeeNumber: '99999', costCentre: account.costCentre }).expect(200);
    expect(res.body.state).toBe('denied');
    expect(JSON.stringify(res.body)).not.toContain(account.employeeNumber!);
  });

  it('denies when the manager rejects through their link', async () => {
    const manager = await t.createAccount();
    const { account } = await accountWithCodes({ tier: 'privileged', managerId: manager.id });
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    await desk.managerAnswers(agents[0], opened.id, manager, 'reject');
    expect(await desk.state(opened.id)).toBe('denied');
  });

  it('refuses proofing a manager step with no manager on file (409), leaving the ticket in proofing', async () => {
    const { account } = await accountWithCodes({ tier: 'privileged' });
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    const res = await t.http().post(`/v1/tickets/${opened.id}/steps/manager_attestation/start`).set(agents[0]).send({}).expect(409);
    expect(res.body.message).toMatch(/no active manager on file/);
    expect(await desk.state(opened.id)).toBe('proofing');
  });

  it('refuses steps from an agent who is not working the ticket', async () => {
    const { account } = await accountWithCodes();
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    await desk.submit(agents[1], opened.id, 'directory_facts', { employeeNumber: account.employeeNumber, costCentre: account.costCentre }).expect(403);
    expect(await desk.state(opened.id)).toBe('proofing');
  });

  it('the subject cancels during cooling-off with the link from the approval notice: no regeneration, security alerted', async () => {
    const manager = await t.createAccount();
    const { account, oldCodes } = await accountWithCodes({ tier: 'critical', managerId: manager.id });
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    await desk.passPrivilegedSteps(agents[0], opened.id, account, manager);
    await desk.approve(approvers[0], opened.id).expect(200);
    await desk.approve(approvers[1], opened.id).expect(200);
    await eventually(() => t.inbox().some((m) => m.template === 'ticket.approved' && m.to === account.email), 'approval notice');
    const token = desk.cancelLink(account, 'ticket.approved');
    const res = await t.http().post('/v1/links/cancel').send({ token }).expect(200);
    expect(res.body.message).toMatch(/stopped/);
    expect(await desk.state(opened.id)).toBe('cancelled');
    await t.http().post('/v1/links/cancel').send({ token }).expect(410);

    t.clock.advance(15 * 60_000 + 1_000);
    try {
      await t.app.get(TicketSweep).reconcile();
    } finally {
      t.clock.reset();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await desk.state(opened.id)).toBe('cancelled');
    expect((await t.http().post(`/v1/accounts/${account.id}/codes/verify`).set(service).send({ code: oldCodes[0] })).body.valid).toBe(true);
    await eventually(() => t.inbox().some((m) => m.template === 'security.possible_social_engineering' && m.body.includes(opened.id)), 'the alert');
  });
});

describe('separation of duties', () => {
  beforeEach(drainQueue);

  async function awaitingApproval(agent: Auth, tier: 'privileged' | 'critical' = 'privileged', subjectOverrides: Partial<Account> = {}) {
    const manager = await t.createAccount();
    const { account } = await accountWithCodes({ tier, managerId: manager.id, ...subjectOverrides });
    const opened = await desk.open(agent, account);
    await desk.claim(agent);
    await desk.passPrivilegedSteps(agent, opened.id, account, manager);
    return { ticketId: opened.id, account };
  }

  it('refuses approval by the agent who proofed the ticket (403, audited)', async () => {
    const both = await t.createStaff(['agent', 'approver']);
    const { ticketId } = await awaitingApproval(bearer(both.token));
    const res = await desk.approve(bearer(both.token), ticketId).expect(403);
    expect(res.body).toMatchObject({ code: 'separation_of_duties', message: 'the agent who proofed a ticket cannot approve it' });
    expect(await desk.state(ticketId)).toBe('awaiting_approval');
    const audit = await t.db.query(`SELECT payload FROM audit_events WHERE action = 'ticket.approval_refused' AND target_id = $1`, [ticketId]);
    expect(audit.rows).toEqual([{ payload: { decision: 'approve', refusal: 'the agent who proofed a ticket cannot approve it' } }]);
  });

  it('refuses approval by the subject themself', async () => {
    const { ticketId, account } = await awaitingApproval(agents[1]);
    const subject = await t.createStaff(['approver'], { accountId: account.id });
    const res = await desk.approve(bearer(subject.token), ticketId).expect(403);
    expect(res.body.message).toBe('the subject of a ticket cannot approve it');
  });

  it('refuses a second signature by the same approver on a critical ticket', async () => {
    const { ticketId } = await awaitingApproval(agents[1], 'critical');
    await desk.approve(approvers[2], ticketId).expect(200);
    const res = await desk.approve(approvers[2], ticketId).expect(403);
    expect(res.body.message).toMatch(/signs a ticket once/);
    expect(await desk.state(ticketId)).toBe('awaiting_approval');
  });

  it('refuses an agent opening a ticket for their own account', async () => {
    const account = await t.createAccount();
    const self = await t.createStaff(['agent'], { accountId: account.id });
    const res = await t.http().post('/v1/tickets').set(bearer(self.token)).send({ accountId: account.id, channel: 'phone', reason: 'lost_device' }).expect(403);
    expect(res.body.message).toMatch(/own account/);
  });

  it('two approvers approving a critical ticket at once: exactly one approved transition and one job', async () => {
    const { ticketId } = await awaitingApproval(agents[2], 'critical');
    const results = await Promise.all([desk.approve(approvers[0], ticketId), desk.approve(approvers[1], ticketId)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(await desk.state(ticketId)).toBe('approved');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'ticket.approve' AND target_id = $1`, [ticketId]);
    expect(rows[0].n).toBe(1);
    const queue = t.app.get<Queue>(getQueueToken(QUEUE.codes));
    const jobs = (await queue.getJobs(['delayed', 'waiting', 'active'])).filter((job) => job.data.ticketId === ticketId);
    expect(jobs.map((job) => job.id)).toEqual([regenerationJobId(ticketId)]);
  });
});

describe('the queue', () => {
  beforeEach(drainQueue);

  it('twenty agents taking next at once over five tickets: each ticket claimed exactly once', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, () => t.createStaff(['agent']).then((s) => bearer(s.token))));
    const opened = [];
    for (let i = 0; i < 5; i += 1) opened.push(await desk.open(agents[0], await t.createAccount()));
    const responses = await Promise.all(tokens.map((token) => t.http().post('/v1/tickets/next').set(token)));
    const claimed = responses.filter((r) => r.status === 200).map((r) => r.body.id);
    expect(claimed.sort()).toEqual(opened.map((o) => o.id).sort());
    expect(responses.filter((r) => r.status === 204)).toHaveLength(15);
  });

  it('lists critical first, then nearest to SLA, in keyset pages; release puts a ticket back', async () => {
    const standard = await desk.open(agents[0], await t.createAccount({ tier: 'standard' }));
    const critical = await desk.open(agents[0], await t.createAccount({ tier: 'critical' }));
    const privileged = await desk.open(agents[0], await t.createAccount({ tier: 'privileged' }));
    const first = await t.http().get('/v1/tickets?state=open&limit=2').set(approvers[0]).expect(200);
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([critical.id, privileged.id]);
    const second = await t.http().get(`/v1/tickets?state=open&limit=2&cursor=${first.body.nextCursor}`).set(approvers[0]).expect(200);
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual([standard.id]);
    expect(second.body.nextCursor).toBeNull();

    const claimed = await desk.claim(agents[1]);
    expect(claimed.id).toBe(critical.id);
    await t.http().post(`/v1/tickets/${critical.id}/release`).set(agents[2]).expect(403);
    const released = await t.http().post(`/v1/tickets/${critical.id}/release`).set(agents[1]).expect(200);
    expect(released.body).toMatchObject({ state: 'open', assignedTo: null });
  });

  it("a ticket's view alone is the same as in a page, and PostgreSQL plans its statement once per connection, not on every act", async () => {
    const opened = await desk.open(agents[0], await t.createAccount({ tier: 'critical' }));
    const alone = (await t.http().get(`/v1/tickets/${opened.id}`).set(agents[0]).expect(200)).body;
    const page = (await t.http().get('/v1/tickets?state=open&limit=5').set(approvers[0]).expect(200)).body;
    expect(page.items.find((i: { id: string }) => i.id === opened.id)).toEqual(alone);

    // On one connection, as a transaction's manager holds it: ten views of one ticket, and what the server did with
    // them (the pooled connection may have run views before: only what these ten add counts).
    const runner = t.app.get(DataSource).createQueryRunner();
    await runner.connect();
    try {
      const plans = async () =>
        new Map(
          (
            (await runner.query(
              `SELECT name, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement LIKE '%json_build_object(''id'', a.id%'`,
            )) as { name: string; generic: number; custom: number }[]
          ).map((row) => [row.name, row]),
        );
      const before = await plans();
      const ticket = await t.app.get(TicketsService).get(opened.id);
      for (let i = 0; i < 10; i += 1) expect((await t.app.get(TicketViews).one(ticket, runner.manager)).id).toBe(opened.id);
      const added = [...(await plans()).values()]
        .map((row) => ({ generic: row.generic - (before.get(row.name)?.generic ?? 0), custom: row.custom - (before.get(row.name)?.custom ?? 0) }))
        .filter((row) => row.generic + row.custom > 0);
      // One statement ran all ten. PostgreSQL tries a custom plan up to five times, then keeps the generic one when it costs no more.
      expect(added).toHaveLength(1);
      expect(added[0].generic).toBeGreaterThanOrEqual(5);
    } finally {
      await runner.release();
    }
  });

  it('answers an event the state does not allow with 409 naming the state and the allowed events', async () => {
    const opened = await desk.open(agents[0], await t.createAccount());
    const res = await desk.approve(approvers[0], opened.id).expect(409);
    expect(res.body).toMatchObject({ code: 'invalid_transition' });
    expect(res.body.details).toEqual({ state: 'open', allowedEvents: ['claim', 'cancel', 'expire', 'supersede'] });
    const admin = bearer((await t.createStaff(['admin'])).token);
    const retry = await t.http().post(`/v1/tickets/${opened.id}/retry`).set(admin).expect(409);
    expect(retry.body.details.state).toBe('open');
  });

  it('a newer request for the same account supersedes the live one through the table, and refuses only while codes are being reissued', async () => {
    const account = await t.createAccount();
    const first = await desk.open(agents[0], account);
    const second = (await t.http().post('/v1/tickets').set(agents[1]).send({ accountId: account.id, channel: 'chat', reason: 'new_phone' }).expect(201)).body;
    expect(await desk.state(first.id)).toBe('superseded');
    const events = (await t.http().get(`/v1/tickets/${first.id}/events`).set(agents[0]).expect(200)).body;
    expect(events.at(-1)).toMatchObject({
      action: 'ticket.supersede',
      actorKind: 'system',
      payload: { from: 'open', to: 'superseded', supersededBy: second.id },
    });
    expect((await t.http().get(`/v1/tickets/${first.id}`).set(agents[0]).expect(200)).body).toMatchObject({ state: 'superseded', allowedEvents: [] });

    await t.db.query(`UPDATE tickets SET state = 'regenerating' WHERE id = $1`, [second.id]);
    const res = await t.http().post('/v1/tickets').set(agents[1]).send({ accountId: account.id, channel: 'chat', reason: 'new_phone' }).expect(409);
    expect(res.body.details.ticketId).toBe(second.id);
    await t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE id = $1`, [second.id]);
  });

  it('two requests for the same account at once: one ticket stays live, the other superseded, never two live', async () => {
    const account = await t.createAccount();
    const results = await Promise.all(
      agents.slice(0, 2).map((a) => t.http().post('/v1/tickets').set(a).send({ accountId: account.id, channel: 'phone', reason: 'new_phone' })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    const { rows } = await t.db.query(`SELECT state FROM tickets WHERE account_id = $1 ORDER BY state`, [account.id]);
    expect(rows.map((r: { state: string }) => r.state)).toEqual(['open', 'superseded']);
  });

  it('expires a ticket left unclaimed past its SLA, by the sweep', async () => {
    const opened = await desk.open(agents[0], await t.createAccount());
    t.clock.advance(241 * 60_000);
    try {
      const result = await t.app.get(TicketSweep).run();
      expect(result.expired).toBeGreaterThanOrEqual(1);
    } finally {
      t.clock.reset();
    }
    expect(await desk.state(opened.id)).toBe('expired');
  });
});

describe('after approval', () => {
  beforeEach(drainQueue);

  it('a regeneration whose job fails for good leaves the ticket failed; an admin retry runs it again at once, to completion', async () => {
    const policy = t.app.get(Policy);
    const attempts = policy.regeneration.attempts;
    policy.regeneration.attempts = 2; // two real failures (2 s backoff between them) instead of five
    try {
      const { account } = await accountWithCodes({ tier: 'standard' });
      const opened = await desk.open(agents[0], account);
      await desk.claim(agents[0]);
      // The real job fails, in the worker, after hashing the new set: each attempt it makes.
      t.app.get(FaultInjection).failNext('regeneration.after_hash', 2);
      await desk.passOtp(agents[0], opened.id, account);
      await desk.passDirectory(agents[0], opened.id, account);
      await desk.waitFor(opened.id, 'failed');
      const failedJob = await codesQueue().getJob(regenerationJobId(opened.id));
      expect(await failedJob?.getState()).toBe('failed'); // BullMQ still holds the job's id
      expect(failedJob?.attemptsMade).toBe(2);
      await eventually(() => t.inbox().some((m) => m.template === 'security.regeneration_failed' && m.body.includes(opened.id)), 'the alert');

      await t.http().post(`/v1/tickets/${opened.id}/retry`).set(agents[0]).expect(403);
      const admin = bearer((await t.createStaff(['admin'])).token);
      const retried = await t.http().post(`/v1/tickets/${opened.id}/retry`).set(admin).expect(200);
      expect(retried.body.state).toBe('approved');
      // A fresh job, not the failed one shadowing it until the sweep (the retry's enqueue runs once its transaction has
      // committed, beside the answer, not before it).
      await eventually(async () => (await (await codesQueue().getJob(regenerationJobId(opened.id)))?.getState()) !== 'failed', 'the failed job replaced');
      await desk.waitFor(opened.id, 'completed');
    } finally {
      policy.regeneration.attempts = attempts;
    }
  });

  it('shows approvers the attested evidence, never a system step’s secret or answer', async () => {
    const manager = await t.createAccount();
    const { account } = await accountWithCodes({ tier: 'privileged', managerId: manager.id });
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    await desk.passPrivilegedSteps(agents[0], opened.id, account, manager);
    const view = await t.http().get(`/v1/tickets/${opened.id}`).set(approvers[0]).expect(200);
    expect(view.body.steps).toEqual([
      expect.objectContaining({ step: 'registered_channel_otp', kind: 'system', status: 'passed', evidence: null }),
      expect.objectContaining({ step: 'manager_attestation', kind: 'system', status: 'passed', evidence: null }),
      expect.objectContaining({
        step: 'government_id',
        kind: 'attested',
        status: 'passed',
        evidence: { documentType: 'passport', last4: '4F7K', note: 'photo matches, document valid' },
      }),
    ]);
  });

  it('retires a one-time code past its TTL in the sweep, so it can no longer be read back', async () => {
    const { account } = await accountWithCodes();
    const opened = await desk.open(agents[0], account);
    await desk.claim(agents[0]);
    const otp = await desk.sendOtp(agents[0], opened.id, account);
    t.clock.advance(11 * 60_000);
    try {
      const expired = await desk.submit(agents[0], opened.id, 'registered_channel_otp', { code: otp }).expect(410);
      expect(expired.body.message).toMatch(/expired/);
      expect((await t.app.get(TicketSweep).run()).stepsReset).toBeGreaterThanOrEqual(1);
    } finally {
      t.clock.reset();
    }
    const { rows } = await t.db.query(`SELECT status, secret_hash FROM ticket_steps WHERE ticket_id = $1 AND step = 'registered_channel_otp'`, [opened.id]);
    expect(rows).toEqual([{ status: 'pending', secret_hash: null }]);
    await desk.submit(agents[0], opened.id, 'registered_channel_otp', { code: otp }).expect(409);
  });
});
