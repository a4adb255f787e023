import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Account } from '../src/accounts/account.entity';
import { createTestApp, TestApp } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * Every path by which a code set can be issued (docs/codes.md, "Paths by which codes are issued"), each with the
 * account's tier, who gets codes and who is alerted. Test policy: exposure alerts above 3 accounts an hour,
 * at most 4 exposures per caller an hour; a service token alerts above 2 enrolments an hour.
 */
let t: TestApp;
let desk: Desk;
let admin: Auth;
let agent: Auth;
let service: Auth;
let verifier: Auth;
let fenced: Auth;
const approvers: Auth[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-code-paths-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ exposure: { maxPerCallerPerHour: 4, alertAccountsPerHour: 3 }, serviceTokens: { maxEnrolmentsPerHour: 2 } }));
  t = await createTestApp(__filename, { POLICY_FILE: policyFile, LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  admin = bearer(t.adminToken);
  agent = bearer((await t.createStaff(['agent'])).token);
  service = bearer((await t.createStaff(['service'], { name: 'login app' })).token);
  verifier = bearer((await t.createStaff(['service'], { name: 'verifier', scopes: ['verify'] })).token);
  fenced = bearer((await t.createStaff(['service'], { name: 'fenced', scopes: ['enrol', 'verify'], allowedCidrs: ['10.20.0.0/16'] })).token);
  for (let i = 0; i < 2; i += 1) approvers.push(bearer((await t.createStaff(['approver'])).token));
});
afterAll(() => t?.close());

const enrol = (account: Account, who: Auth = service) => t.http().post(`/v1/accounts/${account.id}/code-sets`).set(who);
const verify = (account: Account, code: string) => t.http().post(`/v1/accounts/${account.id}/codes/verify`).set(service).send({ code });
const expose = (account: Account, who: Auth = agent, reason = 'codes pasted into a chat') =>
  t.http().post(`/v1/accounts/${account.id}/code-sets/current/exposure`).set(who).send({ reason });
const activeSets = async (account: Account) =>
  (await t.db.query(`SELECT count(*)::int AS n FROM code_sets WHERE account_id = $1 AND revoked_at IS NULL`, [account.id])).rows[0].n as number;
const security = (template: string, text: string) => t.inbox().filter((m) => m.template === template && m.body.includes(text));

async function firstSet(account: Account): Promise<string[]> {
  const res = await enrol(account).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return res.body.codes;
}

/** A refused enrolment: 409 or 403 with the reason, no codes in the body, nothing written. */
async function refusedEnrolment(account: Account, who: Auth, status: number, message: RegExp) {
  const before = await t.snapshot();
  const res = await enrol(account, who).expect(status);
  expect(res.body.message).toMatch(message);
  expect(res.body.codes).toBeUndefined();
  expect(await t.snapshot()).toEqual(before);
}

const RECOVERY_TICKET = /new codes come only through a recovery ticket/;

describe('first enrolment (standard tier)', () => {
  it('issues a set once, to the login application only, and tells the employee on every registered channel with a "this wasn\'t me" link', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    const codes = await firstSet(account);
    expect(codes).toHaveLength(10);
    expect((await verify(account, codes[0]).expect(200)).body.valid).toBe(true);
    const notices = await eventually(() => {
      const found = t.inbox().filter((m) => m.template === 'codes.issued' && [account.email, account.phone].includes(m.to));
      return found.length === 2 ? found : undefined;
    }, 'the enrolment notices');
    for (const notice of notices) expect(notice.links).toEqual([expect.stringMatching(/\/n\/rdn_/)]);
    notices.forEach((n) => t.secrets.add(n.links[0].split('/n/')[1]));
    await refusedEnrolment(account, service, 409, RECOVERY_TICKET); // once per account
  });

  it('still works for a new hire whose channels were set when the account was created', async () => {
    const account = await t.createAccount({ tier: 'privileged' });
    await firstSet(account);
  });
});

