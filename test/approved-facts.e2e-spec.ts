import { Account } from '../src/accounts/account.entity';
import { TicketSweep } from '../src/tickets/ticket-sweep.service';
import { createTestApp, TestApp } from './helpers/app';
import { signIn, useBrowser } from './helpers/browser';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * Issue 23, items 1, 6 and 7: what was approved is what is delivered (a change to the subject's channels, manager
 * or tier after approval holds the ticket before regeneration); nobody in the subject's reporting line claims,
 * proofs or approves their ticket; only a ticket's owner, an admin or the subject cancels it, others raise a concern.
 * Two admins from the start: every sensitive account change is a change request the second admin approves.
 */
let t: TestApp;
let desk: Desk;
let admin: Auth;
let secondAdmin: Auth;
let service: Auth;
const agents: Auth[] = [];
const agentIds: string[] = [];
const agentTokens: string[] = [];
const approvers: Auth[] = [];

type TicketView = {
  id: string;
  state: string;
  held: boolean;
  owner: string | null;
  assignedTo: string | null;
  signals: { signal: string; reason: string; holds: boolean; clearedAt: string | null }[];
  concerns: { raisedBy: string; reason: string; raisedAt: string }[];
};

beforeAll(async () => {
  t = await createTestApp(__filename, { LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  admin = bearer(t.adminToken);
  secondAdmin = bearer((await t.createStaff(['admin'])).token);
  service = bearer((await t.createStaff(['service'])).token);
  for (let i = 0; i < 3; i += 1) {
    const agent = await t.createStaff(['agent']);
    agents.push(bearer(agent.token));
    agentIds.push(agent.staff.id);
    agentTokens.push(agent.token);
  }
  for (let i = 0; i < 2; i += 1) approvers.push(bearer((await t.createStaff(['approver'])).token));
});
const browser = useBrowser(() => t);
afterAll(() => t?.close());

const drainQueue = () => t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`);
const view = async (id: string, who: Auth = admin) => (await t.http().get(`/v1/tickets/${id}`).set(who).expect(200)).body as TicketView;

/** An admin's account change, made a change request by the two-admin rule and approved by the second admin. */
async function changeAccount(account: Account, changes: Record<string, unknown>) {
  const res = await t.http().patch(`/v1/accounts/${account.id}`).set(admin).send(changes);
  if (res.status === 202) {
    await t.http().post(`/v1/change-requests/${res.body.id}/approve`).set(secondAdmin).send({ reason: 'confirmed with the employee' }).expect(200);
  } else {
    expect(res.status).toBe(200);
  }
}

async function accountWithCodes(overrides: Partial<Account> = {}) {
  const account = await t.createAccount(overrides);
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return { account, oldCodes: res.body.codes as string[] };
}

/** A critical ticket proofed by agents[0] and approved by the two approvers: approved, in cooling-off. */
async function approvedCritical() {
  const manager = await t.createAccount();
  const { account } = await accountWithCodes({ tier: 'critical', managerId: manager.id });
  const opened = await desk.open(agents[0], account);
  expect((await desk.claim(agents[0])).id).toBe(opened.id);
  await desk.passPrivilegedSteps(agents[0], opened.id, account, manager);
  await desk.approve(approvers[0], opened.id).expect(200);
  expect((await desk.approve(approvers[1], opened.id).expect(200)).body.state).toBe('approved');
  return { ticketId: opened.id, account: { ...account } as Account, manager };
}

/** Past cooling-off: the sweep releases the regeneration job, which runs to `state`. */
async function afterCoolingOff(ticketId: string, state: string) {
  t.clock.advance(15 * 60_000 + 1_000);
  try {
    await t.app.get(TicketSweep).reconcile();
    await eventually(
      async () => (await t.db.query(`SELECT 1 FROM audit_events WHERE target_id = $1 AND action = 'ticket.start_regeneration'`, [ticketId])).rowCount === 1,
      'regeneration to start',
    );
    await desk.waitFor(ticketId, state);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a delivery, had there been one, would be written by now
  } finally {
    t.clock.reset();
  }
}

/** The account still has only the set it had before the ticket, unrevoked: nothing was reissued (checked without spending a code). */
async function onlyTheOldSet(account: Account) {
  const { rows } = await t.db.query(`SELECT revoked_at FROM code_sets WHERE account_id = $1`, [account.id]);
  expect(rows).toEqual([{ revoked_at: null }]);
}

describe('what was approved is what is delivered', () => {
  beforeEach(drainQueue);

  it('fixes the tier, channels and manager on the ticket when the last approval lands', async () => {
    const { ticketId, account, manager } = await approvedCritical();
    const { rows } = await t.db.query(`SELECT approved_facts FROM tickets WHERE id = $1`, [ticketId]);
    expect(rows[0].approved_facts).toEqual({
      tier: 'critical',
      email: account.email,
      phone: account.phone,
      managerId: manager.id,
      approvedAt: expect.any(String),
    });
  });

  it('an admin changes the subject’s e-mail during cooling-off (two admins, through a change request): held, nothing reaches the new address, security alerted, never cleared; the cancel notice goes to the approved address', async () => {
    const { ticketId, account } = await approvedCritical();
    await eventually(() => t.inbox().some((m) => m.template === 'ticket.approved' && m.to === account.email), 'the cooling-off notice');
    const newEmail = `taken.over.${Date.now()}@example.net`;
    await changeAccount(account, { email: newEmail });

    await afterCoolingOff(ticketId, 'approved');
    const held = await view(ticketId);
    expect(held).toMatchObject({ state: 'approved', held: true });
    const signal = held.signals.find((s) => s.signal === 'changed_since_approval')!;
    expect(signal).toMatchObject({ holds: true, clearedAt: null });
    expect(signal.reason).toMatch(/^the subject's e-mail address changed after the ticket was approved \(\d{4}-\d{2}-\d{2}\): held, nothing is delivered/);
    expect(JSON.stringify(held)).not.toContain(newEmail);
    const hold = await t.db.query(`SELECT payload FROM audit_events WHERE target_id = $1 AND action = 'ticket.hold'`, [ticketId]);
    expect(hold.rows).toEqual([
      { payload: expect.objectContaining({ from: 'regenerating', to: 'approved', signal: 'changed_since_approval', changed: ['email'] }) },
    ]);
    await eventually(
      () =>
        t
          .inbox()
          .some(
            (m) =>
              m.template === 'security.possible_social_engineering' && m.body.includes(ticketId) && m.body.includes('changed after the ticket was approved'),
          ),
      'the security alert',
    );

    expect(t.inbox().filter((m) => m.to === newEmail)).toEqual([]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM delivery_envelopes WHERE account_id = $1`, [account.id])).rows[0].n).toBe(0);
    await onlyTheOldSet(account);

    // Another run of the job (the sweep finds it approved past cooling-off) delivers nothing either.
    t.clock.advance(16 * 60_000);
    try {
      await t.app.get(TicketSweep).reconcile();
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      t.clock.reset();
    }
    expect(await desk.state(ticketId)).toBe('approved');

    const clear = await t.http().post(`/v1/tickets/${ticketId}/signals/changed_since_approval/clear`).set(admin).send({ reason: 'looks fine' }).expect(409);
    expect(clear.body.message).toMatch(/never cleared.*cancel the ticket and open a new one/);
    expect(
      (await t.http().post(`/v1/tickets/${ticketId}/cancel`).set(secondAdmin).send({ reason: 'changed since approval: new request needed' }).expect(200)).body
        .state,
    ).toBe('cancelled');
    await eventually(
      () => t.inbox().some((m) => m.template === 'ticket.closed' && m.to === account.email && m.body.includes('cancelled')),
      'the outcome at the approved address',
    );
    expect(t.inbox().filter((m) => m.to === newEmail)).toEqual([]);
  });

  for (const [what, change, changed] of [
    ['manager', async (_account: Account) => ({ managerId: (await t.createAccount()).id }), 'managerId'],
    ['tier', async () => ({ tier: 'privileged' }), 'tier'],
    ['phone', async () => ({ phone: `+4477009${String(Date.now() % 1e5).padStart(5, '0')}` }), 'phone'],
  ] as const) {
    it(`a change of the subject’s ${what} after approval holds the ticket before regeneration; no codes issued, security alerted`, async () => {
      const { ticketId, account } = await approvedCritical();
      await changeAccount(account, await change(account));
      await afterCoolingOff(ticketId, 'approved');
      const held = await view(ticketId);
      expect(held.held).toBe(true);
      const { rows } = await t.db.query(`SELECT detail FROM ticket_signals WHERE ticket_id = $1 AND signal = 'changed_since_approval'`, [ticketId]);
      expect(rows).toEqual([{ detail: expect.objectContaining({ changed: [changed] }) }]);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM code_sets WHERE account_id = $1`, [account.id])).rows[0].n).toBe(1);
      await onlyTheOldSet(account);
      await eventually(() => t.inbox().some((m) => m.template === 'security.possible_social_engineering' && m.body.includes(ticketId)), 'the security alert');
    });
  }

  it('an unchanged account (another account changed meanwhile) completes and delivers to the approved address', async () => {
    const { ticketId, account } = await approvedCritical();
    await changeAccount(await t.createAccount(), { email: `someone.else.${Date.now()}@example.com` });
    await afterCoolingOff(ticketId, 'completed');
    expect((await desk.redeem(account)).length).toBeGreaterThan(0);
  });
});

describe('the subject’s reporting line', () => {
  beforeEach(drainQueue);

  it('an agent linked to the subject’s manager (or above) is never handed the ticket; another agent is', async () => {
    const director = await t.createAccount();
    const manager = await t.createAccount({ managerId: director.id });
    const subject = await t.createAccount({ tier: 'privileged', managerId: manager.id });
    const managerAgent = bearer((await t.createStaff(['agent'], { accountId: manager.id })).token);
    const directorAgent = bearer((await t.createStaff(['agent'], { accountId: director.id })).token);
    const opened = await desk.open(agents[1], subject);
    await t.http().post('/v1/tickets/next').set(managerAgent).expect(204);
    await t.http().post('/v1/tickets/next').set(directorAgent).expect(204);
    expect(await desk.state(opened.id)).toBe('open');
    expect((await desk.claim(agents[1])).id).toBe(opened.id);
  });

  it('an agent who came into the reporting line after claiming may not proof the ticket: 403 manager_chain', async () => {
    const manager = await t.createAccount();
    const subject = await t.createAccount({ tier: 'privileged', managerId: manager.id });
    const agentAccount = await t.createAccount();
    const agent = await t.createStaff(['agent'], { accountId: agentAccount.id });
    const opened = await desk.open(agents[1], subject);
    expect((await desk.claim(bearer(agent.token))).id).toBe(opened.id);
    await changeAccount(manager, { managerId: agentAccount.id }); // the agent is now the manager's manager
    const start = await t
      .http()
      .post(`/v1/tickets/${opened.id}/steps/registered_channel_otp/start`)
      .set(bearer(agent.token))
      .send({ channel: 'sms' })
      .expect(403);
    expect(start.body).toMatchObject({
      code: 'manager_chain',
      message: expect.stringMatching(/^one person, one control: nobody in the subject's reporting line .* may claim, proof or approve their ticket$/),
    });
    const submit = await desk
      .submit(bearer(agent.token), opened.id, 'government_id', { documentType: 'passport', last4: '4F7K', note: 'photo matches' })
      .expect(403);
    expect(submit.body.code).toBe('manager_chain');
    expect(t.inbox().some((m) => m.template === 'proofing.otp' && m.to === subject.phone)).toBe(false);
  });

  it('an approver linked to the subject’s manager or anyone above them may not approve, on any tier: 403 manager_chain, audited', async () => {
    for (const tier of ['privileged', 'critical'] as const) {
      const director = await t.createAccount();
      const manager = await t.createAccount({ managerId: director.id });
      const { account } = await accountWithCodes({ tier, managerId: manager.id });
      const managerApprover = bearer((await t.createStaff(['approver'], { accountId: manager.id })).token);
      const directorApprover = bearer((await t.createStaff(['approver'], { accountId: director.id })).token);
      const opened = await desk.open(agents[0], account);
      await desk.claim(agents[0]);
      await desk.passPrivilegedSteps(agents[0], opened.id, account, manager);
      for (const approver of [managerApprover, directorApprover]) {
        const res = await desk.approve(approver, opened.id).expect(403);
        expect(res.body).toMatchObject({ code: 'manager_chain' });
      }
      expect(await desk.state(opened.id)).toBe('awaiting_approval');
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM approvals WHERE ticket_id = $1`, [opened.id]);
      expect(rows[0].n).toBe(0);
      const refused = await t.db.query(`SELECT payload FROM audit_events WHERE target_id = $1 AND action = 'ticket.approval_refused'`, [opened.id]);
      expect(refused.rows).toHaveLength(2);
      // Independent approvers carry it through, every approval counted.
      // The last approval's answer is read, not a later view: a privileged ticket has no cooling-off, so the worker
      // may already have moved it on to regenerating by the time a second request looks.
      let last = '';
      for (const approver of approvers.slice(0, tier === 'critical' ? 2 : 1)) last = (await desk.approve(approver, opened.id).expect(200)).body.state;
      expect(last).toBe('approved');
      expect((await view(opened.id)).signals.map((s) => s.signal)).not.toContain('manager_not_independent');
    }
  });
});

