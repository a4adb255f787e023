import { STAFF_ROLES, StaffRole } from '../src/common/auth/staff-roles';
import { createTestApp, TestApp } from './helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(__filename);
});
afterAll(() => t?.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('the role matrix', () => {
  /** Three routes that stand for the three kinds: admin-only, the agents' desk, the auditors'. */
  const routes = [
    { name: 'admin-only GET /v1/staff', path: '/v1/staff', allowed: ['admin'] },
    { name: 'agent GET /v1/accounts', path: '/v1/accounts', allowed: ['agent', 'approver', 'admin'] },
    { name: 'auditor GET /v1/audit', path: '/v1/audit', allowed: ['auditor', 'admin'] },
  ];
  const tokens = new Map<StaffRole, string>();
  beforeAll(async () => {
    for (const role of STAFF_ROLES) tokens.set(role, (await t.createStaff([role])).token);
  });

  for (const route of routes) {
    describe(route.name, () => {
      it('answers 401 in the error shape without a token', async () => {
        const res = await t.http().get(route.path).expect(401);
        expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', code: 'unauthenticated', message: expect.stringMatching(/bearer token/) });
      });

      it('answers 401 for a token it never issued', async () => {
        await t.http().get(route.path).set(bearer('rds_not-a-token-we-issued-000000000')).expect(401);
      });

      for (const role of STAFF_ROLES) {
        const expected = route.allowed.includes(role) ? 200 : 403;
        it(`answers ${expected} to a ${role}`, async () => {
          const res = await t
            .http()
            .get(route.path)
            .set(bearer(tokens.get(role)!))
            .expect(expected);
          if (expected === 403) {
            expect(res.body.error).toBe('Forbidden');
            expect(res.body.message).toContain(route.allowed.join(' or '));
          }
        });
      }
    });
  }

  it('lets a person with several roles use each of them', async () => {
    // Not agent with auditor: a drill reader does not work tickets (staff rules, test/staff-rules.e2e-spec.ts).
    const { token } = await t.createStaff(['auditor', 'intake']);
    await t.http().get('/v1/audit').set(bearer(token)).expect(200);
    await t.http().post('/v1/intake/tickets').set(bearer(token)).send({}).expect(400);
    await t.http().get('/v1/accounts').set(bearer(token)).expect(403);
    await t.http().get('/v1/staff').set(bearer(token)).expect(403);
  });
});

describe('tokens', () => {
  it('issues a token that works, is listed without its secret, and is shown only once', async () => {
    const accountId = (await t.createAccount()).id;
    const created = await t
      .http()
      .post('/v1/staff')
      .set(bearer(t.adminToken))
      .send({ name: 'Ana Agent', roles: ['agent'], accountId })
      .expect(201);
    const issued = await t
      .http()
      .post(`/v1/staff/${created.body.id}/tokens`)
      .set(bearer(t.adminToken))
      .send({ expiresInDays: 7, label: 'desk pc' })
      .expect(201);
    t.secrets.add(issued.body.token);
    expect(issued.body.token).toMatch(/^rds_[A-Za-z0-9_-]{43}$/); // 256 random bits
    await t.http().get('/v1/accounts').set(bearer(issued.body.token)).expect(200);

    const listed = await t.http().get(`/v1/staff/${created.body.id}/tokens`).set(bearer(t.adminToken)).expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: issued.body.id, label: 'desk pc', revokedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    const { rows } = await t.db.query('SELECT token_hash FROM staff_tokens WHERE id = $1', [issued.body.id]);
    expect(rows[0].token_hash).not.toContain(issued.body.token);
  });

  it('refuses a token after it expires', async () => {
    const { staff } = await t.createStaff(['agent']);
    const issued = await t.http().post(`/v1/staff/${staff.id}/tokens`).set(bearer(t.adminToken)).send({ expiresInDays: 1 }).expect(201);
    t.secrets.add(issued.body.token);
    await t.http().get('/v1/accounts').set(bearer(issued.body.token)).expect(200);
    t.clock.advance(24 * 3600_000 + 1_000);
    try {
      const res = await t.http().get('/v1/accounts').set(bearer(issued.body.token)).expect(401);
      expect(res.body.message).toBe('token is unknown, expired or revoked');
    } finally {
      t.clock.reset();
    }
  });

  it('refuses null for a token lifetime (never-expiring tokens are not issued over the API), writing nothing', async () => {
    const { staff } = await t.createStaff(['agent']);
    const before = await t.snapshot();
    const res = await t.http().post(`/v1/staff/${staff.id}/tokens`).set(bearer(t.adminToken)).send({ expiresInDays: null }).expect(400);
    expect(res.body.message).toMatch(/^expiresInDays /);
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses a token at once when it is revoked, and audits the revocation', async () => {
    const { staff, token } = await t.createStaff(['agent']);
    await t.http().get('/v1/accounts').set(bearer(token)).expect(200);
    const [{ id: tokenId }] = (await t.http().get(`/v1/staff/${staff.id}/tokens`).set(bearer(t.adminToken)).expect(200)).body;
    const revoked = await t.http().delete(`/v1/staff/${staff.id}/tokens/${tokenId}`).set(bearer(t.adminToken)).expect(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    await t.http().get('/v1/accounts').set(bearer(token)).expect(401);
    const audit = await t.http().get(`/v1/audit?action=staff.token_revoked&target=${staff.id}`).set(bearer(t.adminToken)).expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ payload: { tokenId } })]);
  });

  it('refuses every token of a deactivated staff member', async () => {
    const { staff, token } = await t.createStaff(['agent']);
    await t.http().patch(`/v1/staff/${staff.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
    const res = await t.http().get('/v1/accounts').set(bearer(token)).expect(401);
    expect(res.body.message).toMatch(/deactivated/);
  });

  it('refuses a token revocation for another staff member’s token (404)', async () => {
    const a = await t.createStaff(['agent']);
    const b = await t.createStaff(['agent']);
    const [{ id: tokenOfB }] = (await t.http().get(`/v1/staff/${b.staff.id}/tokens`).set(bearer(t.adminToken))).body;
    await t.http().delete(`/v1/staff/${a.staff.id}/tokens/${tokenOfB}`).set(bearer(t.adminToken)).expect(404);
    await t.http().get('/v1/accounts').set(bearer(b.token)).expect(200);
  });
});

describe('staff validation', () => {
  it.each([
    [{ roles: ['agent'] }, 'name'],
    [{ name: 'x', roles: [] }, 'roles'],
    [{ name: 'x', roles: ['root'] }, 'roles'],
    [{ name: 'x', roles: ['agent', 'agent'] }, 'roles'],
    [{ name: 'x', roles: ['agent'], accountId: 'nope' }, 'accountId'],
    [{ name: 'x', roles: ['agent'], isAdmin: true }, 'isAdmin'],
  ])('refuses %j naming %s, writing nothing', async (body, field) => {
    const before = await t.snapshot();
    const res = await t.http().post('/v1/staff').set(bearer(t.adminToken)).send(body).expect(400);
    expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses a link to an account that does not exist', async () => {
    const res = await t
      .http()
      .post('/v1/staff')
      .set(bearer(t.adminToken))
      .send({ name: 'x', roles: ['agent'], accountId: '00000000-0000-4000-8000-000000000000' })
      .expect(400);
    expect(res.body.message).toBe('accountId does not name an existing account');
  });
});