describe('refused paths to a code set', () => {
  it('after exposure (critical custodian): the attack ends at step 2, security alerted at step 1, the codes stay revoked', async () => {
    const [victim, other] = [await t.createAccount({ tier: 'critical' }), await t.createAccount({ tier: 'critical' })];
    const codes = await firstSet(victim);
    await firstSet(other);
    const system = await t
      .http()
      .post('/v1/critical-systems')
      .set(admin)
      .send({ name: `hsm-${Date.now()}`, custodianIds: [victim.id, other.id] })
      .expect(201);

    // 1. an agent token reports exposure: revoked at once, and security hears of a custodian's codes revoked
    const exposed = await expose(victim).expect(200);
    expect(exposed.body.ticketId).toEqual(expect.any(String)); // the subject's recovery is open
    await eventually(() => security('security.exposure_unusual', victim.id).some((m) => m.body.includes(system.body.name)), 'the custodian alert');
    // 2. the service token asks for a new set: refused, saying codes come through a recovery ticket
    await refusedEnrolment(victim, service, 409, RECOVERY_TICKET);
    // 3. never possible: the old codes stay revoked, no new set exists
    expect((await verify(victim, codes[1]).expect(200)).body).toEqual({ valid: false, remaining: null });
    expect(await activeSets(victim)).toBe(0);
  });

  it('after revocation by a completed ticket, and after the ticket (standard tier): only the ticket’s delivery link gets codes', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    const old = await firstSet(account);
    await t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`); // an empty queue
    const opened = await desk.open(agent, account);
    expect((await desk.claim(agent)).id).toBe(opened.id);
    await desk.passOtp(agent, opened.id, account);
    await desk.passDirectory(agent, opened.id, account);
    await desk.waitFor(opened.id, 'completed');
    const fresh = await desk.redeem(account); // ticket regeneration: codes reach the subject by one-time link only
    expect((await verify(account, fresh[0]).expect(200)).body.valid).toBe(true);
    expect((await verify(account, old[0]).expect(200)).body.valid).toBe(false);
    await refusedEnrolment(account, service, 409, RECOVERY_TICKET);
  });

  it('after a revoked set with none active (privileged tier)', async () => {
    const account = await t.createAccount({ tier: 'privileged' });
    await firstSet(account);
    await t.db.query(`UPDATE code_sets SET revoked_at = now(), revoked_by = 'test', revoke_reason = 'rotation' WHERE account_id = $1`, [account.id]);
    await refusedEnrolment(account, service, 409, RECOVERY_TICKET);
  });

  it('after a registered channel changed within the risk window (standard tier), with the reason', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    t.clock.advance(60_000);
    try {
      await t
        .http()
        .patch(`/v1/accounts/${account.id}`)
        .set(admin)
        .send({ email: `changed-${Date.now()}@example.com` })
        .expect(200);
      await refusedEnrolment(
        account,
        service,
        409,
        /registered e-mail or phone of this account changed on .* within the 14-day window: first codes come through a recovery ticket/,
      );
    } finally {
      t.clock.advance(-60_000);
    }
  });

  it('by an agent and by an admin (critical tier): the route is the login application’s', async () => {
    const account = await t.createAccount({ tier: 'critical' });
    await refusedEnrolment(account, agent, 403, /needs the role service/);
    await refusedEnrolment(account, admin, 403, /needs the role service/);
    await firstSet(account); // still the account's first set
  });

  it('by a service token without the enrol scope (standard tier)', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    await refusedEnrolment(account, verifier, 403, /does not carry the enrol scope/);
    await t.http().post(`/v1/accounts/${account.id}/code-sets/current/exposure`).set(verifier).send({ reason: 'x leak' }).expect(403);
  });

  it('from a client address outside the token’s networks (standard tier), alerting security', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    const before = await t.snapshot();
    const res = await enrol(account, fenced).set('X-Forwarded-For', '192.0.2.7').expect(403);
    expect(res.body.message).toMatch(/may not be used from this client address \(192\.0\.2\.7\)/);
    expect(await t.snapshot()).toEqual({ ...before, outbox: before.outbox + 1 }); // only the alert
    await eventually(() => security('security.service_token_unusual', '192.0.2.7').length === 1, 'the address alert');
    await enrol(account, fenced).set('X-Forwarded-For', '10.20.3.4').expect(201);
  });
});

describe('service tokens are watched', () => {
  it('alerts security when one is issued, on a new client address, and above the enrolment rate', async () => {
    const { staff } = await t.createStaff(['service'], { name: 'sso gateway' });
    await eventually(() => security('security.service_token_issued', 'sso gateway').length === 1, 'the issue alert');
    const res = await t.http().post(`/v1/staff/${staff.id}/tokens`).set(admin).send({ label: 'no scopes' }).expect(400);
    expect(res.body.message).toMatch(/scopes are required for a service member/);
    const issued = await t
      .http()
      .post(`/v1/staff/${staff.id}/tokens`)
      .set(admin)
      .send({ label: 'gw', scopes: ['enrol'], allowedCidrs: ['10.0.0.0/8'] })
      .expect(201);
    t.secrets.add(issued.body.token);
    expect(issued.body).toMatchObject({ scopes: ['enrol'], allowedCidrs: ['10.0.0.0/8'] });
    const gw = bearer(issued.body.token);
    // The three calls in one hourly window: a minute into the next hour by the service's clock.
    const offset = 3_600_000 - (t.clock.now().getTime() % 3_600_000) + 60_000;
    t.clock.advance(offset);
    try {
      for (const ip of ['10.0.0.1', '10.0.0.1', '10.0.0.2'])
        await enrol(await t.createAccount(), gw)
          .set('X-Forwarded-For', ip)
          .expect(201);
    } finally {
      t.clock.advance(-offset);
    }
    await eventually(() => security('security.service_token_unusual', '10.0.0.2').length === 1, 'the new-address alert');
    expect(security('security.service_token_unusual', '10.0.0.1')).toHaveLength(0); // its first address is learned
    // Its own alert: the login application's token went past the same test policy earlier in this file.
    await eventually(
      () => security('security.service_token_unusual', issued.body.id).filter((m) => m.body.includes('3 enrol calls')).length === 1,
      'the rate alert',
    );
  });
});

describe('exposure cannot be turned into denial of service', () => {
  it('limits one caller per hour with a clear 429, alerts security, and still lets an agent report', async () => {
    const rogue = bearer((await t.createStaff(['agent'])).token);
    const accounts = [];
    for (let i = 0; i < 5; i += 1) {
      const account = await t.createAccount({ tier: 'standard' });
      await firstSet(account);
      accounts.push(account);
    }
    for (const account of accounts.slice(0, 4)) await expose(account, rogue).expect(200);
    const refused = await expose(accounts[4], rogue).expect(429);
    expect(refused.body.message).toMatch(/reported 4 exposures this hour.*recovery ticket/);
    expect(refused.headers['retry-after']).toEqual(expect.any(String));
    expect(await activeSets(accounts[4])).toBe(1);
    await eventually(() => security('security.exposure_unusual', 'was refused').length >= 1, 'the refusal alert');
    await eventually(() => security('security.exposure_unusual', "accounts' codes revoked").length >= 1, 'the burst alert');
    await expose(accounts[4], agent).expect(200); // another agent still may
  });
});
