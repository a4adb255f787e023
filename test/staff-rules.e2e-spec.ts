import { createTestApp, TestApp } from './helpers/app';
import { bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * The staff rules (src/staff/staff-rules.ts) on every path that writes a member: the API, an approved change
 * request, and (test/cli.e2e-spec.ts) the command line; and again, defensively, at ticket actions.
 */
let t: TestApp;
let desk: Desk;
let first: ReturnType<typeof bearer>;
let second: { id: string; auth: ReturnType<typeof bearer> };
let third: ReturnType<typeof bearer>;

beforeAll(async () => {
  t = await createTestApp(__filename);
  desk = new Desk(t);
  first = bearer(t.adminToken);
  const s = await t.createStaff(['admin']);
  second = { id: s.staff.id, auth: bearer(s.token) };
  third = bearer((await t.createStaff(['admin'])).token);
});
afterAll(() => t?.close());

const staffRow = async (id: string) => (await t.db.query('SELECT roles, account_id, active FROM staff WHERE id = $1', [id])).rows[0];
const review = (who: ReturnType<typeof bearer>, id: string) =>
  t.http().post(`/v1/change-requests/${id}/approve`).set(who).send({ reason: 'checked in person' });

describe('own-staff-record', () => {
  it.each([
    ['roles', { roles: ['admin', 'service'] }],
    ['accountId', { accountId: '00000000-0000-4000-8000-000000000000' }],
    ['active', { active: false }],
  ])('refuses an admin changing their own %s, writes nothing but the refusal, and alerts security', async (field, change) => {
    const before = await staffRow(second.id);
    const snapshot = await t.snapshot();
    const res = await t.http().patch(`/v1/staff/${second.id}`).set(second.auth).send(change);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'staff_rule_refused', details: { rule: 'own-staff-record' } });
    expect(res.body.message).toContain(`nobody changes their own ${field}`);
    expect(await staffRow(second.id)).toEqual(before);
    const after = await t.snapshot();
    expect(after.change_requests).toBe(snapshot.change_requests);
    expect(after.audit_events).toBe(snapshot.audit_events + 1);
    const { rows } = await t.db.query(`SELECT payload FROM audit_events WHERE action = 'staff.self_change_refused' ORDER BY seq DESC LIMIT 1`);
    expect(rows[0].payload).toEqual({ rule: 'own-staff-record', changed: [field] });
    await eventually(
      () => t.inbox().some((m) => m.template === 'security.self_change_refused' && m.body.includes(second.id) && m.body.includes(field)),
      'the security alert',
    );
  });

  it('refuses linking another member, new or existing, to one’s own employee account (a second identity), and alerts security', async () => {
    const me = await t.createStaff(['admin']);
    const mine = me.staff.accountId!;
    const created = await t
      .http()
      .post('/v1/staff')
      .set(bearer(me.token))
      .send({ name: 'my other self', roles: ['service'], accountId: mine });
    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({ code: 'staff_rule_refused', details: { rule: 'own-staff-record' } });
    const auditor = await t.createStaff(['auditor']);
    const linked = await t.http().patch(`/v1/staff/${auditor.staff.id}`).set(bearer(me.token)).send({ accountId: mine });
    expect(linked.status).toBe(403);
    expect((await staffRow(auditor.staff.id)).account_id).toBeNull();
    await eventually(() => t.inbox().filter((m) => m.template === 'security.self_change_refused' && m.body.includes(me.staff.id)).length === 2, 'both alerts');
  });

  it('refuses the lone first admin too, before any second admin exists to review', async () => {
    const res = await t
      .http()
      .patch(`/v1/staff/${(await t.db.query(`SELECT id FROM staff WHERE name = 'First admin'`)).rows[0].id}`)
      .set(first)
      .send({ roles: ['admin', 'approver'] });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('staff_rule_refused');
  });

  it('does not refuse an empty PATCH of one’s own record (it changes nothing)', async () => {
    expect((await t.http().patch(`/v1/staff/${second.id}`).set(second.auth).send({})).status).toBe(200);
  });
});

describe('ticket-roles-need-an-account', () => {
  it.each([['agent'], ['approver'], ['admin']])('refuses a %s without accountId, writing nothing', async (role) => {
    const snapshot = await t.snapshot();
    const res = await t
      .http()
      .post('/v1/staff')
      .set(second.auth)
      .send({ name: `no account ${role}`, roles: [role] });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'staff_rule_broken', details: { rule: 'ticket-roles-need-an-account' } });
    expect(await t.snapshot()).toEqual(snapshot);
  });

  it('refuses giving a ticket role to a member without an account, and unlinking a member who holds one', async () => {
    const auditor = await t.createStaff(['auditor']);
    const grant = await t
      .http()
      .patch(`/v1/staff/${auditor.staff.id}`)
      .set(second.auth)
      .send({ roles: ['agent'] });
    expect(grant.status).toBe(403);
    expect(grant.body.details).toEqual({ rule: 'ticket-roles-need-an-account' });
    const agent = await t.createStaff(['agent']);
    const unlink = await t.http().patch(`/v1/staff/${agent.staff.id}`).set(second.auth).send({ accountId: null });
    expect(unlink.status).toBe(403);
    expect(unlink.body.details).toEqual({ rule: 'ticket-roles-need-an-account' });
    expect((await staffRow(agent.staff.id)).account_id).toBe(agent.staff.accountId);
  });

  it('refuses ticket actions by a member without an account (one created before the rule)', async () => {
    const legacy = await t.createStaff(['intake']);
    await t.db.query(`UPDATE staff SET roles = '{agent}' WHERE id = $1`, [legacy.staff.id]);
    const account = await t.createAccount();
    const opened = await t.http().post('/v1/tickets').set(bearer(legacy.token)).send({ accountId: account.id, channel: 'phone', reason: 'lost_device' });
    expect(opened.status).toBe(403);
    expect(opened.body).toMatchObject({ code: 'staff_rule_broken', details: { rule: 'ticket-roles-need-an-account' } });
    expect(opened.body.message).toMatch(/cannot act on tickets/);
    await desk.open(bearer((await t.createStaff(['agent'])).token), account);
    const claim = await t.http().post('/v1/tickets/next').set(bearer(legacy.token));
    expect(claim.status).toBe(403);
    expect(claim.body.code).toBe('staff_rule_broken');
  });
});

