import { createPublicKey, verify } from 'node:crypto';
import { Account } from '../src/accounts/account.entity';
import { SweepProcessor } from '../src/sweep/sweep.processor';
import { createTestApp, TestApp } from './helpers/app';
import { Auth, bearer } from './helpers/desk';
import { eventually } from './helpers/wait';

let t: TestApp;
let service: Auth;
let admin: Auth;
let auditor: Auth;

beforeAll(async () => {
  t = await createTestApp(__filename, { VERIFY_RATE_LIMIT: '1000' });
  service = bearer((await t.createStaff(['service'])).token);
  admin = bearer(t.adminToken);
  auditor = bearer((await t.createStaff(['auditor'])).token);
});
afterAll(() => t?.close());

interface Custodian {
  account: Account;
  codes: string[];
}

const DAY = 86_400_000;

/** An employee who has held their codes for 8 days before being made a custodian (the rule wants 7). */
function custodian(): Promise<Custodian> {
  return t.clock.shifted(-8 * DAY, async () => {
    const account = await t.createAccount({ tier: 'critical' });
    const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
    res.body.codes.forEach((c: string) => t.secrets.add(c));
    return { account, codes: res.body.codes };
  });
}

async function system(custodians: Custodian[], extra: Record<string, unknown> = {}) {
  const res = await t
    .http()
    .post('/v1/critical-systems')
    .set(admin)
    .send({ name: `hsm-${Math.random().toString(36).slice(2)}`, custodianIds: custodians.map((c) => c.account.id), ...extra })
    .expect(201);
  return res.body as { id: string; k: number; windowSeconds: number; grantTtlSeconds: number };
}

const openSession = async (systemId: string) =>
  (await t.http().post(`/v1/critical-systems/${systemId}/unlock-sessions`).set(service).expect(201)).body as {
    id: string;
    state: string;
    expiresAt: string;
    presented: unknown[];
  };
const present = (sessionId: string, accountId: string, code: string) =>
  t.http().post(`/v1/unlock-sessions/${sessionId}/presentations`).set(service).send({ accountId, code });
const usedCodes = async (accountId: string) =>
  (await t.db.query(`SELECT count(*)::int AS n FROM backup_codes WHERE account_id = $1 AND used_at IS NOT NULL`, [accountId])).rows[0].n as number;
const sessionRow = async (id: string) => (await t.http().get(`/v1/unlock-sessions/${id}`).set(auditor).expect(200)).body;

describe('critical systems', () => {
  it('defaults to k=2, a 300 s window and a 15 min grant; refuses fewer custodians than k', async () => {
    const [a, b] = [await custodian(), await custodian()];
    expect(await system([a, b])).toMatchObject({ k: 2, windowSeconds: 300, grantTtlSeconds: 900 });
    const res = await t
      .http()
      .post('/v1/critical-systems')
      .set(admin)
      .send({ name: 'too-few', custodianIds: [a.account.id, b.account.id], k: 3 })
      .expect(400);
    expect(res.body.message).toMatch(/at least k \(3\)/);
    await t
      .http()
      .post('/v1/critical-systems')
      .set(admin)
      .send({ name: 'k-one', custodianIds: [a.account.id, b.account.id], k: 1 })
      .expect(400);
  });

  it('refuses removing a custodian below k, and audits every change', async () => {
    const [a, b, c] = [await custodian(), await custodian(), await custodian()];
    const sys = await system([a, b, c]);
    await t.http().delete(`/v1/critical-systems/${sys.id}/custodians/${c.account.id}`).set(admin).expect(200);
    const res = await t.http().delete(`/v1/critical-systems/${sys.id}/custodians/${b.account.id}`).set(admin).expect(409);
    expect(res.body.message).toMatch(/fewer than k \(2\)/);
    const audit = await t.http().get(`/v1/audit?target=${sys.id}`).set(auditor).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['critical_system.custodian_removed', 'critical_system.created']);
    await t
      .http()
      .post('/v1/critical-systems')
      .set(service)
      .send({ name: 'x', custodianIds: [a.account.id, b.account.id] })
      .expect(403);
  });
});

