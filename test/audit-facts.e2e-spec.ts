import { randomBytes } from 'node:crypto';
import { createTestApp, TestApp } from './helpers/app';
import { bearer } from './helpers/desk';

/**
 * No proofing secret in the audit trail: the directory facts the directory_facts step asks a caller for
 * (employeeNumber, costCentre: PROOFING_FACTS in src/accounts/masking.ts) are named in an event as changed, never
 * with a value. After every path that writes an account (admin create and PATCH, import, SCIM, an approved change
 * request), every audit payload is scanned for every fact value this file ever set.
 */
let t: TestApp;
const admin = () => bearer(t.adminToken);
/** Every fact value written in this file: none may appear in any audit payload. */
const facts = new Set<string>();
/** Distinct from ids and timestamps (which are lower-case hex and digits), so a hit is a real leak. */
const fact = (kind: 'EN' | 'CC') => {
  const value = `${kind}-QZ${randomBytes(4).toString('hex').toUpperCase()}`;
  facts.add(value);
  return value;
};

beforeAll(async () => {
  t = await createTestApp(__filename);
});
afterAll(() => t?.close());

async function expectNoFactInTheTrail(): Promise<void> {
  const { rows } = await t.db.query<{ action: string; payload: string }>(`SELECT action, payload::text AS payload FROM audit_events`);
  const leaks = rows.flatMap((row) => [...facts].filter((value) => row.payload.includes(value)).map((value) => `${row.action} carries ${value}`));
  expect(leaks).toEqual([]);
}

const lastUpdate = async (accountId: string) =>
  (await t.db.query(`SELECT payload FROM audit_events WHERE target_id = $1 AND action = 'account.updated' ORDER BY seq DESC LIMIT 1`, [accountId])).rows[0]
    ?.payload;

it('admin create and PATCH: the event names the facts as changed and carries neither value', async () => {
  const created = await t
    .http()
    .post('/v1/accounts')
    .set(admin())
    .send({
      externalId: `E${randomBytes(3).toString('hex')}`,
      displayName: 'Fact Subject',
      tier: 'standard',
      email: 'fact.subject@example.com',
      phone: '+447700900551',
      employeeNumber: fact('EN'),
      costCentre: fact('CC'),
    });
  expect(created.status).toBe(201);
  const patched = await t
    .http()
    .patch(`/v1/accounts/${created.body.id}`)
    .set(admin())
    .send({ employeeNumber: fact('EN'), costCentre: fact('CC'), displayName: 'Fact Subject Two' });
  expect(patched.status).toBe(200);
  expect(await lastUpdate(created.body.id)).toEqual({
    changed: expect.arrayContaining(['employeeNumber', 'costCentre', 'displayName']),
    before: { displayName: 'Fact Subject' },
    after: { displayName: 'Fact Subject Two' },
  });
  await expectNoFactInTheTrail();
});

it('import (CSV and JSON), creating and updating', async () => {
  const externalId = `E${randomBytes(3).toString('hex')}`;
  const row = (employeeNumber: string, costCentre: string) => ({
    externalId,
    displayName: 'Imported Subject',
    tier: 'standard',
    email: 'imported@example.com',
    phone: '+447700900552',
    employeeNumber,
    costCentre,
  });
  const first = row(fact('EN'), fact('CC'));
  const csv = `${Object.keys(first).join(',')}\n${Object.values(first).join(',')}\n`;
  expect((await t.http().post('/v1/accounts/import').set(admin()).send({ format: 'csv', content: csv }).expect(200)).body).toMatchObject({ created: 1 });
  const second = row(fact('EN'), fact('CC'));
  expect(
    (
      await t
        .http()
        .post('/v1/accounts/import')
        .set(admin())
        .send({ format: 'json', content: JSON.stringify([second]) })
        .expect(200)
    ).body,
  ).toMatchObject({ updated: 1 });
  const { rows } = await t.db.query(`SELECT id FROM accounts WHERE external_id = $1`, [externalId]);
  expect((await lastUpdate(rows[0].id)).changed).toEqual(expect.arrayContaining(['employeeNumber', 'costCentre']));
  await expectNoFactInTheTrail();
});

it('SCIM: create, PUT and PATCH of the enterprise attributes', async () => {
  const connection = await t.http().post('/v1/scim-connections').set(admin()).send({ name: 'directory' }).expect(201);
  t.secrets.add(connection.body.secret);
  const scim = { Authorization: `Bearer ${connection.body.secret}`, 'Content-Type': 'application/scim+json', Accept: 'application/scim+json' };
  const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
  const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const user = (employeeNumber: string, costCenter: string) => ({
    schemas: [CORE, ENTERPRISE],
    userName: 'scim.fact@example.com',
    externalId: `00u${randomBytes(3).toString('hex')}`,
    emails: [{ primary: true, value: 'scim.fact@example.com', type: 'work' }],
    phoneNumbers: [{ value: '+447700900553', type: 'mobile' }],
    displayName: 'Scim Fact',
    active: true,
    [ENTERPRISE]: { employeeNumber, costCenter },
  });
  const body = user(fact('EN'), fact('CC'));
  const created = await t.http().post('/scim/v2/Users').set(scim).send(JSON.stringify(body));
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect(
    (
      await t
        .http()
        .put(`/scim/v2/Users/${id}`)
        .set(scim)
        .send(JSON.stringify({ ...user(fact('EN'), fact('CC')), externalId: body.externalId }))
    ).status,
  ).toBe(200);
  const ops = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: `${ENTERPRISE}:employeeNumber`, value: fact('EN') }],
  };
  expect((await t.http().patch(`/scim/v2/Users/${id}`).set(scim).send(JSON.stringify(ops))).status).toBe(200);
  expect((await lastUpdate(id)).changed).toEqual(['employeeNumber']);
  await expectNoFactInTheTrail();
});

it('an approved change request that also changes the facts', async () => {
  const second = await t.createStaff(['admin']);
  const account = await t.createAccount({ employeeNumber: fact('EN'), costCentre: fact('CC') });
  const requested = await t
    .http()
    .patch(`/v1/accounts/${account.id}`)
    .set(admin())
    .send({ email: 'moved.inbox@example.com', employeeNumber: fact('EN'), costCentre: fact('CC'), changeReason: 'merger' });
  expect(requested.status).toBe(202);
  const approved = await t
    .http()
    .post(`/v1/change-requests/${requested.body.id}/approve`)
    .set(bearer(second.token))
    .send({ reason: 'confirmed with the employee' });
  expect(approved.status).toBe(200);
  expect(await lastUpdate(account.id)).toMatchObject({
    changed: expect.arrayContaining(['email', 'employeeNumber', 'costCentre']),
    after: { email: 'm***@example.com' },
  });
  await expectNoFactInTheTrail();
});
