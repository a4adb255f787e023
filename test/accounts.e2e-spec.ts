import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, TestApp, unique } from './helpers/app';

let t: TestApp;
let agentToken: string;
let approverToken: string;
const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

beforeAll(async () => {
  t = await createTestApp(__filename);
  agentToken = (await t.createStaff(['agent'])).token;
  approverToken = (await t.createStaff(['approver'])).token;
});
afterAll(() => t?.close());

const valid = () => {
  const externalId = unique('E');
  return {
    externalId,
    displayName: 'Jane Doe',
    tier: 'privileged',
    email: `${externalId}@Example.com`,
    phone: '+447700900234',
    employeeNumber: '10442',
    costCentre: 'CC-4410',
  };
};

describe('creating and updating accounts', () => {
  it('creates an account, normalising the e-mail, and audits it with channels masked', async () => {
    const body = valid();
    const res = await t.http().post('/v1/accounts').set(admin()).send(body).expect(201);
    expect(res.body).toMatchObject({ ...body, email: body.email.toLowerCase(), status: 'active', masked: false });
    const audit = await t.http().get(`/v1/audit?target=${res.body.id}`).set(admin()).expect(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'account.created', payload: { email: expect.stringMatching(/^.\*\*\*@example\.com$/) } });
  });

  const badFields: [string, unknown][] = [
    ['externalId', ''],
    ['externalId', 'has spaces'],
    ['displayName', ''],
    ['displayName', 'x'.repeat(201)],
    ['displayName', 'bell\u0007'],
    ['tier', 'gold'],
    ['email', 'not-an-email'],
    ['email', 42],
    ['phone', '07700 900234'],
    ['phone', '+0123'],
    ['managerId', 'not-a-uuid'],
    ['employeeNumber', 'no spaces please'],
    ['costCentre', '<script>'],
  ];
  it.each(badFields)('refuses a bad %s (%j) with a 400 naming it, writing nothing', async (field, value) => {
    const before = await t.snapshot();
    const res = await t
      .http()
      .post('/v1/accounts')
      .set(admin())
      .send({ ...valid(), [field]: value })
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toContain(field);
    expect(res.body.details.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    expect(await t.snapshot()).toEqual(before);
  });

  it.each(['externalId', 'displayName', 'tier', 'email', 'phone'])('refuses a missing %s', async (field) => {
    const body: Record<string, unknown> = valid();
    delete body[field];
    const before = await t.snapshot();
    const res = await t.http().post('/v1/accounts').set(admin()).send(body).expect(400);
    expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses an unknown field rather than dropping it', async () => {
    const res = await t
      .http()
      .post('/v1/accounts')
      .set(admin())
      .send({ ...valid(), isAdmin: true })
      .expect(400);
    expect(res.body.message).toBe('isAdmin is not an accepted field');
  });

  it('refuses a duplicate externalId with 409 and writes nothing', async () => {
    const body = valid();
    await t.http().post('/v1/accounts').set(admin()).send(body).expect(201);
    const before = await t.snapshot();
    const res = await t
      .http()
      .post('/v1/accounts')
      .set(admin())
      .send({ ...valid(), externalId: body.externalId })
      .expect(409);
    expect(res.body.details.fields[0].field).toBe('externalId');
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses a manager that does not exist, and a reporting loop', async () => {
    const res = await t
      .http()
      .post('/v1/accounts')
      .set(admin())
      .send({ ...valid(), managerId: '00000000-0000-4000-8000-000000000000' })
      .expect(400);
    expect(res.body.message).toBe('managerId does not name an existing account');

    const boss = await t.createAccount();
    const report = await t.createAccount({ managerId: boss.id });
    const loop = await t.http().patch(`/v1/accounts/${boss.id}`).set(admin()).send({ managerId: report.id }).expect(400);
    expect(loop.body.message).toBe('managerId would make a reporting loop');
    await t.http().patch(`/v1/accounts/${boss.id}`).set(admin()).send({ managerId: boss.id }).expect(400);
  });

  it('updates fields, stamps a channel change, and deactivates', async () => {
    const account = await t.createAccount();
    expect(account.channelsChangedAt).toBeNull();
    const renamed = await t.http().patch(`/v1/accounts/${account.id}`).set(admin()).send({ displayName: 'New Name' }).expect(200);
    expect(renamed.body.channelsChangedAt).toBeNull();
    const moved = await t.http().patch(`/v1/accounts/${account.id}`).set(admin()).send({ phone: '+15555550100' }).expect(200);
    expect(moved.body.channelsChangedAt).toEqual(expect.any(String));
    const off = await t.http().patch(`/v1/accounts/${account.id}`).set(admin()).send({ status: 'deactivated' }).expect(200);
    expect(off.body.status).toBe('deactivated');
    const audit = await t.http().get(`/v1/audit?target=${account.id}`).set(admin()).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['account.deactivated', 'account.updated', 'account.updated', 'account.created']);
    expect(audit.body.items[1].payload).toEqual({ changed: ['phone'], before: { phone: expect.any(String) }, after: { phone: '*** *** **00' } });
  });

  it('refuses account changes by anyone but an admin', async () => {
    const account = await t.createAccount();
    await t
      .http()
      .patch(`/v1/accounts/${account.id}`)
      .set({ Authorization: `Bearer ${agentToken}` })
      .send({ tier: 'critical' })
      .expect(403);
    await t
      .http()
      .post('/v1/accounts')
      .set({ Authorization: `Bearer ${approverToken}` })
      .send(valid())
      .expect(403);
  });
});