describe('unlocking', () => {
  it('k=2: two distinct custodians unlock it; the grant verifies offline and introspects active, then expired', async () => {
    const [a, b] = [await custodian(), await custodian()];
    const sys = await system([a, b]);
    const session = await openSession(sys.id);
    expect(session).toMatchObject({ state: 'open', presented: [] });
    await eventually(
      () => t.inbox().filter((m) => m.template === 'unlock.opened' && [a.account.email, b.account.email].includes(m.to)).length === 2,
      'both custodians told',
    );

    const first = await present(session.id, a.account.id, a.codes[0]).expect(200);
    expect(first.body).toMatchObject({ state: 'open', presented: [expect.objectContaining({ accountId: a.account.id })] });
    expect(first.body.grant).toBeUndefined();
    const second = await present(session.id, b.account.id, b.codes[0]).expect(200);
    expect(second.body.state).toBe('unlocked');
    const grant: string = second.body.grant;
    t.secrets.add(grant);

    // offline: the public key verifies the EdDSA signature
    const key = (await t.http().get('/v1/grants/public-key').expect(200)).body;
    const [header, payload, signature] = grant.split('.');
    expect(verify(null, Buffer.from(`${header}.${payload}`), createPublicKey(key.publicKeyPem), Buffer.from(signature, 'base64url'))).toBe(true);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({ sub: sys.id, sid: session.id, custodians: [a.account.id, b.account.id].sort() });

    const active = await t.http().post('/v1/grants/introspect').set(service).send({ grant }).expect(200);
    expect(active.body).toMatchObject({ active: true, systemId: sys.id, sessionId: session.id, custodianIds: [a.account.id, b.account.id].sort() });
    await eventually(() => t.inbox().filter((m) => m.template === 'unlock.unlocked').length >= 2, 'custodians told of the unlock');

    t.clock.advance(15 * 60_000 + 1_000);
    try {
      expect((await t.http().post('/v1/grants/introspect').set(service).send({ grant }).expect(200)).body).toEqual({ active: false });
    } finally {
      t.clock.reset();
    }
  });

  it('k=3 needs three distinct custodians', async () => {
    const cs = [await custodian(), await custodian(), await custodian(), await custodian()];
    const sys = await system(cs, { k: 3 });
    const session = await openSession(sys.id);
    expect((await present(session.id, cs[0].account.id, cs[0].codes[0]).expect(200)).body.state).toBe('open');
    expect((await present(session.id, cs[1].account.id, cs[1].codes[0]).expect(200)).body.state).toBe('open');
    const third = await present(session.id, cs[3].account.id, cs[3].codes[0]).expect(200);
    expect(third.body).toMatchObject({ state: 'unlocked', grant: expect.any(String) });
    expect(third.body.presented).toHaveLength(3);
  });

  it('an admin revokes a grant early', async () => {
    const [a, b] = [await custodian(), await custodian()];
    const session = await openSession((await system([a, b])).id);
    await present(session.id, a.account.id, a.codes[0]).expect(200);
    const { body } = await present(session.id, b.account.id, b.codes[0]).expect(200);
    t.secrets.add(body.grant);
    await t.http().delete(`/v1/grants/${body.grantId}`).set(admin).expect(200);
    expect((await t.http().post('/v1/grants/introspect').set(service).send({ grant: body.grant }).expect(200)).body).toEqual({ active: false });
    expect(
      (
        await t
          .http()
          .post('/v1/grants/introspect')
          .set(service)
          .send({ grant: body.grant.slice(0, -2) + 'AA' })
          .expect(200)
      ).body,
    ).toEqual({ active: false });
  });
});

/**
 * Refusals decided from the session and the custodian list (expired, unlocked,
 * not a custodian, same custodian twice) are checked BEFORE the code is tried:
 * the code stays untouched and nothing counts toward lockout. Refusals of the
 * code itself (another account's, used, revoked) count as a failed verification;
 * a valid code is only ever consumed by a presentation that is recorded.
 */