describe('drill-readers-do-not-work-tickets', () => {
  it.each([[['auditor', 'agent']], [['drill_runner', 'approver']], [['auditor', 'drill_runner', 'agent', 'approver']]])(
    'refuses creating a member with %j',
    async (roles) => {
      const accountId = (await t.createAccount()).id;
      const res = await t.http().post('/v1/staff').set(second.auth).send({ name: 'both sides', roles, accountId });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'staff_rule_broken', details: { rule: 'drill-readers-do-not-work-tickets' } });
    },
  );

  it('refuses adding auditor to an agent, and agent to a drill runner', async () => {
    const agent = await t.createStaff(['agent']);
    const runner = await t.createStaff(['drill_runner'], { accountId: (await t.createAccount()).id });
    for (const [id, roles] of [
      [agent.staff.id, ['agent', 'auditor']],
      [runner.staff.id, ['drill_runner', 'agent']],
    ] as const) {
      const res = await t.http().patch(`/v1/staff/${id}`).set(second.auth).send({ roles });
      expect(res.status).toBe(403);
      expect(res.body.details).toEqual({ rule: 'drill-readers-do-not-work-tickets' });
    }
  });

  it('refuses ticket actions by a member who holds both (one made before the rule)', async () => {
    const agent = await t.createStaff(['agent']);
    await t.db.query(`UPDATE staff SET roles = '{agent,auditor}' WHERE id = $1`, [agent.staff.id]);
    const res = await t
      .http()
      .post('/v1/tickets')
      .set(bearer(agent.token))
      .send({ accountId: (await t.createAccount()).id, channel: 'phone', reason: 'lost_device' });
    expect(res.status).toBe(403);
    expect(res.body.details).toEqual({ rule: 'drill-readers-do-not-work-tickets' });
  });
});

describe("an admin's record (staffAdminRecord)", () => {
  it("makes any change to another admin's record a change request that a third admin approves", async () => {
    const target = await t.createStaff(['admin']);
    const res = await t.http().patch(`/v1/staff/${target.staff.id}`).set(second.auth).send({ active: false, changeReason: 'left the team' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ kind: 'staff.update', sensitive: ['staffAdminRecord'], before: { active: true }, after: { active: false } });
    expect((await staffRow(target.staff.id)).active).toBe(true);
    const own = await t.http().post(`/v1/change-requests/${res.body.id}/approve`).set(bearer(target.token)).send({ reason: 'mine' });
    expect(own.status).toBe(403);
    expect((await review(third, res.body.id)).status).toBe(200);
    expect((await staffRow(target.staff.id)).active).toBe(false);
  });

  it('leaves changes to non-admins as they were (an agent gains intake at once)', async () => {
    const agent = await t.createStaff(['agent']);
    expect(
      (
        await t
          .http()
          .patch(`/v1/staff/${agent.staff.id}`)
          .set(second.auth)
          .send({ roles: ['agent', 'intake'] })
      ).status,
    ).toBe(200);
  });
});

describe('an approved change request', () => {
  it('is refused, not applied, when what it sets breaks a staff rule (a request made before the rule)', async () => {
    const agent = await t.createStaff(['agent']);
    const secondId = second.id;
    const { rows } = await t.db.query(
      `INSERT INTO change_requests (kind, target_type, target_id, requested_by, sensitive, before, after, state, created_at, expires_at)
       VALUES ('staff.update', 'staff', $1, $2, '{staffPrivilegedRole}', '{"roles":["agent"]}', '{"roles":["agent","auditor"]}', 'pending', $3, $3::timestamptz + interval '1 day') RETURNING id`,
      [agent.staff.id, secondId, t.clock.now()],
    );
    const res = await review(third, rows[0].id);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/staff rule drill-readers-do-not-work-tickets/);
    expect((await staffRow(agent.staff.id)).roles).toEqual(['agent']);
    expect((await t.db.query('SELECT state FROM change_requests WHERE id = $1', [rows[0].id])).rows[0].state).toBe('refused');
  });

  it('is refused when it changes its own requester’s record', async () => {
    const { rows } = await t.db.query(
      `INSERT INTO change_requests (kind, target_type, target_id, requested_by, sensitive, before, after, state, created_at, expires_at)
       VALUES ('staff.update', 'staff', $1, $2, '{staffPrivilegedRole}', '{"roles":["admin"]}', '{"roles":["admin","service"]}', 'pending', $3, $3::timestamptz + interval '1 day') RETURNING id`,
      [second.id, second.id, t.clock.now()],
    );
    const res = await review(third, rows[0].id);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/staff rule own-staff-record/);
    expect((await staffRow(second.id)).roles).toEqual(['admin']);
  });
});