describe('reading accounts', () => {
  it('masks registered channels and hides directory facts from agents and approvers', async () => {
    const account = await t.createAccount({ email: 'jane.doe@example.com', phone: '+447700900234', employeeNumber: '10442' });
    for (const token of [agentToken, approverToken]) {
      const res = await t
        .http()
        .get(`/v1/accounts/${account.id}`)
        .set({ Authorization: `Bearer ${token}` })
        .expect(200);
      expect(res.body).toMatchObject({ email: 'j***@example.com', phone: '*** *** **34', masked: true });
      expect(res.body).not.toHaveProperty('employeeNumber');
      expect(res.body).not.toHaveProperty('costCentre');
      expect(JSON.stringify(res.body)).not.toMatch(/jane\.doe|900234|10442/);
    }
    const full = await t.http().get(`/v1/accounts/${account.id}`).set(admin()).expect(200);
    expect(full.body).toMatchObject({ email: 'jane.doe@example.com', phone: '+447700900234', employeeNumber: '10442', masked: false });
  });

  it('searches by exact e-mail, external id or part of the name, masked, in keyset pages', async () => {
    const tag = unique('Zed');
    const accounts = [];
    for (let i = 0; i < 5; i += 1) accounts.push(await t.createAccount({ displayName: `${tag} ${i}` }));
    const agent = { Authorization: `Bearer ${agentToken}` };
    const first = await t.http().get(`/v1/accounts?q=${tag}&limit=2`).set(agent).expect(200);
    expect(first.body.items.map((a: { displayName: string }) => a.displayName)).toEqual([`${tag} 0`, `${tag} 1`]);
    const second = await t.http().get(`/v1/accounts?q=${tag}&limit=2&cursor=${first.body.nextCursor}`).set(agent).expect(200);
    const third = await t.http().get(`/v1/accounts?q=${tag}&limit=2&cursor=${second.body.nextCursor}`).set(agent).expect(200);
    expect([...second.body.items, ...third.body.items].map((a: { displayName: string }) => a.displayName)).toEqual([`${tag} 2`, `${tag} 3`, `${tag} 4`]);
    expect(third.body.nextCursor).toBeNull();
    expect(first.body.items.every((a: { masked: boolean }) => a.masked)).toBe(true);

    const byEmail = await t
      .http()
      .get(`/v1/accounts?q=${encodeURIComponent(accounts[3].email.toUpperCase())}`)
      .set(agent)
      .expect(200);
    expect(byEmail.body.items.map((a: { id: string }) => a.id)).toEqual([accounts[3].id]);
    const byExternal = await t.http().get(`/v1/accounts?q=${accounts[4].externalId}`).set(agent).expect(200);
    expect(byExternal.body.items.map((a: { id: string }) => a.id)).toEqual([accounts[4].id]);
    const wildcard = await t.http().get(`/v1/accounts?q=%25`).set(agent).expect(200);
    expect(wildcard.body.items).toEqual([]);
  });

  it('answers 404 for an unknown id and 400 for a malformed one or a forged cursor', async () => {
    const agent = { Authorization: `Bearer ${agentToken}` };
    await t.http().get('/v1/accounts/00000000-0000-4000-8000-000000000000').set(agent).expect(404);
    const bad = await t.http().get('/v1/accounts/123').set(agent).expect(400);
    expect(bad.body.message).toBe('id must be a UUID');
    const cursor = await t.http().get('/v1/accounts?cursor=bm9wZQ').set(agent).expect(400);
    expect(cursor.body.message).toMatch(/^cursor/);
    await t.http().get('/v1/accounts?limit=0').set(agent).expect(400);
    await t.http().get('/v1/accounts?limit=abc').set(agent).expect(400);
  });
});