describe('cancelling belongs to the owner', () => {
  beforeEach(drainQueue);

  it('another agent may not cancel (403 not_ticket_owner) but raises a concern: on the ticket, in its timeline, security told; the opener cancels an unclaimed ticket', async () => {
    const subject = await t.createAccount();
    const opened = await desk.open(agents[0], subject);
    expect((await view(opened.id)).owner).toBe(agentIds[0]);
    const refused = await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(agents[1]).send({ reason: 'looks odd' }).expect(403);
    expect(refused.body).toMatchObject({ code: 'not_ticket_owner', message: expect.stringMatching(/raise a concern instead$/) });
    expect(await desk.state(opened.id)).toBe('open');

    await t.http().post(`/v1/tickets/${opened.id}/concerns`).set(agents[1]).send({ reason: 'x' }).expect(400);
    const concern = (await t.http().post(`/v1/tickets/${opened.id}/concerns`).set(agents[1]).send({ reason: 'the caller sounded coached' }).expect(200))
      .body as TicketView;
    expect(concern.state).toBe('open');
    expect(concern.concerns).toEqual([{ raisedBy: agentIds[1], reason: 'the caller sounded coached', raisedAt: expect.any(String) }]);
    const events = (await t.http().get(`/v1/tickets/${opened.id}/events`).set(admin).expect(200)).body as { action: string; actorId: string }[];
    expect(events).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'ticket.concern_raised', actorId: agentIds[1] })]));
    await eventually(
      () => t.inbox().some((m) => m.template === 'security.ticket_concern' && m.body.includes(opened.id) && m.body.includes('the caller sounded coached')),
      'the concern to security',
    );

    expect((await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(agents[0]).send({ reason: 'caller hung up' }).expect(200)).body.state).toBe('cancelled');
    await t.http().post(`/v1/tickets/${opened.id}/concerns`).set(agents[1]).send({ reason: 'too late now' }).expect(409);
  });

  it('once claimed, the assigned agent owns it: the opener and other agents are refused; an admin cancels any live ticket', async () => {
    const subject = await t.createAccount({ tier: 'privileged', managerId: (await t.createAccount()).id });
    const opened = await desk.open(agents[0], subject);
    expect((await desk.claim(agents[2])).id).toBe(opened.id);
    expect((await view(opened.id)).owner).toBe(agentIds[2]);
    for (const other of [agents[0], agents[1]]) {
      expect((await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(other).send({ reason: 'not mine' }).expect(403)).body.code).toBe('not_ticket_owner');
    }
    expect((await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(secondAdmin).send({ reason: 'duplicate request' }).expect(200)).body.state).toBe(
      'cancelled',
    );

    const second = await desk.open(agents[0], await t.createAccount());
    expect((await desk.claim(agents[2])).id).toBe(second.id);
    expect((await t.http().post(`/v1/tickets/${second.id}/cancel`).set(agents[2]).send({ reason: 'caller hung up' }).expect(200)).body.state).toBe('cancelled');
  });
});

