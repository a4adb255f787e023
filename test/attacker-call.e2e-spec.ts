import { Account } from '../src/accounts/account.entity';
import { createTestApp, TestApp } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * docs/security.md's "What happens when an attacker calls", step by step against the real service: a caller claiming to
 * be a privileged employee whose registered phone was changed six days ago, asking to be called back on a number of
 * their own, calling again and again. Default policy.
 */
let t: TestApp;
let desk: Desk;
let admin: Auth;
let agent: Auth;
let jordan: Account;
let manager: Account;
const DAY = 24 * 3_600_000;
const CALLBACK = '+44 7700 900999';

type Signal = { signal: string; reason: string; holds: boolean; clearedAt: string | null };
type Ticket = { id: string; state: string; held: boolean; signals: Signal[] };

beforeAll(async () => {
  t = await createTestApp(__filename, { LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  admin = bearer(t.adminToken);
  agent = bearer((await t.createStaff(['agent'])).token);
  manager = await t.createAccount();
  jordan = await t.createAccount({ tier: 'privileged', managerId: manager.id, displayName: 'Jordan Admin' });
  // Last week someone talked a desk into changing Jordan's registered mobile number.
  t.clock.advance(-6 * DAY);
  const changed = await t.http().patch(`/v1/accounts/${jordan.id}`).set(admin).send({ phone: '+447700900111' }).expect(200);
  jordan.phone = changed.body.phone;
  t.clock.reset();
});
afterAll(() => t?.close());

const ticket = async (id: string): Promise<Ticket> => (await t.http().get(`/v1/tickets/${id}`).set(agent).expect(200)).body;
const securityAlerts = (template: string) => t.inbox().filter((m) => m.template === template && m.to === 'security@example.com');

describe('an MGM-style call', () => {
  let first: Ticket;

  it('is held the moment the ticket opens: the number changed six days ago, the callback is not on file', async () => {
    first = (
      await t
        .http()
        .post('/v1/tickets')
        .set(agent)
        .send({ accountId: jordan.id, channel: 'phone', reason: 'new_phone', callback: { name: 'Jordan', phone: CALLBACK } })
        .expect(201)
    ).body;
    const view = await ticket(first.id);
    expect(view.held).toBe(true);
    const bySignal = Object.fromEntries(view.signals.map((s) => [s.signal, s]));
    expect(bySignal.callback_not_on_file).toMatchObject({
      holds: false,
      reason: expect.stringContaining('not on file for this account: never call back or send anything there'),
    });
    expect(bySignal.channel_recently_changed).toMatchObject({
      holds: true,
      reason: expect.stringMatching(/changed 6 days ago .* within the 14-day window: held until an admin clears it/),
    });
    await eventually(() => securityAlerts('security.possible_social_engineering').find((m) => m.body.includes(first.id)), 'the alert to security');
  });

  it('cannot be worked by an agent: take-next skips it, and it stays open and unassigned', async () => {
    await t.http().post('/v1/tickets/next').set(agent).expect(204);
    expect(await ticket(first.id)).toMatchObject({ state: 'open', assignedTo: null, held: true });
  });

  it('once an admin clears the hold, the code goes to the registered phone, never the callback, and the manager’s rejection denies it', async () => {
    await t
      .http()
      .post(`/v1/tickets/${first.id}/signals/channel_recently_changed/clear`)
      .set(admin)
      .send({ reason: 'confirmed the number change with Jordan in person' })
      .expect(200);
    await desk.claim(agent);
    await desk.sendOtp(agent, first.id, jordan);
    expect(t.inbox().some((m) => m.to.replace(/\D/g, '') === CALLBACK.replace(/\D/g, ''))).toBe(false);
    await desk.managerAnswers(agent, first.id, manager, 'reject');
    expect(await desk.state(first.id)).toBe('denied');
  });

  it('calling again and again raises reset velocity and alerts security once', async () => {
    // One ticket per account at a time: each call ends (the caller hangs up) before the next.
    const hangUp = (id: string) => t.http().post(`/v1/tickets/${id}/cancel`).set(agent).send({ reason: 'the caller hung up' }).expect(200);
    const second = await desk.open(agent, jordan, { callback: { phone: CALLBACK } });
    expect((await ticket(second.id)).signals.map((s) => s.signal)).not.toContain('reset_velocity');
    await hangUp(second.id);
    const third = await desk.open(agent, jordan, { callback: { phone: CALLBACK } });
    const velocity = (await ticket(third.id)).signals.find((s) => s.signal === 'reset_velocity');
    expect(velocity?.reason).toBe('3 recovery tickets for this account in 7 days (more than 2): security has been alerted');
    await eventually(() => securityAlerts('security.reset_velocity').length === 1, 'one velocity alert');
    await hangUp(third.id);
    const fourth = await desk.open(agent, jordan, { callback: { phone: CALLBACK } });
    expect((await ticket(fourth.id)).signals.find((s) => s.signal === 'reset_velocity')?.reason).toMatch(/^4 recovery tickets/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(securityAlerts('security.reset_velocity')).toHaveLength(1);
  });
});
