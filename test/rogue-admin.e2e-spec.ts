import { Account } from '../src/accounts/account.entity';
import { TicketSweep } from '../src/tickets/ticket-sweep.service';
import { createTestApp, TestApp, unique } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * The attacks of issue 15, replayed with one admin token (the rogue's): each ends with no codes for anyone and
 * security alerted. The same flows with two distinct admins complete: the rule is a second person, not a wall.
 * The desk has three admins, each added at the command line by an operator: the first (legit), the rogue and a
 * second legit one; an agent and two approvers the operator added too.
 */
let t: TestApp;
let desk: Desk;
let legit: Auth;
let rogue: Auth;
let service: Auth;
let agent: Auth;
const approvers: Auth[] = [];

const ATTACKER = { email: 'attacker@evil.example', phone: '+447700900666', managerEmail: 'boss@evil.example' };

beforeAll(async () => {
  t = await createTestApp(__filename, { LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  rogue = bearer((await t.createStaff(['admin'], { name: 'rogue admin' })).token);
  legit = bearer((await t.createStaff(['admin'], { name: 'second admin' })).token);
  service = bearer((await t.createStaff(['service'])).token);
  agent = bearer((await t.createStaff(['agent'])).token);
  for (let i = 0; i < 2; i += 1) approvers.push(bearer((await t.createStaff(['approver'])).token));
});
afterAll(() => t?.close());

async function victimWithCodes(tier: Account['tier']) {
  const manager = await t.createAccount();
  const account = await t.createAccount({ tier, managerId: manager.id });
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return { account, manager };
}

const codeSets = async (accountId: string) =>
  (await t.db.query('SELECT count(*)::int AS n FROM code_sets WHERE account_id = $1', [accountId])).rows[0].n as number;
const toAttacker = () => t.inbox().filter((m) => [ATTACKER.email, ATTACKER.phone, ATTACKER.managerEmail].includes(m.to));
const alertsAbout = (id: string) => t.inbox().filter((m) => m.to === 'security@example.com' && m.body.includes(id));
const review = (who: Auth, id: string, verdict: 'approve' | 'reject' = 'approve') =>
  t.http().post(`/v1/change-requests/${id}/${verdict}`).set(who).send({ reason: 'confirmed with the employee in person' });

describe('one rogue admin token', () => {
  it('cannot swap a critical account’s channels and the manager’s, nor mint approvers and an admin: no codes, security alerted', async () => {
    const { account, manager } = await victimWithCodes('critical');
    const swap = await t.http().patch(`/v1/accounts/${account.id}`).set(rogue).send({ email: ATTACKER.email, phone: ATTACKER.phone }).expect(202);
    const boss = await t.http().patch(`/v1/accounts/${manager.id}`).set(rogue).send({ email: ATTACKER.managerEmail }).expect(202);
    // Each member needs an employee account (staff rules); creating one is no sensitive change, so the rogue makes puppets.
    const puppet = async () => (await t.createAccount({ displayName: unique('puppet-') })).id;
    // An agent is not privileged: it is created, with a token, at once.
    const rogueAgent = await t
      .http()
      .post('/v1/staff')
      .set(rogue)
      .send({ name: unique('rogue-agent-'), roles: ['agent'], accountId: await puppet() })
      .expect(201);
    const agentToken = (await t.http().post(`/v1/staff/${rogueAgent.body.id}/tokens`).set(rogue).send({}).expect(201)).body.token as string;
    t.secrets.add(agentToken);
    const minted = [];
    for (const roles of [['approver'], ['approver'], ['admin']])
      minted.push(
        (
          await t
            .http()
            .post('/v1/staff')
            .set(rogue)
            .send({ name: unique('rogue-'), roles, accountId: await puppet() })
            .expect(202)
        ).body,
      );
    for (const request of [swap.body, boss.body, ...minted]) {
      expect((await review(rogue, request.id)).status).toBe(403); // not their own
      await eventually(() => alertsAbout(request.id).length > 0, `security told of ${request.kind}`);
    }

    const opened = await desk.open(bearer(agentToken), account);
    await desk.claim(bearer(agentToken));
    await desk.sendOtp(bearer(agentToken), opened.id, account); // to the phone on file: the victim's, not the attacker's
    const row = (await t.db.query('SELECT email, phone FROM accounts WHERE id = $1', [account.id])).rows[0];
    expect(row).toEqual({ email: account.email, phone: account.phone });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM staff WHERE name LIKE 'rogue-%' AND roles && ARRAY['approver', 'admin']`)).rows[0].n).toBe(0);
    expect(toAttacker()).toEqual([]);
    expect(await codeSets(account.id)).toBe(1);
    for (const request of [swap.body, boss.body, ...minted]) await review(legit, request.id, 'reject');
  });

  it('cannot lower a critical account to standard: the ticket stays critical, with its approvers', async () => {
    const { account } = await victimWithCodes('critical');
    const lowered = await t.http().patch(`/v1/accounts/${account.id}`).set(rogue).send({ tier: 'standard' }).expect(202);
    const opened = await desk.open(agent, account);
    const ticket = (await t.http().get(`/v1/tickets/${opened.id}`).set(agent).expect(200)).body;
    expect(ticket).toMatchObject({ tier: 'critical', approvalsRequired: 2 });
    await eventually(() => alertsAbout(lowered.body.id).length > 0, 'security told');
    await review(legit, lowered.body.id, 'reject');
    await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(agent).send({ reason: 'test over' });
  });

  it('cannot move a privileged subject’s manager to a mailbox it reads: the attestation link goes to the real manager', async () => {
    const { account, manager } = await victimWithCodes('privileged');
    const stooge = await t.createAccount({ email: ATTACKER.managerEmail });
    const moved = await t.http().patch(`/v1/accounts/${account.id}`).set(rogue).send({ managerId: stooge.id }).expect(202);
    const opened = await desk.open(agent, account);
    await desk.claim(agent);
    await t.http().post(`/v1/tickets/${opened.id}/steps/manager_attestation/start`).set(agent).send({}).expect(200);
    await eventually(() => t.inbox().some((m) => m.template === 'proofing.attestation' && m.to === manager.email), 'the real manager’s link');
    expect(toAttacker()).toEqual([]);
    await eventually(() => alertsAbout(moved.body.id).length > 0, 'security told');
    await review(legit, moved.body.id, 'reject');
    await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(agent).send({ reason: 'test over' });
  });

  it('cannot clear a hold on its own', async () => {
    const { account } = await victimWithCodes('privileged');
    await t
      .http()
      .patch(`/v1/accounts/${account.id}`)
      .set(rogue)
      .send({ phone: '+447700900777' })
      .expect(202)
      .then((r) => review(legit, r.body.id).expect(200));
    const opened = await desk.open(agent, account);
    const clear = await t.http().post(`/v1/tickets/${opened.id}/signals/channel_recently_changed/clear`).set(rogue).send({ reason: 'trust me' }).expect(202);
    expect((await t.http().get(`/v1/tickets/${opened.id}`).set(agent)).body.held).toBe(true);
    expect((await review(rogue, clear.body.id)).status).toBe(403);
    await review(legit, clear.body.id, 'reject');
  });
});

describe('two distinct admins', () => {
  it('change a critical account’s e-mail, clear the hold it raises, and the recovery completes to the new address', async () => {
    const { account, manager } = await victimWithCodes('critical');
    const newEmail = `${unique('moved.').toLowerCase()}@example.com`;
    const changed = await t.http().patch(`/v1/accounts/${account.id}`).set(rogue).send({ email: newEmail, changeReason: 'new mailbox' }).expect(202);
    await review(legit, changed.body.id).expect(200);
    account.email = newEmail;

    const opened = await desk.open(agent, account);
    expect((await t.http().get(`/v1/tickets/${opened.id}`).set(agent)).body.held).toBe(true);
    const clear = await t
      .http()
      .post(`/v1/tickets/${opened.id}/signals/channel_recently_changed/clear`)
      .set(rogue)
      .send({ reason: 'called back on the phone on file' })
      .expect(202);
    await review(legit, clear.body.id).expect(200);
    expect((await t.http().get(`/v1/tickets/${opened.id}`).set(agent)).body.held).toBe(false);

    await desk.claim(agent);
    await desk.passPrivilegedSteps(agent, opened.id, account, manager);
    await desk.approve(approvers[0], opened.id).expect(200);
    expect((await desk.approve(approvers[1], opened.id).expect(200)).body.state).toBe('approved');
    t.clock.advance(15 * 60_000 + 1_000);
    try {
      await t.app.get(TicketSweep).reconcile();
      await desk.waitFor(opened.id, 'completed');
    } finally {
      t.clock.reset();
    }
    expect(await desk.redeem(account)).toHaveLength(10);
  });
});

describe('old channels hear of every change', () => {
  it('tells the old address and number, never the new values, and their "this wasn\'t me" link holds the account and alerts security', async () => {
    const { account } = await victimWithCodes('critical');
    const changed = await t.http().patch(`/v1/accounts/${account.id}`).set(rogue).send({ email: ATTACKER.email, phone: ATTACKER.phone }).expect(202);
    await review(legit, changed.body.id).expect(200);
    const mail = await eventually(
      () => t.inbox().find((m) => m.template === 'account.channel_changed' && m.to === account.email),
      'the notice to the old address',
    );
    const sms = await eventually(
      () => t.inbox().find((m) => m.template === 'account.channel_changed' && m.to === account.phone),
      'the notice to the old number',
    );
    for (const notice of [mail, sms]) {
      expect(`${notice.subject} ${notice.body}`).not.toContain(ATTACKER.email);
      expect(`${notice.subject} ${notice.body}`).not.toContain(ATTACKER.phone.slice(-6));
    }
    expect(t.inbox().filter((m) => m.template === 'account.channel_changed' && [ATTACKER.email, ATTACKER.phone].includes(m.to))).toEqual([]);
    const token = mail.links[0].split('/n/')[1];
    t.secrets.add(token);
    await t.http().post('/v1/links/not-me').send({ token }).expect(200);
    await eventually(() => t.inbox().some((m) => m.template === 'security.account_reported_not_me' && m.body.includes(account.id)), 'security alerted');
    const opened = await desk.open(agent, account);
    expect((await t.http().get(`/v1/tickets/${opened.id}`).set(agent)).body.held).toBe(true);
    // Lifting that hold is itself a change request: the admin who asked cannot release it alone.
    const lift = await t.http().post(`/v1/accounts/${account.id}/recovery-hold/clear`).set(rogue).send({ reason: 'the employee changed it' }).expect(202);
    expect((await review(rogue, lift.body.id)).status).toBe(403);
    await review(legit, lift.body.id).expect(200);
    const signals = (await t.http().get(`/v1/tickets/${opened.id}`).set(agent)).body.signals as { signal: string; clearedAt: string | null }[];
    expect(signals.find((x) => x.signal === 'subject_reported_not_me')!.clearedAt).not.toBeNull();
    expect(signals.find((x) => x.signal === 'channel_recently_changed')!.clearedAt).toBeNull(); // the recent change still holds it
    await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(agent).send({ reason: 'test over' });
  });
});

describe('one person, one control', () => {
  it('refuses approval by the manager who answered the attestation, and by the staff member who opened the ticket', async () => {
    const { account, manager } = await victimWithCodes('privileged');
    const managerApprover = bearer((await t.createStaff(['approver'], { accountId: manager.id })).token);
    const opener = await t.createStaff(['agent', 'approver']);
    const opened = await desk.open(bearer(opener.token), account);
    await desk.claim(agent);
    await desk.passPrivilegedSteps(agent, opened.id, account, manager);
    const byManager = await desk.approve(managerApprover, opened.id).expect(403);
    expect(byManager.body.code).toBe('manager_chain'); // the subject's reporting line, attesting or not (test/approved-facts.e2e-spec.ts)
    const byOpener = await desk.approve(bearer(opener.token), opened.id).expect(403);
    expect(byOpener.body.message).toBe('one person, one control: the staff member who opened a ticket cannot approve it');
    await desk.approve(approvers[0], opened.id).expect(200);
  });
});

describe('smaller holes', () => {
  it('sends Cache-Control: no-store on API answers', async () => {
    const res = await t.http().get('/v1/me').set(agent).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('counts OTP read-backs per ticket, not per code sent', async () => {
    const { account } = await victimWithCodes('standard');
    const opened = await desk.open(agent, account);
    await desk.claim(agent);
    await desk.sendOtp(agent, opened.id, account);
    for (let i = 0; i < 2; i += 1) await desk.submit(agent, opened.id, 'registered_channel_otp', { code: '000000' }).expect(200);
    await desk.sendOtp(agent, opened.id, account);
    await desk.submit(agent, opened.id, 'registered_channel_otp', { code: '000000' });
    expect(await desk.state(opened.id)).toBe('denied');
  });

  it('never passes directory facts when the employee number on file is empty', async () => {
    const account = await t.createAccount({ tier: 'standard', employeeNumber: null });
    const opened = await desk.open(agent, account);
    await desk.claim(agent);
    await desk.passOtp(agent, opened.id, account);
    await desk.submit(agent, opened.id, 'directory_facts', { employeeNumber: ' ', costCentre: 'CC-100' });
    expect(await desk.state(opened.id)).toBe('denied');
  });

  it('answers a closed ticket’s cancel link like an unknown one', async () => {
    const { account } = await victimWithCodes('standard');
    const opened = await desk.open(agent, account);
    await eventually(() => t.inbox().some((m) => m.template === 'ticket.opened' && m.to === account.email), 'the opened notice');
    const token = desk.cancelLink(account);
    await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(agent).send({ reason: 'caller hung up' }).expect(200);
    const closed = await t.http().post('/v1/links/cancel').send({ token }).expect(410);
    const unknown = await t
      .http()
      .post('/v1/links/cancel')
      .send({ token: `rdc_${'x'.repeat(43)}` });
    expect(closed.body.message).toBe(unknown.body.message);
  });
});
