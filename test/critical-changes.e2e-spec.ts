import { Account } from '../src/accounts/account.entity';
import { AccountsService } from '../src/accounts/accounts.service';
import { CLI } from '../src/audit/audit-actor';
import { createTestApp, TestApp, unique } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { startProcess } from './helpers/process';
import { eventually } from './helpers/wait';

/**
 * Critical systems and SCIM connections under the multi-party rule (issues 15, 19 and 23): k, the window and the
 * custodians change only when a second admin approves, as does a new SCIM connection, whose secret only its
 * requester sees, once. And custodian codes belong to the custodian: codes enrolled after the custodian was added,
 * or too recently, do not count for an unlock. The file starts with one admin (bootstrap), then a second is added.
 */
let t: TestApp;
let desk: Desk;
let first: Auth;
let second: Auth;
let service: Auth;
let agent: Auth;

const DAY = 86_400_000;
type Request = { id: string; kind: string; state: string; before: Record<string, unknown>; after: Record<string, unknown> };
type System = { id: string; name: string; k: number; windowSeconds: number; custodianIds: string[]; pendingChangeRequestId: string | null };

beforeAll(async () => {
  t = await createTestApp(__filename, { VERIFY_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  first = bearer(t.adminToken);
  service = bearer((await t.createStaff(['service'])).token);
  agent = bearer((await t.createStaff(['agent'])).token);
});
afterAll(() => t?.close());

async function enrol(account: Account): Promise<string[]> {
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return res.body.codes;
}

/** An employee who has held their codes for `days` days (0: none yet). */
async function employee(days = 8, tier: Account['tier'] = 'critical'): Promise<{ account: Account; codes: string[] }> {
  return t.clock.shifted(-days * DAY, async () => {
    const account = await t.createAccount({ tier });
    return { account, codes: days > 0 ? await enrol(account) : [] };
  });
}

async function createSystem(custodians: Account[], extra: Record<string, unknown> = {}): Promise<System> {
  const body = { name: unique('hsm-'), custodianIds: custodians.map((c) => c.id), ...extra };
  return (await t.http().post('/v1/critical-systems').set(first).send(body).expect(201)).body;
}

const system = async (id: string): Promise<System> => (await t.http().get(`/v1/critical-systems/${id}`).set(first).expect(200)).body;
const patchSystem = (who: Auth, id: string, body: Record<string, unknown>) => t.http().patch(`/v1/critical-systems/${id}`).set(who).send(body);
const addCustodian = (who: Auth, id: string, accountId: string) => t.http().post(`/v1/critical-systems/${id}/custodians`).set(who).send({ accountId });
const removeCustodian = (who: Auth, id: string, accountId: string) => t.http().delete(`/v1/critical-systems/${id}/custodians/${accountId}`).set(who);
const review = (who: Auth, id: string, verdict: 'approve' | 'reject' = 'approve') =>
  t.http().post(`/v1/change-requests/${id}/${verdict}`).set(who).send({ reason: 'confirmed with the system owner' });
const openSession = async (systemId: string) =>
  (await t.http().post(`/v1/critical-systems/${systemId}/unlock-sessions`).set(service).expect(201)).body as { id: string };
const present = (sessionId: string, accountId: string, code: string) =>
  t.http().post(`/v1/unlock-sessions/${sessionId}/presentations`).set(service).send({ accountId, code });
const usedCodes = async (accountId: string) =>
  (await t.db.query(`SELECT count(*)::int AS n FROM backup_codes WHERE account_id = $1 AND used_at IS NOT NULL`, [accountId])).rows[0].n as number;
const toSecurity = (template: string, mentions: string) =>
  t.inbox().filter((m) => m.template === template && m.to === 'security@example.com' && m.body.includes(mentions));
const auditActions = async (target: string) =>
  ((await t.db.query('SELECT action FROM audit_events WHERE target_id = $1 ORDER BY seq', [target])).rows as { action: string }[]).map((r) => r.action);

describe('with one active admin (bootstrap)', () => {
  it('changes k, the window and the custodians at once, and security hears of each', async () => {
    const [a, b, c, d] = [await employee(), await employee(), await employee(), await employee()];
    const sys = await createSystem([a.account, b.account, c.account]);
    expect((await patchSystem(first, sys.id, { k: 3, windowSeconds: 600 })).status).toBe(200);
    expect((await addCustodian(first, sys.id, d.account.id)).status).toBe(201);
    expect((await removeCustodian(first, sys.id, d.account.id)).status).toBe(200);
    expect(await system(sys.id)).toMatchObject({
      k: 3,
      windowSeconds: 600,
      custodianIds: [a, b, c].map((e) => e.account.id).sort(),
      pendingChangeRequestId: null,
    });
    for (const kind of ['critical_system.update', 'critical_system.custodian_add', 'critical_system.custodian_remove']) {
      await eventually(() => toSecurity('security.change_without_second_admin', `${kind} on critical_system ${sys.id}`).length === 1, `the ${kind} alert`);
    }
    expect((await t.db.query('SELECT count(*)::int AS n FROM change_requests')).rows[0].n).toBe(0);
  });

  it('creates a SCIM connection at once, its secret in the answer, and security hears of it', async () => {
    const res = await t.http().post('/v1/scim-connections').set(first).send({ name: 'Okta at bootstrap' }).expect(201);
    t.secrets.add(res.body.secret);
    expect(res.body.connection).toMatchObject({ name: 'Okta at bootstrap', awaitingSecret: false });
    await t
      .http()
      .get('/scim/v2/Users?count=1')
      .set({ Authorization: `Bearer ${res.body.secret}` })
      .expect(200);
    await eventually(
      () => toSecurity('security.change_without_second_admin', 'scim_connection.create on scim_connection new:Okta at bootstrap').length === 1,
      'the alert',
    );
  });
});

describe('with two active admins', () => {
  beforeAll(async () => {
    second = bearer((await t.createStaff(['admin'])).token);
  });

  it('turns a change of k into a request that only another admin approves; it is then applied, audited as the requester’s', async () => {
    const [a, b, c] = [await employee(), await employee(), await employee()];
    const sys = await createSystem([a.account, b.account, c.account]);
    const res = await patchSystem(first, sys.id, { k: 3, changeReason: 'three signatures for the payment HSM' });
    expect(res.status).toBe(202);
    const request = res.body as Request;
    expect(request).toMatchObject({
      kind: 'critical_system.update',
      state: 'pending',
      before: { k: 2 },
      after: { k: 3 },
      reason: 'three signatures for the payment HSM',
    });
    expect(await system(sys.id)).toMatchObject({ k: 2, pendingChangeRequestId: request.id });
    await eventually(() => toSecurity('security.change_requested', request.id).length === 1, 'security told of the request');

    const own = await review(first, request.id);
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/nobody reviews their own change request/);
    expect((await review(second, request.id)).body).toMatchObject({ state: 'applied' });
    expect(await system(sys.id)).toMatchObject({ k: 3, pendingChangeRequestId: null });
    expect(await auditActions(sys.id)).toEqual(['critical_system.created', 'critical_system.updated']);
    expect(await auditActions(request.id)).toEqual(['change_request.created', 'change_request.approved']);
  });

  it('applies a new name, description or grant lifetime at once', async () => {
    const sys = await createSystem([(await employee()).account, (await employee()).account]);
    const res = await patchSystem(first, sys.id, { name: unique('renamed-'), grantTtlSeconds: 120 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ grantTtlSeconds: 120, k: 2 });
  });

  it('turns adding and removing a custodian into requests; an added custodian is stamped when the approval applies it', async () => {
    const [a, b, c] = [await employee(), await employee(), await employee()];
    const sys = await createSystem([a.account, b.account]);
    const add = await addCustodian(first, sys.id, c.account.id);
    expect(add.status).toBe(202);
    expect(add.body).toMatchObject({ kind: 'critical_system.custodian_add', after: { custodianIds: [a, b, c].map((e) => e.account.id).sort() } });
    expect((await system(sys.id)).custodianIds).not.toContain(c.account.id);
    t.clock.advance(60_000);
    try {
      expect((await review(second, add.body.id)).status).toBe(200);
    } finally {
      t.clock.advance(-60_000);
    }
    expect((await system(sys.id)).custodianIds).toContain(c.account.id);
    const stamps = (await t.db.query('SELECT account_id, added_at FROM critical_system_custodians WHERE system_id = $1', [sys.id])).rows as {
      account_id: string;
      added_at: Date;
    }[];
    const addedAt = (id: string) => stamps.find((s) => s.account_id === id)!.added_at.getTime();
    expect(addedAt(c.account.id) - addedAt(a.account.id)).toBeGreaterThanOrEqual(60_000);

    const remove = await removeCustodian(second, sys.id, a.account.id);
    expect(remove.status).toBe(202);
    expect((await review(first, remove.body.id)).status).toBe(200);
    expect((await system(sys.id)).custodianIds).toEqual([b, c].map((e) => e.account.id).sort());
  });

  it('allows one pending request per system: a second change waits until the first is decided', async () => {
    const [a, b, c] = [await employee(), await employee(), await employee()];
    const sys = await createSystem([a.account, b.account]);
    const pending = (await patchSystem(first, sys.id, { windowSeconds: 3600 })).body as Request;
    const blocked = await addCustodian(second, sys.id, c.account.id);
    expect(blocked.status).toBe(409);
    expect(blocked.body.details).toEqual({ changeRequestId: pending.id });
    expect((await review(second, pending.id, 'reject')).body).toMatchObject({ state: 'rejected' });
    expect((await addCustodian(second, sys.id, c.account.id)).status).toBe(202);
  });

  it('refuses, and does not apply, a request whose "before" changed underneath, or one adding an account deactivated since', async () => {
    const [a, b, c] = [await employee(), await employee(), await employee()];
    const sys = await createSystem([a.account, b.account, c.account]);
    const request = (await patchSystem(first, sys.id, { k: 3 })).body as Request;
    // Changed by another path meanwhile (here: at the database), as the request's "before" no longer says.
    await t.db.query('UPDATE critical_systems SET k = 3 WHERE id = $1', [sys.id]);
    await t.db.query('UPDATE critical_systems SET window_seconds = 60 WHERE id = $1', [sys.id]);
    const refused = await review(second, request.id);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/the system's k changed since the request was made/);
    expect((await t.http().get(`/v1/change-requests/${request.id}`).set(first)).body).toMatchObject({ state: 'refused' });
    expect(await auditActions(sys.id)).toEqual(['critical_system.created']);

    const d = await employee();
    const add = (await addCustodian(first, sys.id, d.account.id)).body as Request;
    await t.app.get(AccountsService).update(CLI, d.account.id, { status: 'deactivated' });
    const gone = await review(second, add.id);
    expect(gone.status).toBe(409);
    expect(gone.body.message).toMatch(/no longer active/);
    expect((await system(sys.id)).custodianIds).not.toContain(d.account.id);
  });

  it('gates a new SCIM connection: on approval it exists without a secret, which its requester alone fetches, once', async () => {
    const name = unique('Entra ');
    const asked = await t.http().post('/v1/scim-connections').set(first).send({ name, changeReason: 'HR moves to Entra' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ kind: 'scim_connection.create', targetId: `new:${name}`, after: { name } });
    expect((await t.http().post('/v1/scim-connections').set(second).send({ name })).status).toBe(409);
    expect((await review(second, asked.body.id)).body).toMatchObject({ state: 'applied' });

    const listed = ((await t.http().get('/v1/scim-connections').set(second).expect(200)).body as { id: string; name: string; awaitingSecret: boolean }[]).find(
      (c) => c.name === name,
    )!;
    expect(listed).toMatchObject({ awaitingSecret: true });
    const notYours = await t.http().post(`/v1/scim-connections/${listed.id}/secret`).set(second);
    expect(notYours.status).toBe(403);
    expect(notYours.body.message).toMatch(/only the admin who asked for this connection/);
    const fetched = await t.http().post(`/v1/scim-connections/${listed.id}/secret`).set(first).expect(200);
    const secret: string = fetched.body.secret;
    t.secrets.add(secret);
    expect(fetched.body).toMatchObject({ connection: { id: listed.id, awaitingSecret: false }, baseUrl: 'http://desk.test/scim/v2' });
    await t
      .http()
      .get('/scim/v2/Users?count=1')
      .set({ Authorization: `Bearer ${secret}` })
      .expect(200);
    expect((await t.http().post(`/v1/scim-connections/${listed.id}/secret`).set(first)).status).toBe(410);

    // The secret is in that one answer only: not in the request, its review or the audit trail.
    const stored = await t.db.query(`SELECT before::text || after::text AS v FROM change_requests UNION ALL SELECT payload::text FROM audit_events`);
    expect(stored.rows.some((r: { v: string }) => r.v.includes(secret))).toBe(false);
    expect(await auditActions(listed.id)).toEqual(['scim_connection.created', 'scim_connection.secret_issued', 'scim.request']);
  });

  it('refuses scim:connection-create at the command line in one line that points to the console and the API', async () => {
    const run = startProcess('dist/src/cli.js', ['scim:connection-create', '--name', 'Okta behind the admins’ backs'], t.env);
    expect(await run.exited).toBe(1);
    const out = run.output().trim();
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(
      /^Refused: scim:connection-create works only while fewer than two active admins exist \(\d+ do\): create the connection in the console \(Directory\) or with POST \/v1\/scim-connections/,
    );
    expect((await t.db.query(`SELECT count(*)::int AS n FROM scim_connections WHERE name LIKE 'Okta behind%'`)).rows[0].n).toBe(0);
  });
});

describe('custodian codes belong to the custodian', () => {
  it('refuses codes enrolled after the custodian was added (code untouched, security told), even once they are old', async () => {
    const [a, b] = [await employee(), await employee(0)];
    const sys = await createSystem([a.account, b.account]);
    // One service token could enrol first codes for every custodian and present them all: one person, k signatures.
    const fresh = await enrol(b.account);
    const session = await openSession(sys.id);
    expect((await present(session.id, a.account.id, a.codes[0])).status).toBe(200);
    const refused = await present(session.id, b.account.id, fresh[0]);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'custodian_codes_rule', message: expect.stringMatching(/issued on .*, after they were added to this system/) });
    expect(await usedCodes(b.account.id)).toBe(0);
    expect((await t.db.query('SELECT count(*)::int AS n FROM code_guards WHERE account_id = $1', [b.account.id])).rows[0].n).toBe(0);
    expect((await t.http().get(`/v1/unlock-sessions/${session.id}`).set(service).expect(200)).body).toMatchObject({
      state: 'open',
      presented: [{ accountId: a.account.id }],
    });
    await eventually(() => toSecurity('security.custodian_codes_refused', b.account.id).length === 1, 'the security alert');

    await t.clock.shifted(30 * DAY, async () => {
      const later = await openSession(sys.id);
      expect((await present(later.id, b.account.id, fresh[1])).body.code).toBe('custodian_codes_rule');
    });
  });

  it('refuses codes held before but younger than 7 days; once 7 days old they unlock, and security hears of the grant', async () => {
    const [a, c] = [await employee(), await employee(2)];
    const sys = await createSystem([a.account, c.account]);
    const session = await openSession(sys.id);
    const young = await present(session.id, c.account.id, c.codes[0]);
    expect(young.status).toBe(403);
    expect(young.body).toMatchObject({ code: 'custodian_codes_rule', message: expect.stringMatching(/less than 7 days ago/) });

    await t.clock.shifted(5 * DAY + 60_000, async () => {
      const later = await openSession(sys.id);
      await present(later.id, a.account.id, a.codes[0]).expect(200);
      const unlocked = await present(later.id, c.account.id, c.codes[0]).expect(200);
      expect(unlocked.body).toMatchObject({ state: 'unlocked', grant: expect.any(String) });
      t.secrets.add(unlocked.body.grant);
      await eventually(() => toSecurity('security.unlock_granted', unlocked.body.grantId).length === 1, 'the grant alert');
      expect(toSecurity('security.unlock_granted', unlocked.body.grantId)[0].body).toContain(sys.name);
    });
  });

  it('counts codes issued through a completed recovery ticket at once', async () => {
    const [a, s] = [await employee(), await employee(0, 'standard')];
    const sys = await createSystem([a.account, s.account]);
    const enrolled = await enrol(s.account);
    const ticket = await desk.open(agent, s.account);
    await desk.claim(agent);
    await desk.passOtp(agent, ticket.id, s.account);
    await desk.passDirectory(agent, ticket.id, s.account);
    await desk.waitFor(ticket.id, 'completed');
    const reissued = await desk.redeem(s.account);
    expect(reissued).not.toEqual(enrolled);

    const session = await openSession(sys.id);
    await present(session.id, a.account.id, a.codes[0]).expect(200);
    expect((await present(session.id, s.account.id, reissued[0]).expect(200)).body).toMatchObject({ state: 'unlocked' });
  });
});