describe('importing a directory export', () => {
  const csv = (prefix: string) =>
    [
      'external_id,display_name,tier,email,phone,manager_external_id,employee_number,cost_centre',
      `${prefix}-boss,Big Boss,critical,boss@${prefix}.example.com,+447700900001,,1,CC-1`,
      `${prefix}-a,Alice,privileged,alice@${prefix}.example.com,+447700900002,${prefix}-boss,2,CC-1`,
      `${prefix}-b,Bob,galactic,bob@${prefix}.example.com,+447700900003,${prefix}-boss,3,CC-1`,
      `${prefix}-c,Carol,standard,not-an-email,+447700900004,,4,CC-1`,
      `${prefix}-d,Dan,standard,dan@${prefix}.example.com,+447700900005,${prefix}-nobody,5,CC-1`,
      `${prefix}-e,Eve,standard,eve@${prefix}.example.com,+447700900006,${prefix}-f,6,CC-1`,
      `${prefix}-f,Frank,standard,frank@${prefix}.example.com,+447700900007,,7,`,
      `${prefix}-a,Alice Again,standard,alice2@${prefix}.example.com,+447700900008,,8,CC-1`,
    ].join('\n');

  it('creates the good rows, reports each bad row with its reason, and is idempotent', async () => {
    const prefix = unique('imp').toLowerCase();
    const res = await t
      .http()
      .post('/v1/accounts/import')
      .set(admin())
      .send({ format: 'csv', content: csv(prefix) })
      .expect(200);
    expect(res.body).toMatchObject({ rows: 8, created: 4, updated: 0, unchanged: 0 });
    expect(res.body.rejected).toEqual([
      { row: 3, externalId: `${prefix}-b`, errors: ['tier must be one of the following values: standard, privileged, critical'] },
      { row: 4, externalId: `${prefix}-c`, errors: ['email must be an e-mail address'] },
      { row: 5, externalId: `${prefix}-d`, errors: [`managerExternalId ${prefix}-nobody names no account`] },
      { row: 8, externalId: `${prefix}-a`, errors: [`externalId ${prefix}-a repeats row 2`] },
    ]);
    const { rows } = await t.db.query(
      `SELECT a.external_id, m.external_id AS manager FROM accounts a LEFT JOIN accounts m ON m.id = a.manager_id
       WHERE a.external_id LIKE $1 ORDER BY 1`,
      [`${prefix}-%`],
    );
    expect(rows).toEqual(
      [
        { external_id: `${prefix}-a`, manager: `${prefix}-boss` },
        { external_id: `${prefix}-boss`, manager: null },
        { external_id: `${prefix}-d`, manager: null },
        { external_id: `${prefix}-e`, manager: `${prefix}-f` },
        { external_id: `${prefix}-f`, manager: null },
      ].filter((r) => r.external_id !== `${prefix}-d`),
    );

    const again = await t
      .http()
      .post('/v1/accounts/import')
      .set(admin())
      .send({ format: 'csv', content: csv(prefix) })
      .expect(200);
    expect(again.body).toMatchObject({ rows: 8, created: 0, updated: 0, unchanged: 4 });
  });

  it('updates changed rows from a JSON export and rejects rows that are not objects', async () => {
    const prefix = unique('json').toLowerCase();
    const base = { displayName: 'Gina', tier: 'standard', email: `gina@${prefix}.example.com`, phone: '+447700900010' };
    await t
      .http()
      .post('/v1/accounts/import')
      .set(admin())
      .send({ format: 'json', content: JSON.stringify([{ externalId: `${prefix}-g`, ...base }]) })
      .expect(200);
    const res = await t
      .http()
      .post('/v1/accounts/import')
      .set(admin())
      .send({
        format: 'json',
        content: JSON.stringify([{ externalId: `${prefix}-g`, ...base, tier: 'critical' }, 'just a string', { externalId: `${prefix}-h`, ...base, extra: 1 }]),
      })
      .expect(200);
    expect(res.body).toMatchObject({ rows: 3, created: 0, updated: 1, unchanged: 0 });
    expect(res.body.rejected.map((r: { row: number }) => r.row)).toEqual([2, 3]);
    expect(res.body.rejected[0].errors).toEqual(['row is not an object']);
    expect(res.body.rejected[1].errors).toEqual(['extra is not an accepted field']);
  });

  it('refuses content that is not CSV or JSON at all with a 400 and writes nothing', async () => {
    const before = await t.snapshot();
    const res = await t.http().post('/v1/accounts/import').set(admin()).send({ format: 'json', content: '{"not":"an array"}' }).expect(400);
    expect(res.body.message).toBe('content must be a JSON array of account objects');
    await t.http().post('/v1/accounts/import').set(admin()).send({ format: 'csv', content: 'a,b\n"unterminated' }).expect(400);
    expect(await t.snapshot()).toEqual(before);
  });

  it('imports through the CLI (npm run cli -- accounts:import FILE) with a per-row report', async () => {
    const prefix = unique('cli').toLowerCase();
    const dir = mkdtempSync(join(tmpdir(), 'rd-import-'));
    const file = join(dir, 'directory.csv');
    writeFileSync(file, csv(prefix));
    const run = promisify(execFile);
    const result = await run(process.execPath, ['dist/src/cli.js', 'accounts:import', file], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, ...t.env, LOG_FILE: join(dir, 'cli.log') },
    }).catch((error: { code: number; stdout: string }) => error);
    expect((result as { code?: number }).code).toBe(2); // some rows rejected
    expect(result.stdout).toContain('8 rows: 4 created, 0 updated, 0 unchanged, 4 rejected');
    expect(result.stdout).toContain(`row 4 (${prefix}-c): email must be an e-mail address`);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM accounts WHERE external_id LIKE $1`, [`${prefix}-%`]);
    expect(rows[0].n).toBe(4);
    const audit = await t.db.query(`SELECT actor_kind FROM audit_events WHERE action = 'accounts.imported' ORDER BY seq DESC LIMIT 1`);
    expect(audit.rows[0].actor_kind).toBe('cli');
  });
});
