import { AccountsService } from '../src/accounts/accounts.service';
import { CLI } from '../src/audit/audit-actor';
import { ChangeRequestsService } from '../src/change-requests/change-requests.service';
import { createTestApp, TestApp, unique } from './helpers/app';
import { Auth, bearer } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * Change requests: a sensitive admin change waits for a second admin. The file starts with the first admin alone
 * (bootstrap: changes apply at once, security alerted), then an operator adds two more admins at the command line.
 */
let t: TestApp;
let first: Auth;
let second: Auth;
let third: Auth;
let secondId: string;
let approver: Auth;

const HOUR = 3_600_000;
type Request = {
  id: string;
  state: string;
  requestedBy: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  reviewable: boolean;
  notReviewableBecause: string | null;
};

beforeAll(async () => {
  t = await createTestApp(__filename);
  first = bearer(t.adminToken);
  approver = bearer((await t.createStaff(['approver'])).token);
});
afterAll(() => t?.close());

const patchAccount = (who: Auth, id: string, body: Record<string, unknown>) => t.http().patch(`/v1/accounts/${id}`).set(who).send(body);
const review = (who: Auth, id: string, verdict: 'approve' | 'reject', reason = 'checked with the requester in person') =>
  t.http().post(`/v1/change-requests/${id}/${verdict}`).set(who).send({ reason });
const accountRow = async (id: string) => (await t.db.query('SELECT email, phone, tier, manager_id, status FROM accounts WHERE id = $1', [id])).rows[0];
const auditOf = async (target: string) =>
  (await t.db.query('SELECT action, actor_id, payload FROM audit_events WHERE target_id = $1 ORDER BY seq', [target])).rows as {
    action: string;
    actor_id: string | null;
    payload: Record<string, unknown>;
  }[];

