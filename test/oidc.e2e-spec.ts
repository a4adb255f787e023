import { Account } from '../src/accounts/account.entity';
import { createTestApp, TestApp, unique } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { Browserless, freePort, TestProvider } from './helpers/oidc';
import { startProcess } from './helpers/process';
import { eventually } from './helpers/wait';

let t: TestApp;
let provider: TestProvider;
let base: string;
let desk: Desk;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await TestProvider.start(base);
  t = await createTestApp(__filename, provider.appEnv(base, { STEP_UP_AMR: 'hwk', SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '8' }));
  await t.app.listen(port, '127.0.0.1');
  desk = new Desk(t);
});

afterAll(async () => {
  await t?.close();
  await provider?.stop();
});

/** A staff member the admin created, linked to their employee account (whose e-mail the provider verifies). */
async function staffMember(roles: ('agent' | 'approver' | 'admin')[], overrides: { active?: boolean } = {}) {
  const account = await t.createAccount();
  const { staff } = await t.createStaff(roles, { accountId: account.id });
  if (overrides.active === false) await t.db.query(`UPDATE staff SET active = false WHERE id = $1`, [staff.id]);
  return { staff, account };
}

async function personAtProvider(account: Account, groups: string[], extra: Record<string, unknown> = {}) {
  const sub = unique('sub-');
  await provider.users({ [sub]: { email: account.email, email_verified: true, name: account.displayName, groups, ...extra } });
  return sub;
}

const withSession = (cookie: string) => ({ cookie, origin: base });

/** A fresh browser signs in; its session cookie joins the secrets the log must never contain. */
async function signInAs(login: string, options: Parameters<Browserless['signIn']>[1] = {}, browser = new Browserless(base)) {
  const outcome = await browser.signIn(login, options);
  if (outcome.cookie) t.secrets.add(outcome.cookie.slice('rd_session='.length));
  return outcome;
}

async function csrfOf(cookie: string): Promise<string> {
  const res = await t.http().get('/v1/auth/session').set(withSession(cookie)).expect(200);
  return res.body.csrfToken as string;
}