describe('refusals: the session does not advance', () => {
  let a: Custodian;
  let b: Custodian;
  let outsider: Custodian;
  let systemId: string;
  beforeEach(async () => {
    [a, b, outsider] = [await custodian(), await custodian(), await custodian()];
    systemId = (await system([a, b])).id;
  });

  async function expectRefused(status: number, sessionId: string, accountId: string, code: string, message: RegExp) {
    const before = await sessionRow(sessionId);
    const res = await present(sessionId, accountId, code).expect(status);
    expect(res.body.message).toMatch(message);
    expect(await sessionRow(sessionId)).toEqual(before);
    const audit = await t.db.query(`SELECT payload FROM audit_events WHERE action = 'unlock.refused' AND target_id = $1 ORDER BY seq DESC LIMIT 1`, [
      sessionId,
    ]);
    expect(audit.rows[0].payload.accountId).toBe(accountId);
  }

  it('the same custodian twice (second code untouched)', async () => {
    const session = await openSession(systemId);
    await present(session.id, a.account.id, a.codes[0]).expect(200);
    await expectRefused(409, session.id, a.account.id, a.codes[1], /already presented/);
    expect(await usedCodes(a.account.id)).toBe(1);
  });

  it('a non-custodian (code untouched, not counted)', async () => {
    const session = await openSession(systemId);
    await expectRefused(403, session.id, outsider.account.id, outsider.codes[0], /not a custodian/);
    expect(await usedCodes(outsider.account.id)).toBe(0);
    expect((await t.db.query(`SELECT failures FROM code_guards WHERE account_id = $1`, [outsider.account.id])).rows).toEqual([]);
  });

  it('a code of another account (counted toward the presenter’s lockout; the other’s code untouched)', async () => {
    const session = await openSession(systemId);
    await expectRefused(422, session.id, a.account.id, b.codes[0], /not accepted/);
    expect(await usedCodes(b.account.id)).toBe(0);
    expect((await t.db.query(`SELECT failures FROM code_guards WHERE account_id = $1`, [a.account.id])).rows).toEqual([{ failures: 1 }]);
  });

  it('a used code, and a revoked one', async () => {
    await t.http().post(`/v1/accounts/${a.account.id}/codes/verify`).set(service).send({ code: a.codes[0] }).expect(200);
    const session = await openSession(systemId);
    await expectRefused(422, session.id, a.account.id, a.codes[0], /not accepted/);
    await t.http().post(`/v1/accounts/${b.account.id}/code-sets/current/exposure`).set(service).send({ reason: 'photo of the printout shared' }).expect(200);
    await expectRefused(422, session.id, b.account.id, b.codes[0], /not accepted/);
  });

  it('a locked account (423, not hashed against)', async () => {
    for (let i = 0; i < 5; i += 1) await t.http().post(`/v1/accounts/${a.account.id}/codes/verify`).set(service).send({ code: 'AAAA-AAAA-AAAA' });
    const session = await openSession(systemId);
    await expectRefused(423, session.id, a.account.id, a.codes[3], /locked/);
    expect(await usedCodes(a.account.id)).toBe(0);
  });

  it('an expired window, even before the sweep runs (code untouched); the sweep then expires idle sessions', async () => {
    const session = await openSession(systemId);
    const idle = await openSession(systemId);
    t.clock.advance(301_000);
    try {
      const res = await present(session.id, a.account.id, a.codes[0]).expect(410);
      expect(res.body.message).toMatch(/window has closed/);
      expect((await sessionRow(session.id)).state).toBe('expired');
      expect(await usedCodes(a.account.id)).toBe(0);
      expect((await t.app.get(SweepProcessor).process()).unlockSessionsExpired).toBeGreaterThanOrEqual(1);
      expect((await sessionRow(idle.id)).state).toBe('expired');
    } finally {
      t.clock.reset();
    }
  });

  it('an already unlocked session (code untouched)', async () => {
    const c = await custodian();
    await t.http().post(`/v1/critical-systems/${systemId}/custodians`).set(admin).send({ accountId: c.account.id }).expect(201);
    const session = await openSession(systemId);
    await present(session.id, a.account.id, a.codes[0]).expect(200);
    const unlocked = await present(session.id, b.account.id, b.codes[0]).expect(200);
    t.secrets.add(unlocked.body.grant);
    await expectRefused(409, session.id, c.account.id, c.codes[0], /already unlocked/);
    expect(await usedCodes(c.account.id)).toBe(0);
  });
});

describe('concurrency', () => {
  it('30 concurrent presentations across 3 custodians of a k=2 session: one unlock, one grant, two codes used', async () => {
    const cs = [await custodian(), await custodian(), await custodian()];
    const session = await openSession((await system(cs)).id);
    const attempts = cs.flatMap((c) => c.codes.map((code) => ({ accountId: c.account.id, code })));
    const responses = await Promise.all(attempts.map((p) => present(session.id, p.accountId, p.code)));
    const unlockedBy = responses.filter((r) => r.status === 200 && r.body.grant);
    expect(unlockedBy).toHaveLength(1);
    t.secrets.add(unlockedBy[0].body.grant);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(2);
    expect(responses.every((r) => [200, 409].includes(r.status))).toBe(true);
    const grants = await t.db.query(`SELECT count(*)::int AS n FROM unlock_grants WHERE session_id = $1`, [session.id]);
    expect(grants.rows[0].n).toBe(1);
    let used = 0;
    for (const c of cs) used += await usedCodes(c.account.id);
    expect(used).toBe(2);
  });

  it('one code presented at once in two sessions succeeds in at most one', async () => {
    const [a, b] = [await custodian(), await custodian()];
    const first = await openSession((await system([a, b])).id);
    const second = await openSession((await system([a, b])).id);
    const responses = await Promise.all([present(first.id, a.account.id, a.codes[0]), present(second.id, a.account.id, a.codes[0])]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(await usedCodes(a.account.id)).toBe(1);
  });
});