describe('with one active admin (bootstrap)', () => {
  it('applies a sensitive change at once, alerts security, and says multi-party approval is off', async () => {
    const account = await t.createAccount({ tier: 'critical' });
    const res = await patchAccount(first, account.id, { phone: '+447700900111' });
    expect(res.status).toBe(200);
    expect((await accountRow(account.id)).phone).toBe('+447700900111');
    await eventually(() => t.inbox().some((m) => m.template === 'security.change_without_second_admin' && m.body.includes(account.id)), 'the bootstrap alert');
    const list = await t.http().get('/v1/change-requests').set(first);
    expect(list.status).toBe(200);
    expect(list.body.multiPartyApproval).toEqual({ on: false, activeAdmins: 1, message: expect.stringMatching(/off until a second admin exists/) });
  });

  it('refuses change requests to every role but admin', async () => {
    for (const path of ['/v1/change-requests', `/v1/change-requests/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`]) {
      expect((await t.http().get(path).set(approver)).status).toBe(403);
    }
    expect((await review(approver, `${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, 'approve')).status).toBe(403);
  });
});

describe('with two or more active admins', () => {
  beforeAll(async () => {
    const s = await t.createStaff(['admin']);
    second = bearer(s.token);
    secondId = s.staff.id;
    third = bearer((await t.createStaff(['admin'])).token);
  });

  it('turns a channel change into a pending request that only another admin can approve, then applies it with its audit trail', async () => {
    const account = await t.createAccount({ tier: 'critical' });
    const res = await patchAccount(first, account.id, { email: 'new.inbox@example.com', changeReason: 'new mailbox after the merger' });
    expect(res.status).toBe(202);
    const request = res.body as Request;
    expect(request).toMatchObject({ state: 'pending', before: { email: account.email }, after: { email: 'new.inbox@example.com' }, reviewable: false });
    expect(request.notReviewableBecause).toMatch(/you made this request/);
    expect((await accountRow(account.id)).email).toBe(account.email);
    await eventually(() => t.inbox().some((m) => m.template === 'security.change_requested' && m.body.includes(request.id)), 'security told of the request');

    const own = await review(first, request.id, 'approve');
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/nobody reviews their own change request/);
    expect((await t.http().get(`/v1/change-requests/${request.id}`).set(second)).body).toMatchObject({ reviewable: true });

    const approved = await review(second, request.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'applied', reviewedBy: secondId, reviewReason: 'checked with the requester in person' });
    expect((await accountRow(account.id)).email).toBe('new.inbox@example.com');
    expect((await auditOf(request.id)).map((e) => e.action)).toEqual(['change_request.created', 'change_request.approved']);
    expect((await auditOf(account.id)).map((e) => e.action)).toContain('account.updated');
    expect((await review(third, request.id, 'approve')).status).toBe(409);
  });

  it('turns the sensitive rows of a directory import into change requests, listed in the report, and applies the rest', async () => {
    const account = await t.createAccount({ tier: 'critical' });
    const other = await t.createAccount({ tier: 'standard' });
    const csv = [
      'externalId,displayName,tier,email,phone',
      `${account.externalId},${account.displayName},critical,swapped@example.com,${account.phone}`,
      `${other.externalId},Renamed By Import,standard,${other.email},${other.phone}`,
    ].join('\n');
    const res = await t.http().post('/v1/accounts/import').set(first).send({ format: 'csv', content: csv }).expect(200);
    expect(res.body).toMatchObject({ updated: 1, requested: [{ row: 1, externalId: account.externalId, changeRequestId: expect.any(String) }] });
    expect((await accountRow(account.id)).email).toBe(account.email);
    const request = (await t.http().get(`/v1/change-requests/${res.body.requested[0].changeRequestId}`).set(second)).body as Request;
    expect(request).toMatchObject({ state: 'pending', after: { email: 'swapped@example.com' } });
    await review(second, request.id, 'reject', 'not from the directory');
  });

  it('lists pending requests first', async () => {
    const account = await t.createAccount({ tier: 'privileged' });
    const pending = (await patchAccount(second, account.id, { tier: 'standard' })).body as Request;
    const list = await t.http().get('/v1/change-requests').set(first);
    expect(list.body.multiPartyApproval).toMatchObject({ on: true, activeAdmins: 3 });
    const states = (list.body.items as Request[]).map((r) => r.state);
    expect(states.indexOf('applied')).toBeGreaterThan(states.lastIndexOf('pending'));
    expect((list.body.items as Request[]).some((r) => r.id === pending.id)).toBe(true);
    expect((await review(first, pending.id, 'reject', 'tier stays')).body).toMatchObject({ state: 'rejected', reviewReason: 'tier stays' });
    expect((await accountRow(account.id)).tier).toBe('privileged');
  });

  it('applies a change that is not sensitive at once (raising a tier, the display name)', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    const res = await patchAccount(first, account.id, { tier: 'critical', displayName: 'Renamed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tier: 'critical', displayName: 'Renamed' });
  });

  it('blocks a second request on a target while one is pending, naming the pending one', async () => {
    const account = await t.createAccount({ tier: 'critical' });
    const pending = (await patchAccount(first, account.id, { tier: 'standard' })).body as Request;
    const second_ = await patchAccount(second, account.id, { phone: '+447700900222' });
    expect(second_.status).toBe(409);
    expect(second_.body.message).toContain(pending.id);
    expect(second_.body.details).toEqual({ changeRequestId: pending.id });
    await review(third, pending.id, 'reject', 'no');
  });

  it('refuses, and does not apply, a request whose "before" changed underneath it', async () => {
    const account = await t.createAccount({ tier: 'critical' });
    const request = (await patchAccount(first, account.id, { phone: '+447700900333' })).body as Request;
    // The directory (an import at the command line) changes the phone meanwhile.
    await t.app.get(AccountsService).update(CLI, account.id, { phone: '+447700900444' });
    const res = await review(second, request.id, 'approve');
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/phone changed since the request was made/);
    expect((await accountRow(account.id)).phone).toBe('+447700900444');
    const stored = (await t.http().get(`/v1/change-requests/${request.id}`).set(first)).body;
    expect(stored).toMatchObject({ state: 'refused', outcome: expect.stringMatching(/phone changed/) });
    expect((await auditOf(request.id)).map((e) => e.action)).toEqual(['change_request.created', 'change_request.refused']);
  });

  it('applies a request once however many reviews race', async () => {
    const account = await t.createAccount({ tier: 'critical' });
    const request = (await patchAccount(first, account.id, { status: 'deactivated' })).body as Request;
    const results = await Promise.all([second, third, second, third, second, third].map((who) => review(who, request.id, 'approve')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect((await auditOf(request.id)).filter((e) => e.action === 'change_request.approved')).toHaveLength(1);
    expect((await auditOf(account.id)).filter((e) => e.action === 'account.deactivated')).toHaveLength(1);
  });

  it('expires an unreviewed request after the policy’s 72 hours, on review and by the sweep', async () => {
    const [a, b] = [await t.createAccount({ tier: 'critical' }), await t.createAccount({ tier: 'critical' })];
    const late = (await patchAccount(first, a.id, { tier: 'standard' })).body as Request;
    const swept = (await patchAccount(first, b.id, { tier: 'standard' })).body as Request;
    t.clock.advance(72 * HOUR);
    try {
      const res = await review(second, late.id, 'approve');
      expect(res.status).toBe(410);
      expect(await t.app.get(ChangeRequestsService).expireOverdue()).toBeGreaterThanOrEqual(1);
      expect((await t.http().get(`/v1/change-requests/${swept.id}`).set(first)).body).toMatchObject({ state: 'expired' });
      expect((await accountRow(a.id)).tier).toBe('critical');
      expect((await auditOf(late.id)).map((e) => e.action)).toEqual(['change_request.created', 'change_request.expired']);
      // An expired request no longer blocks the target.
      expect((await patchAccount(first, a.id, { tier: 'privileged' })).status).toBe(202);
    } finally {
      t.clock.advance(-72 * HOUR);
    }
  });

  it('gates privileged staff: creating an approver, its token (issued once to the requester after approval), and re-activation', async () => {
    const name = unique('approver-');
    const created = await t
      .http()
      .post('/v1/staff')
      .set(first)
      .send({ name, roles: ['approver'], accountId: (await t.createAccount()).id, changeReason: 'new approver for the night shift' });
    expect(created.status).toBe(202);
    expect((await t.db.query('SELECT count(*)::int AS n FROM staff WHERE name = $1', [name])).rows[0].n).toBe(0);
    expect((await review(second, created.body.id, 'approve')).status).toBe(200);
    const [member] = (await t.db.query('SELECT id FROM staff WHERE name = $1', [name])).rows as { id: string }[];
    expect(member).toBeDefined();

    const asked = await t.http().post(`/v1/staff/${member.id}/tokens`).set(first).send({ label: 'laptop' });
    expect(asked.status).toBe(202);
    expect(asked.body.token).toBeUndefined();
    expect((await review(second, asked.body.id, 'approve')).status).toBe(200);
    expect((await t.http().post(`/v1/staff/${member.id}/tokens`).set(second).send({})).status).toBe(202); // the permit is the requester's
    await review(
      first,
      (await t.db.query(`SELECT id FROM change_requests WHERE target_id = $1 AND state = 'pending'`, [member.id])).rows[0].id,
      'reject',
      'not yours',
    );
    const issued = await t.http().post(`/v1/staff/${member.id}/tokens`).set(first).send({ label: 'laptop' });
    expect(issued.status).toBe(201);
    t.secrets.add(issued.body.token);
    expect((await t.http().get('/v1/accounts').set(bearer(issued.body.token))).status).toBe(200);
    // The approval is used up: the next token needs a new one.
    expect((await t.http().post(`/v1/staff/${member.id}/tokens`).set(first).send({})).status).toBe(202);
    await review(
      third,
      (await t.db.query(`SELECT id FROM change_requests WHERE target_id = $1 AND state = 'pending'`, [member.id])).rows[0].id,
      'reject',
      'enough',
    );

    expect((await t.http().patch(`/v1/staff/${member.id}`).set(first).send({ active: false })).status).toBe(200);
    const back = await t.http().patch(`/v1/staff/${member.id}`).set(first).send({ active: true });
    expect(back.status).toBe(202);
    expect(back.body).toMatchObject({ before: { active: false }, after: { active: true } });
  });

  it('grants a non-privileged role at once, but not admin to oneself through one’s own review', async () => {
    const agent = await t.createStaff(['agent']);
    expect(
      (
        await t
          .http()
          .patch(`/v1/staff/${agent.staff.id}`)
          .set(first)
          .send({ roles: ['agent', 'intake'] })
      ).status,
    ).toBe(200);
    const grant = await t
      .http()
      .patch(`/v1/staff/${secondId}`)
      .set(first)
      .send({ roles: ['admin', 'approver'] });
    expect(grant.status).toBe(202);
    const self = await review(second, grant.body.id, 'approve');
    expect(self.status).toBe(403);
    expect(self.body.message).toMatch(/own staff record/);
    await review(third, grant.body.id, 'reject', 'not needed');
  });
});