describe('sign-in through the OpenID provider', () => {
  it('signs an agent in, links them once by verified e-mail (audited), maps roles from groups, opens a session cookie', async () => {
    const { staff, account } = await staffMember(['agent']);
    const sub = await personAtProvider(account, ['helpdesk-agents', 'unrelated-group']);
    const outcome = await signInAs(sub, { returnTo: '/queue' });
    expect(outcome).toMatchObject({ status: 302, location: '/queue' });
    const me = await t.http().get('/v1/auth/session').set(withSession(outcome.cookie!)).expect(200);
    expect(me.body).toMatchObject({ me: { id: staff.id, roles: ['agent'] }, method: 'oidc', amr: ['pwd'] });
    const linked = await t.db.query(`SELECT oidc_issuer, oidc_subject FROM staff WHERE id = $1`, [staff.id]);
    expect(linked.rows).toEqual([{ oidc_issuer: provider.issuer, oidc_subject: sub }]);
    const audit = await t.db.query(`SELECT action FROM audit_events WHERE target_id = $1 AND action LIKE 'staff.%' ORDER BY seq`, [staff.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['staff.created', 'staff.token_issued', 'staff.identity_linked', 'staff.signed_in']);
    // Only the hash of the session id is stored.
    const stored = await t.db.query(`SELECT session_hash FROM staff_sessions WHERE staff_id = $1`, [staff.id]);
    expect(JSON.stringify(stored.rows)).not.toContain(outcome.cookie!.split('=')[1]);
  });

  it('matches later sign-ins by issuer and sub, and roles follow the groups at each sign-in', async () => {
    const { staff, account } = await staffMember(['agent']);
    const sub = await personAtProvider(account, ['helpdesk-agents']);
    expect((await signInAs(sub)).status).toBe(302);
    // The e-mail changes at the provider; the person is still found by sub. Their groups changed too.
    await provider.users({ [sub]: { email: 'someone-else@example.com', groups: ['helpdesk-approvers'] } });
    const again = await signInAs(sub);
    expect(again.status).toBe(302);
    const me = await t.http().get('/v1/me').set(withSession(again.cookie!)).expect(200);
    expect(me.body).toMatchObject({ id: staff.id, roles: ['approver'] });
    const synced = await t.db.query(`SELECT payload FROM audit_events WHERE target_id = $1 AND action = 'staff.roles_synced'`, [staff.id]);
    expect(synced.rows).toEqual([{ payload: { before: ['agent'], after: ['approver'], from: 'identity provider groups' } }]);
  });

  it('refuses groups that would give roles the staff rules forbid together (agent and auditor), and keeps the roles as they were', async () => {
    const { staff, account } = await staffMember(['agent']);
    const sub = await personAtProvider(account, ['helpdesk-agents', 'security-auditors']);
    const outcome = await signInAs(sub);
    expect(outcome).toMatchObject({ status: 403, cookie: null });
    expect(outcome.body).toContain('drill-readers-do-not-work-tickets');
    expect((await t.db.query(`SELECT roles FROM staff WHERE id = $1`, [staff.id])).rows).toEqual([{ roles: ['agent'] }]);
  });

  it('refuses a person unknown to the desk with a page that says why', async () => {
    const account = await t.createAccount(); // an employee, but no staff member
    const sub = await personAtProvider(account, ['helpdesk-agents']);
    const outcome = await signInAs(sub);
    expect(outcome).toMatchObject({ status: 403, cookie: null });
    expect(outcome.body).toContain('you are not a staff member of the recovery desk');
  });

  it('refuses an unverified e-mail for the first link', async () => {
    const { account } = await staffMember(['agent']);
    const sub = await personAtProvider(account, ['helpdesk-agents'], { email_verified: false });
    const outcome = await signInAs(sub);
    expect(outcome.status).toBe(403);
    expect(outcome.body).toContain('not a staff member');
  });

  it('refuses a deactivated staff member (audited, not linked)', async () => {
    const { staff, account } = await staffMember(['agent'], { active: false });
    const sub = await personAtProvider(account, ['helpdesk-agents']);
    const outcome = await signInAs(sub);
    expect(outcome.status).toBe(403);
    expect(outcome.body).toContain('deactivated');
    const audit = await t.db.query(`SELECT actor_kind, payload FROM audit_events WHERE target_id = $1 AND action = 'staff.sign_in_refused'`, [staff.id]);
    expect(audit.rows).toEqual([
      {
        actor_kind: 'system',
        payload: { issuer: provider.issuer, subject: sub, reason: 'your staff account on the recovery desk is deactivated; ask a desk admin' },
      },
    ]);
    expect((await t.db.query(`SELECT oidc_subject FROM staff WHERE id = $1`, [staff.id])).rows).toEqual([{ oidc_subject: null }]);
  });

  it('refuses a member none of whose groups maps to a role', async () => {
    const { account } = await staffMember(['agent']);
    const outcome = await signInAs(await personAtProvider(account, ['finance']));
    expect(outcome.status).toBe(403);
    expect(outcome.body).toContain('none of your directory groups gives a role');
  });

  it('deactivating a signed-in member ends their session at once', async () => {
    const { staff, account } = await staffMember(['agent']);
    const { cookie } = await signInAs(await personAtProvider(account, ['helpdesk-agents']));
    await t.http().get('/v1/me').set(withSession(cookie!)).expect(200);
    await t.http().patch(`/v1/staff/${staff.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
    const res = await t.http().get('/v1/me').set(withSession(cookie!)).expect(401);
    expect(res.body.message).toBe('your staff account is deactivated');
  });
});

describe('sessions', () => {
  let cookie: string;
  beforeEach(async () => {
    t.clock.reset();
    const { account } = await staffMember(['agent']);
    cookie = (await signInAs(await personAtProvider(account, ['helpdesk-agents']))).cookie!;
  });
  afterAll(() => t.clock.reset());

  it('signs out on the server, and names the provider logout page (RP-initiated logout)', async () => {
    const res = await t
      .http()
      .post('/v1/auth/sign-out')
      .set({ ...withSession(cookie), 'x-csrf-token': await csrfOf(cookie) })
      .expect(200);
    expect(res.body.logoutUrl).toMatch(new RegExp(`^${provider.issuer}/session/end\\?client_id=recovery-desk`));
    expect(res.headers['set-cookie']?.[0]).toMatch(/^rd_session=;/);
    await t.http().get('/v1/me').set(withSession(cookie)).expect(401);
  });

  it('ends after SESSION_IDLE_MINUTES without a request', async () => {
    t.clock.advance(29 * 60_000);
    await t.http().get('/v1/me').set(withSession(cookie)).expect(200);
    t.clock.advance(29 * 60_000); // 58 minutes old, but used 29 minutes ago
    await t.http().get('/v1/me').set(withSession(cookie)).expect(200);
    t.clock.advance(31 * 60_000);
    const res = await t.http().get('/v1/me').set(withSession(cookie)).expect(401);
    expect(res.body.message).toMatch(/session has ended/);
  });

  it('ends after SESSION_MAX_HOURS however busy', async () => {
    for (let minutes = 0; minutes < 8 * 60 - 20; minutes += 20) {
      t.clock.advance(20 * 60_000);
      await t.http().get('/v1/me').set(withSession(cookie)).expect(200);
    }
    t.clock.advance(25 * 60_000);
    await t.http().get('/v1/me').set(withSession(cookie)).expect(401);
  });

  it('refuses a state-changing request without the Origin or the CSRF token, and writes nothing', async () => {
    const before = await t.snapshot();
    const account = await t.createAccount();
    const after = await t.snapshot();
    const body = { accountId: account.id, channel: 'phone', reason: 'lost_device' };
    const csrf = await csrfOf(cookie);
    const noOrigin = await t.http().post('/v1/tickets').set({ cookie, 'x-csrf-token': csrf }).send(body).expect(403);
    expect(noOrigin.body.message).toMatch(/cross-site request refused.*Origin/);
    await t.http().post('/v1/tickets').set({ cookie, origin: 'https://evil.example', 'x-csrf-token': csrf }).send(body).expect(403);
    const noToken = await t.http().post('/v1/tickets').set(withSession(cookie)).send(body).expect(403);
    expect(noToken.body.message).toMatch(/X-CSRF-Token/);
    await t
      .http()
      .post('/v1/tickets')
      .set({ ...withSession(cookie), 'x-csrf-token': csrf.replace(/.$/, (c) => (c === '0' ? '1' : '0')) })
      .send(body)
      .expect(403);
    expect(await t.snapshot()).toEqual({ ...after });
    expect(after.accounts).toBe(before.accounts + 1);
    await t
      .http()
      .post('/v1/tickets')
      .set({ ...withSession(cookie), 'x-csrf-token': csrf })
      .send(body)
      .expect(201);
  });
});

describe('sessions across API processes', () => {
  it('a session opened through one API process is honoured, and ended, by another', async () => {
    const port = await freePort();
    const other = `http://127.0.0.1:${port}`;
    const second = startProcess('dist/src/main.js', ['--role', 'api'], { ...t.env, PORT: String(port), LOG_FILE: `${t.env.LOG_FILE}.second-api` });
    try {
      await eventually(async () => (await fetch(`${other}/v1/auth/options`).catch(() => undefined))?.status === 200, 'the second API process', 60_000);
      const { staff, account } = await staffMember(['agent']);
      const { cookie } = await signInAs(await personAtProvider(account, ['helpdesk-agents']));
      const me = await fetch(`${other}/v1/me`, { headers: { cookie: cookie! } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { id: string }).id).toBe(staff.id);
      const out = await fetch(`${other}/v1/auth/sign-out`, {
        method: 'POST',
        headers: { cookie: cookie!, origin: base, 'x-csrf-token': await csrfOf(cookie!) },
      });
      expect(out.status).toBe(200);
      await t.http().get('/v1/me').set(withSession(cookie!)).expect(401);
    } finally {
      await second.stop();
    }
  });
});

describe('ID-token and response refusals (the provider answers; the desk must not believe it)', () => {
  let sub: string;
  beforeAll(async () => {
    const { account } = await staffMember(['agent']);
    sub = await personAtProvider(account, ['helpdesk-agents']);
  });

  const refusedWith = async (pattern: RegExp) => {
    const outcome = await signInAs(sub);
    expect({ status: outcome.status, cookie: outcome.cookie }).toEqual({ status: 401, cookie: null });
    expect(outcome.body).toMatch(pattern);
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses a wrong iss', async () => {
    await provider.tamperNextIdToken({ claims: { iss: 'https://evil.example' } });
    await refusedWith(/unexpected iss value/);
  });

  it('refuses a wrong aud', async () => {
    await provider.tamperNextIdToken({ claims: { aud: 'another-client' } });
    await refusedWith(/aud mismatch, expected recovery-desk, got: another-client/);
  });

  it('refuses an expired ID token', async () => {
    await provider.tamperNextIdToken({ claims: { iat: now() - 7200, exp: now() - 3600 } });
    await refusedWith(/JWT expired/);
  });

  it('refuses an ID token that is not yet valid', async () => {
    await provider.tamperNextIdToken({ claims: { nbf: now() + 3600 } });
    await refusedWith(/JWT not active yet/);
  });

  it('refuses a bad signature', async () => {
    await provider.tamperNextIdToken({ foreignKey: true });
    await refusedWith(/failed to validate JWT signature/);
  });

  it('refuses alg none', async () => {
    await provider.tamperNextIdToken({ alg: 'none' });
    await refusedWith(/unexpected JWT alg received, expected RS256, got: none/);
  });

  it('refuses a replayed ID token (its nonce belongs to an earlier sign-in)', async () => {
    expect((await signInAs(sub)).status).toBe(302);
    await provider.tamperNextIdToken({ replaceWith: await provider.lastIdToken() });
    await refusedWith(/nonce mismatch/);
  });

  it('refuses a mismatched state, and a callback replayed after use', async () => {
    const browser = new Browserless(base);
    const outcome = await browser.signIn(sub, { alterCallback: (url) => url.searchParams.set('state', 'forged-state') });
    expect(outcome).toMatchObject({ status: 401, cookie: null });
    expect(outcome.body).toContain('state mismatch');
    // The same browser's next sign-in works; a replay of its callback does not.
    let callback = '';
    expect((await signInAs(sub, { alterCallback: (url) => void (callback = url.toString()) }, browser)).status).toBe(302);
    const replay = await fetch(callback, { redirect: 'manual', headers: { cookie: browser.jar.header(callback) } });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('already used');
  });

  it('keeps signing people in across a provider key rotation (unknown kid: JWKS refetched)', async () => {
    expect((await signInAs(sub)).status).toBe(302);
    const { kids } = await provider.rotateKeys();
    expect(kids).toHaveLength(2);
    const outcome = await signInAs(sub);
    expect(outcome.status).toBe(302);
    const [, header] = [null, JSON.parse(Buffer.from((await provider.lastIdToken()).split('.')[0], 'base64url').toString())];
    expect(header.kid).toBe(kids[0]);
  });
});

describe('step-up for approvals', () => {
  let agentCookie: string;
  let approver: { staffId: string; sub: string };
  let service: Auth;

  beforeAll(async () => {
    const agent = await staffMember(['agent']);
    agentCookie = (await signInAs(await personAtProvider(agent.account, ['helpdesk-agents']))).cookie!;
    const a = await staffMember(['approver']);
    approver = { staffId: a.staff.id, sub: await personAtProvider(a.account, ['helpdesk-approvers'], { amr: ['pwd'] }) };
    service = bearer((await t.createStaff(['service'])).token);
  });
  beforeEach(() => t.clock.reset());

  async function awaitingApproval(): Promise<string> {
    const agent = { ...withSession(agentCookie), 'x-csrf-token': await csrfOf(agentCookie) };
    const manager = await t.createAccount();
    const account = await t.createAccount({ tier: 'privileged', managerId: manager.id });
    (await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201)).body.codes.forEach((c: string) => t.secrets.add(c));
    const opened = await desk.open(agent, account);
    await t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing') AND id <> $1`, [opened.id]);
    await desk.claim(agent);
    await desk.passPrivilegedSteps(agent, opened.id, account, manager);
    expect(await desk.state(opened.id)).toBe('awaiting_approval');
    return opened.id;
  }

  const approveWith = async (cookie: string, ticketId: string) =>
    t
      .http()
      .post(`/v1/tickets/${ticketId}/approve`)
      .set({ ...withSession(cookie), 'x-csrf-token': await csrfOf(cookie) })
      .send({ reason: 'proofing record complete' });

  it('refuses an approval by a password-only sign-in with step_up_required and changes nothing; after a strong re-authentication it succeeds and records how', async () => {
    const ticketId = await awaitingApproval();
    const weak = await signInAs(approver.sub);
    const before = await t.snapshot();
    const refused = await (await approveWith(weak.cookie!, ticketId)).body;
    expect(refused).toMatchObject({
      statusCode: 403,
      details: { code: 'step_up_required', amr: ['hwk'], maxAgeSeconds: 600, signInUrl: '/v1/auth/oidc/login?stepUp=1' },
    });
    expect(refused.message).toMatch(/^step-up required: this act needs a sign-in with a method among hwk; yours used pwd/);
    expect(await t.snapshot()).toEqual(before);
    expect(await desk.state(ticketId)).toBe('awaiting_approval');

    // The person signs in again at the provider with a security key.
    await provider.users({ [approver.sub]: { amr: ['hwk', 'pwd'] } });
    const strong = await signInAs(approver.sub, { stepUp: true, returnTo: `/tickets/${ticketId}` });
    expect(strong).toMatchObject({ status: 302, location: `/tickets/${ticketId}` });
    const approved = await approveWith(strong.cookie!, ticketId);
    expect(approved.status).toBe(200);
    const signed = await t.db.query(`SELECT payload FROM audit_events WHERE action = 'ticket.signed' AND target_id = $1`, [ticketId]);
    expect(signed.rows[0].payload.authentication).toEqual({ method: 'oidc', amr: ['hwk', 'pwd'], acr: 'urn:rd:password', authenticatedAt: expect.any(String) });
    expect(Math.abs(Date.parse(signed.rows[0].payload.authentication.authenticatedAt) - Date.now())).toBeLessThan(60_000);
  });

  it('refuses an approval by a sign-in older than the window; after re-authentication it succeeds', async () => {
    await provider.users({ [approver.sub]: { amr: ['hwk'] } });
    const ticketId = await awaitingApproval();
    const { cookie } = await signInAs(approver.sub);
    t.clock.advance(11 * 60_000); // still inside the 30-minute idle timeout, outside the 10-minute step-up window
    const before = await t.snapshot();
    const refused = await approveWith(cookie!, ticketId);
    expect(refused.status).toBe(403);
    expect(refused.body.details.code).toBe('step_up_required');
    expect(refused.body.message).toMatch(/your sign-in is 11 min old; this act needs one within the last 10 min/);
    expect(await t.snapshot()).toEqual(before);
    const again = await signInAs(approver.sub, { stepUp: true });
    expect((await approveWith(again.cookie!, ticketId)).status).toBe(200);
  });

  it('refuses step-up acts to staff tokens while the provider is configured (break-glass admins included)', async () => {
    const ticketId = await awaitingApproval();
    const { token } = await t.createStaff(['approver']);
    const before = await t.snapshot();
    const res = await desk.approve(bearer(token), ticketId).expect(403);
    expect(res.body.details.code).toBe('step_up_required');
    expect(res.body.message).toMatch(/staff tokens cannot do this/);
    const issue = await t.http().post(`/v1/staff/${approver.staffId}/tokens`).set(bearer(t.adminToken)).send({}).expect(403);
    expect(issue.body.details.code).toBe('step_up_required');
    expect(await t.snapshot()).toEqual(before);
  });
});