describe('the console', () => {
  beforeEach(drainQueue);

  async function ticketPage(token: string, ticketId: string) {
    const tab = await browser.tab();
    await signIn(tab, token);
    await tab.page.goto(`/tickets/${ticketId}`);
    await tab.page.getByRole('heading', { name: 'Timeline', level: 2 }).waitFor();
    return tab.page;
  }

  it('offers cancel only to the ticket’s owner; another agent raises a concern instead, which the owner then reads on the ticket', async () => {
    const opened = await desk.open(agents[0], await t.createAccount());
    const other = await ticketPage(agentTokens[1], opened.id);
    expect(await other.getByRole('button', { name: 'Cancel ticket' }).count()).toBe(0);
    await other.getByLabel('Reason (recorded in the audit trail)').fill('the caller sounded coached');
    await other.getByRole('button', { name: 'Raise a concern' }).click();
    await other.getByRole('heading', { name: 'Concerns', level: 2 }).waitFor();

    const owner = await ticketPage(agentTokens[0], opened.id);
    await owner.getByRole('heading', { name: 'Concerns', level: 2 }).waitFor();
    expect(await owner.getByText('the caller sounded coached').count()).toBeGreaterThan(0);
    expect(await owner.getByRole('button', { name: 'Raise a concern' }).count()).toBe(0);
    await owner.getByRole('button', { name: 'Cancel ticket' }).waitFor();
    expect(await desk.state(opened.id)).toBe('open');
  });
});
