import { DataSource } from 'typeorm';
import { Account } from '../src/accounts/account.entity';
import { NotMeNotices } from '../src/notifications/not-me-notices';
import { createTestApp, TestApp } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * The account-level "this wasn't me": a one-time link sent with a notice about the account (first enrolment
 * here); following it holds every recovery of the account until an admin clears it, and alerts security.
 */
let t: TestApp;
let desk: Desk;
let admin: Auth;
let agent: Auth;
let service: Auth;

type TicketView = { id: string; state: string; held: boolean; signals: { signal: string; holds: boolean; clearedAt: string | null; reason: string }[] };

beforeAll(async () => {
  t = await createTestApp(__filename, { LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  admin = bearer(t.adminToken);
  agent = bearer((await t.createStaff(['agent'])).token);
  service = bearer((await t.createStaff(['service'])).token);
});
afterAll(() => t?.close());

const view = async (id: string) => (await t.http().get(`/v1/tickets/${id}`).set(agent).expect(200)).body as TicketView;
const securityAlerts = (template: string, about: string) => t.inbox().filter((m) => m.template === template && m.body.includes(about));

/** Enrols the account's first set and returns the "this wasn't me" token from the notice on its registered e-mail. */
async function enrolAndNotMeToken(account: Account): Promise<string> {
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  const mail = await eventually(() => t.inbox().find((m) => m.template === 'codes.issued' && m.to === account.email), 'the enrolment notice');
  expect(mail.links).toHaveLength(1);
  const token = mail.links[0].split('/n/')[1];
  t.secrets.add(token);
  return token;
}

describe('account recovery hold ("this wasn\'t me" link)', () => {
  it('holds the open ticket of a privileged account, alerts security, and works once', async () => {
    const account = await t.createAccount({ tier: 'privileged' });
    const token = await enrolAndNotMeToken(account);
    const sms = await eventually(() => t.inbox().find((m) => m.template === 'codes.issued' && m.to === account.phone), 'the sms notice');
    expect(sms.links[0]).toMatch(/\/n\/rdn_/);
    const opened = await desk.open(agent, account);
    expect((await view(opened.id)).held).toBe(false);

    const res = await t.http().post('/v1/links/not-me').send({ token }).expect(200);
    expect(res.body.message).toMatch(/on hold/);
    const ticket = await view(opened.id);
    expect(ticket.held).toBe(true);
    expect(ticket.signals).toEqual([expect.objectContaining({ signal: 'subject_reported_not_me', holds: true, clearedAt: null })]);
    await eventually(() => securityAlerts('security.account_reported_not_me', account.id).length === 1, 'the account alert');
    await eventually(() => securityAlerts('security.possible_social_engineering', opened.id).length === 1, 'the ticket alert');
    await t.http().post('/v1/tickets/next').set(agent).expect(204); // held: nothing to take

    await t.http().post('/v1/links/not-me').send({ token }).expect(410); // one use
    await t.http().post('/v1/links/not-me').send({ token: 'rdn_never-issued-token' }).expect(410);
  });

  it('starts a later ticket of a standard account held until an admin clears the hold with a reason', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    await t
      .http()
      .post('/v1/links/not-me')
      .send({ token: await enrolAndNotMeToken(account) })
      .expect(200);
    const opened = await desk.open(agent, account);
    expect((await view(opened.id)).held).toBe(true);

    const clear = (who: Auth, reason = 'security called the employee on the number on file: genuine') =>
      t.http().post(`/v1/accounts/${account.id}/recovery-hold/clear`).set(who).send({ reason });
    await clear(agent).expect(403);
    await clear(admin, 'x').expect(400);
    expect((await clear(admin).expect(200)).body).toEqual({ clearedReports: 1, clearedTickets: [opened.id] });
    await clear(admin).expect(409); // nothing left to clear
    expect((await view(opened.id)).held).toBe(false);
    const audit = await t.db.query(`SELECT payload FROM audit_events WHERE action = 'account.recovery_hold_cleared' AND target_id = $1`, [account.id]);
    expect(audit.rows).toEqual([
      { payload: expect.objectContaining({ ticketIds: [opened.id], reason: 'security called the employee on the number on file: genuine' }) },
    ]);
    expect((await desk.claim(agent)).id).toBe(opened.id);
  });

  it('an admin cannot clear the hold on their own account', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    await t
      .http()
      .post('/v1/links/not-me')
      .send({ token: await enrolAndNotMeToken(account) })
      .expect(200);
    const own = bearer((await t.createStaff(['admin'], { accountId: account.id })).token);
    await t.http().post(`/v1/accounts/${account.id}/recovery-hold/clear`).set(own).send({ reason: 'it is me, honestly' }).expect(403);
  });

  it('sends a notice to any given address (e.g. a replaced one); its report refuses a first enrolment until cleared', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    const old = `old-${account.externalId.toLowerCase()}@example.net`;
    await t.app
      .get(DataSource)
      .transaction((em) =>
        t.app
          .get(NotMeNotices)
          .send(em, { account, channel: 'email', to: old, template: 'codes.issued', vars: { count: 10 }, key: `test-notice:${account.id}` }),
      );
    const mail = await eventually(() => t.inbox().find((m) => m.to === old), 'the notice at the given address');
    const token = mail.links[0].split('/n/')[1];
    t.secrets.add(token);
    await t.http().post('/v1/links/not-me').send({ token }).expect(200);
    const refused = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(409);
    expect(refused.body.message).toMatch(/recovery hold until an admin clears it/);
    // Two admins exist by now (the test above made one), so lifting the hold is a change request a second admin approves.
    const requested = await t
      .http()
      .post(`/v1/accounts/${account.id}/recovery-hold/clear`)
      .set(admin)
      .send({ reason: 'employee confirmed in person' })
      .expect(202);
    const reviewer = bearer((await t.createStaff(['admin'])).token);
    await t.http().post(`/v1/change-requests/${requested.body.id}/approve`).set(reviewer).send({ reason: 'seen the employee badge' }).expect(200);
    const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
    res.body.codes.forEach((c: string) => t.secrets.add(c));
  });
});
