import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, TestApp, unique } from './helpers/app';
import { Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * SCIM 2.0 provisioning as Okta and Entra ID do it: each client's documented request shapes, byte for byte where
 * it matters (Okta's SCIM 2.0 test plan; Entra's SCIM validator and its known quirks), against the real service.
 */
let t: TestApp;
let desk: Desk;
let secret: string;
let connectionId: string;
type Auth = { Authorization: string };
let admin: Auth;
let agent: Auth;
let service: Auth;

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_JSON = 'application/scim+json';
const RATE_LIMIT = 150;

beforeAll(async () => {
  t = await createTestApp(__filename, { SCIM_RATE_LIMIT: String(RATE_LIMIT) });
  desk = new Desk(t);
  admin = { Authorization: `Bearer ${t.adminToken}` };
  agent = { Authorization: `Bearer ${(await t.createStaff(['agent'])).token}` };
  service = { Authorization: `Bearer ${(await t.createStaff(['service'], { name: 'login app' })).token}` };
  const res = await t.http().post('/v1/scim-connections').set(admin).send({ name: 'Okta and Entra' }).expect(201);
  secret = res.body.secret;
  connectionId = res.body.connection.id;
  t.secrets.add(secret);
});
afterAll(() => t?.close());

const scim = () => ({ Authorization: `Bearer ${secret}`, 'Content-Type': SCIM_JSON, Accept: SCIM_JSON });
const get = (path: string) => t.http().get(`/scim/v2${path}`).set(scim());
const post = (path: string, body: unknown) => t.http().post(`/scim/v2${path}`).set(scim()).send(JSON.stringify(body));
const put = (path: string, body: unknown) => t.http().put(`/scim/v2${path}`).set(scim()).send(JSON.stringify(body));
const patch = (path: string, body: unknown) => t.http().patch(`/scim/v2${path}`).set(scim()).send(JSON.stringify(body));
const ops = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const phone = () => `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
const account = async (id: string) => (await t.http().get(`/v1/accounts/${id}`).set(admin).expect(200)).body;

async function enrol(accountId: string): Promise<string[]> {
  const res = await t.http().post(`/v1/accounts/${accountId}/code-sets`).set(service).expect(201);
  for (const code of res.body.codes) t.secrets.add(code);
  return res.body.codes;
}
const verify = (accountId: string, code: string) => t.http().post(`/v1/accounts/${accountId}/codes/verify`).set(service).send({ code });

/** Okta's create body (SCIM 2.0 test plan), with the mobile phone and enterprise attributes mapped. */
const oktaUser = (login: string, mobile: string, extra: Record<string, unknown> = {}) => ({
  schemas: [CORE, ENTERPRISE],
  userName: login,
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: login, type: 'work' }],
  phoneNumbers: [{ value: mobile, type: 'mobile' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: `00u${login.split('@')[0].replace(/[^A-Za-z0-9]/g, '')}`,
  groups: [],
  password: '1mP0ssible!',
  active: true,
  ...extra,
});

describe('discovery and authentication', () => {
  it('serves ServiceProviderConfig, ResourceTypes and Schemas as application/scim+json', async () => {
    const config = await get('/ServiceProviderConfig').expect(200);
    expect(config.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, etag: { supported: true }, bulk: { supported: false } });
    const types = await get('/ResourceTypes').expect(200);
    expect(types.body.Resources[0]).toMatchObject({ id: 'User', endpoint: '/Users', schemaExtensions: [{ schema: ENTERPRISE, required: false }] });
    const schemas = await get('/Schemas').expect(200);
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([CORE, ENTERPRISE]);
    await get(`/Schemas/${CORE}`).expect(200);
  });

  it('refuses a missing, wrong or staff token with a SCIM 401, and a revoked connection at once', async () => {
    const none = await t.http().get('/scim/v2/Users').expect(401);
    expect(none.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(none.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    await t.http().get('/scim/v2/Users').set(admin).expect(401);
    const other = await t.http().post('/v1/scim-connections').set(admin).send({ name: 'to revoke' }).expect(201);
    t.secrets.add(other.body.secret);
    await t
      .http()
      .get('/scim/v2/Users')
      .set({ Authorization: `Bearer ${other.body.secret}` })
      .expect(200);
    await t.http().post(`/v1/scim-connections/${other.body.connection.id}/revoke`).set(admin).expect(200);
    await t
      .http()
      .get('/scim/v2/Users')
      .set({ Authorization: `Bearer ${other.body.secret}` })
      .expect(401);
    const { rows } = await t.db.query('SELECT secret_hash FROM scim_connections WHERE id = $1', [other.body.connection.id]);
    expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].secret_hash).not.toContain(other.body.secret);
  });

  it('creates and revokes a connection from the CLI (npm run cli -- scim:connection-create), the secret printed once', async () => {
    const run = promisify(execFile);
    const options = { cwd: join(__dirname, '..'), env: { ...process.env, ...t.env } };
    const created = await run(process.execPath, ['dist/src/cli.js', 'scim:connection-create', '--name', 'Entra from the CLI'], options);
    const [, id, cliSecret] = /SCIM connection ([0-9a-f-]{36}) .*shown once:\n(\S+)/.exec(created.stdout)!;
    t.secrets.add(cliSecret);
    await t
      .http()
      .get('/scim/v2/Users?count=1')
      .set({ Authorization: `Bearer ${cliSecret}` })
      .expect(200);
    await run(process.execPath, ['dist/src/cli.js', 'scim:connection-revoke', '--id', id], options);
    await t
      .http()
      .get('/scim/v2/Users?count=1')
      .set({ Authorization: `Bearer ${cliSecret}` })
      .expect(401);
    const { rows } = await t.db.query(`SELECT actor_kind FROM audit_events WHERE target_id = $1 ORDER BY seq`, [id]);
    expect(rows.map((r: { actor_kind: string }) => r.actor_kind)).toEqual(['cli', 'directory', 'cli']);
  });

  it('audits each request with the connection as the actor, never the filter or the body', async () => {
    await get(`/Users?filter=${encodeURIComponent('userName eq "secret-looking@example.com"')}`).expect(200);
    const { rows } = await t.db.query(`SELECT actor_kind, actor_id, payload FROM audit_events WHERE action = 'scim.request' ORDER BY seq DESC LIMIT 1`);
    expect(rows[0]).toMatchObject({ actor_kind: 'directory', actor_id: connectionId, payload: { method: 'GET', resource: 'Users', status: 200 } });
    expect(JSON.stringify(rows[0].payload)).not.toContain('secret-looking');
  });

  it('rate-limits each connection on its own (SCIM_RATE_LIMIT a minute), answering 429 in SCIM format with Retry-After', async () => {
    const busy = await t.http().post('/v1/scim-connections').set(admin).send({ name: 'busy' }).expect(201);
    t.secrets.add(busy.body.secret);
    const statuses: number[] = [];
    for (let batch = 0; batch < RATE_LIMIT + 10; batch += 10) {
      const replies = await Promise.all(
        Array.from({ length: 10 }, () =>
          t
            .http()
            .get('/scim/v2/ServiceProviderConfig')
            .set({ Authorization: `Bearer ${busy.body.secret}` }),
        ),
      );
      statuses.push(...replies.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const refused = await t
      .http()
      .get('/scim/v2/ServiceProviderConfig')
      .set({ Authorization: `Bearer ${busy.body.secret}` })
      .expect(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body).toMatchObject({ status: '429' });
    await get('/ServiceProviderConfig').expect(200); // another connection is not held back
  });

  it('lets only admins create connections', async () => {
    await t.http().post('/v1/scim-connections').set(agent).send({ name: 'x' }).expect(403);
    await t.http().get('/v1/scim-connections').set(agent).expect(403);
  });
});

describe('Okta provisioning sequence', () => {
  it('Okta: userName eq lookup before create, create, PUT full updates, manager change, phone change, PATCH active false/true, 409 uniqueness on a duplicate', async () => {
    const login = `${unique('okta')}@example.com`.toLowerCase();
    const managerLogin = `${unique('boss')}@example.com`.toLowerCase();

    // Okta's lookup before create: an empty ListResponse means "create".
    const lookup = await get(`/Users?filter=${encodeURIComponent(`userName eq "${login}"`)}&startIndex=1&count=100`).expect(200);
    expect(lookup.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });

    const mobile = phone();
    const created = await post('/Users', oktaUser(login, mobile)).expect(201);
    expect(created.headers.location).toMatch(new RegExp(`/scim/v2/Users/${created.body.id}$`));
    expect(created.headers.etag).toBe(created.body.meta.version);
    expect(created.body).toMatchObject({
      userName: login,
      active: true,
      emails: [{ value: login, type: 'work', primary: true }],
      phoneNumbers: [{ value: mobile, type: 'mobile' }],
    });
    expect(created.body).not.toHaveProperty('password');
    const id = created.body.id as string;
    expect(await account(id)).toMatchObject({
      source: 'directory',
      status: 'active',
      tier: 'standard',
      email: login,
      phone: mobile,
      directoryChangedAt: expect.any(String),
      channelsChangedAt: null,
    });
    // The new hire's first sign-in at the login application enrols codes (before any channel change: after one,
    // a first enrolment is refused within the risk window).
    const codes = await enrol(id);

    // Okta: the same user again is a 409 with scimType uniqueness (userName case-insensitive), and writes nothing.
    const before = await t.snapshot();
    const duplicate = await post('/Users', oktaUser(login.toUpperCase(), phone(), { externalId: unique('X') })).expect(409);
    expect(duplicate.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect({ ...(await t.snapshot()), audit_events: 0 }).toEqual({ ...before, audit_events: 0 }); // the refusal itself is audited

    // The lookup now finds it (case-insensitively), with totalResults.
    const found = await get(`/Users?filter=${encodeURIComponent(`userName eq "${login.toUpperCase()}"`)}`).expect(200);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    await get(`/Users/${id}`).expect(200);

    // Okta PUT: the full profile, manager named by its id; the manager arrives later (resolved then).
    const managerExternalId = `00u${unique('m')}`;
    const put1 = await put(`/Users/${id}`, {
      ...oktaUser(login, mobile),
      id,
      name: { givenName: 'Tess', familyName: 'User' },
      displayName: 'Tess User',
      [ENTERPRISE]: { employeeNumber: '4411', costCenter: 'CC-1', manager: { value: managerExternalId } },
    }).expect(200);
    expect(put1.body).toMatchObject({
      displayName: 'Tess User',
      [ENTERPRISE]: { employeeNumber: '4411', costCenter: 'CC-1', manager: { value: managerExternalId } },
    });
    expect((await account(id)).managerId).toBeNull();
    const manager = await post('/Users', oktaUser(managerLogin, phone(), { externalId: managerExternalId })).expect(201);
    expect((await account(id)).managerId).toBe(manager.body.id);
    expect((await get(`/Users/${id}`).expect(200)).body[ENTERPRISE].manager.value).toBe(manager.body.id);

    // Phone change pushed by PUT: applied at once, and the channel-change time stamped.
    const newMobile = phone();
    await put(`/Users/${id}`, { ...oktaUser(login, newMobile), id, [ENTERPRISE]: { manager: { value: manager.body.id } } }).expect(200);
    const changed = await account(id);
    expect(changed).toMatchObject({ phone: newMobile, channelsChangedAt: expect.any(String) });

    // The next ticket for this account carries the risk signal.
    const ticket = await desk.open(agent, { id } as never);
    const view = (await t.http().get(`/v1/tickets/${ticket.id}`).set(agent).expect(200)).body;
    expect(view.signals.map((s: { signal: string }) => s.signal)).toContain('channel_recently_changed');

    // Okta deactivates with PATCH active false: codes stop verifying, the live ticket is cancelled, security told.
    const off = await patch(`/Users/${id}`, ops({ op: 'replace', value: { active: false } })).expect(200);
    expect(off.body.active).toBe(false);
    expect(await account(id)).toMatchObject({ status: 'deactivated', source: 'directory' });
    expect((await verify(id, codes[0]).expect(200)).body.valid).toBe(false);
    expect((await t.http().get(`/v1/tickets/${ticket.id}`).set(agent).expect(200)).body.state).toBe('cancelled');
    const { rows: revoked } = await t.db.query('SELECT revoked_at, revoke_reason FROM code_sets WHERE account_id = $1', [id]);
    expect(revoked.every((r: { revoked_at: Date | null }) => r.revoked_at !== null)).toBe(true);
    await eventually(() => t.inbox().some((m) => m.template === 'security.account_deactivated' && m.body.includes(id)), 'the alert to security');

    // Re-activation: the account works again, the old codes do not come back.
    await patch(`/Users/${id}`, ops({ op: 'replace', value: { active: true } })).expect(200);
    expect((await account(id)).status).toBe('active');
    expect((await verify(id, codes[1]).expect(200)).body.valid).toBe(false);
    // Nor does a second first enrolment: new codes come only through a recovery ticket.
    expect((await t.http().post(`/v1/accounts/${id}/code-sets`).set(service).expect(409)).body.message).toContain('recovery ticket');

    const { body: connections } = await t.http().get('/v1/scim-connections').set(admin).expect(200);
    const mine = connections.find((c: { id: string }) => c.id === connectionId);
    expect(mine).toMatchObject({ lastRequestAt: expect.any(String), creates: expect.any(Number), deactivations: expect.any(Number) });
    expect(mine.creates).toBeGreaterThanOrEqual(2);
    expect(mine.deactivations).toBeGreaterThanOrEqual(1);
    expect(mine.lastErrors[0]).toMatchObject({ status: 409, scimType: 'uniqueness' });
  });
});

describe('Entra ID provisioning sequence', () => {
  /** Entra's create (SCIM validator shape): externalId from mailNickname, enterprise extension, "True" as a string. */
  const entraUser = (upn: string, mobile: string, extra: Record<string, unknown> = {}) => ({
    schemas: [CORE, ENTERPRISE],
    externalId: upn.split('@')[0],
    userName: upn,
    active: true,
    displayName: 'Entra Person',
    emails: [{ primary: true, type: 'work', value: upn }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Entra Person', familyName: 'Person', givenName: 'Entra' },
    phoneNumbers: [{ type: 'mobile', value: mobile }],
    userType: 'Member',
    [ENTERPRISE]: { employeeNumber: '900', department: 'Finance' },
    ...extra,
  });

  it('Entra: lookup, create, "op":"Replace" in any case, emails[type eq "work"].value paths, manager as a string, "active":"False" alone, reactivate', async () => {
    const upn = `${unique('entra')}@contoso.com`.toLowerCase();
    const bossUpn = `${unique('entraboss')}@contoso.com`.toLowerCase();
    // Entra queries by the matching attribute first.
    const none = await get(`/Users?filter=${encodeURIComponent(`userName eq "${upn}"`)}`).expect(200);
    expect(none.body.totalResults).toBe(0);
    const boss = await post('/Users', entraUser(bossUpn, phone())).expect(201);
    const created = await post('/Users', entraUser(upn, phone())).expect(201);
    const id = created.body.id as string;
    const codes = await enrol(id); // the first sign-in, before the directory changes a channel
    // Entra also looks up by externalId and by work e-mail.
    expect((await get(`/Users?filter=${encodeURIComponent(`externalId eq "${upn.split('@')[0]}"`)}`).expect(200)).body.Resources[0].id).toBe(id);
    expect((await get(`/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${upn}"`)}`).expect(200)).body.Resources[0].id).toBe(id);

    // "Replace" capitalised, several attributes in one request (Entra's update shape).
    await patch(
      `/Users/${id}`,
      ops({ op: 'Replace', path: 'displayName', value: 'Entra Renamed' }, { op: 'Add', path: 'name.givenName', value: 'Entra2' }),
    ).expect(200);
    // Work e-mail by a filtered value path.
    const newMail = `${unique('moved')}@contoso.com`.toLowerCase();
    const mailed = await patch(`/Users/${id}`, ops({ op: 'Replace', path: 'emails[type eq "work"].value', value: newMail })).expect(200);
    expect(mailed.body.emails[0].value).toBe(newMail);
    const afterMail = await account(id);
    expect(afterMail).toMatchObject({ email: newMail, displayName: 'Entra Renamed', channelsChangedAt: expect.any(String) });
    // Manager as a bare id string (Entra's habit).
    await patch(`/Users/${id}`, ops({ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.body.id })).expect(200);
    expect((await account(id)).managerId).toBe(boss.body.id);
    // Mobile by phoneNumbers[type eq "mobile"].value.
    const mobile = phone();
    await patch(`/Users/${id}`, ops({ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: mobile })).expect(200);
    expect((await account(id)).phone).toBe(mobile);

    // Entra's disable: one PATCH, active alone, as the string "False".
    const disabled = await patch(`/Users/${id}`, ops({ op: 'Replace', path: 'active', value: 'False' })).expect(200);
    expect(disabled.body.active).toBe(false);
    expect((await verify(id, codes[0]).expect(200)).body.valid).toBe(false);
    await patch(`/Users/${id}`, ops({ op: 'replace', path: 'active', value: 'True' })).expect(200);
    expect((await account(id)).status).toBe('active');
    expect((await verify(id, codes[0]).expect(200)).body.valid).toBe(false);

    // Entra removes the manager.
    await patch(`/Users/${id}`, ops({ op: 'Remove', path: `${ENTERPRISE}:manager` })).expect(200);
    expect((await account(id)).managerId).toBeNull();
  });
});

describe('versions, deletes and refusals', () => {
  it('honours If-Match: a stale version gets 412 and changes nothing; the current one goes through', async () => {
    const login = `${unique('etag')}@example.com`.toLowerCase();
    const created = await post('/Users', oktaUser(login, phone())).expect(201);
    const id = created.body.id;
    const first = created.headers.etag;
    await t
      .http()
      .patch(`/scim/v2/Users/${id}`)
      .set({ ...scim(), 'If-Match': first })
      .send(JSON.stringify(ops({ op: 'replace', path: 'displayName', value: 'One' })))
      .expect(200);
    const stale = await t
      .http()
      .patch(`/scim/v2/Users/${id}`)
      .set({ ...scim(), 'If-Match': first })
      .send(JSON.stringify(ops({ op: 'replace', path: 'displayName', value: 'Two' })))
      .expect(412);
    expect(stale.body).toMatchObject({ status: '412' });
    expect((await account(id)).displayName).toBe('One');
  });

  it('parallel PATCHes naming the same If-Match version: exactly one wins, the others get 412', async () => {
    const created = await post('/Users', oktaUser(`${unique('race')}@example.com`.toLowerCase(), phone())).expect(201);
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t
          .http()
          .patch(`/scim/v2/Users/${created.body.id}`)
          .set({ ...scim(), 'If-Match': created.headers.etag })
          .send(JSON.stringify(ops({ op: 'replace', path: 'displayName', value: `Racer ${i}` }))),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
    const winner = replies.find((r) => r.status === 200)!;
    expect((await account(created.body.id)).displayName).toBe(winner.body.displayName);
  });

  it('an admin deactivating by PATCH /v1/accounts runs the same steps (one account-change method): codes revoked, security told', async () => {
    const created = await post('/Users', oktaUser(`${unique('adm')}@example.com`.toLowerCase(), phone())).expect(201);
    const codes = await enrol(created.body.id);
    await t.http().patch(`/v1/accounts/${created.body.id}`).set(admin).send({ status: 'deactivated' }).expect(200);
    expect((await verify(created.body.id, codes[0]).expect(200)).body.valid).toBe(false);
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM code_sets WHERE account_id = $1 AND revoked_at IS NULL', [created.body.id]);
    expect(rows[0].n).toBe(0);
    // The alert leaves through the outbox relay, a worker: it arrives after the answer, not with it.
    await eventually(() => t.inbox().some((m) => m.template === 'security.account_deactivated' && m.body.includes(created.body.id)), 'the alert to security');
    expect((await get(`/Users/${created.body.id}`).expect(200)).body.active).toBe(false);
  });

  it('DELETE deactivates and keeps the record', async () => {
    const created = await post('/Users', oktaUser(`${unique('del')}@example.com`.toLowerCase(), phone())).expect(201);
    await t.http().delete(`/scim/v2/Users/${created.body.id}`).set(scim()).expect(204);
    expect((await account(created.body.id)).status).toBe('deactivated');
    expect((await get(`/Users/${created.body.id}`).expect(200)).body.active).toBe(false);
  });

  it('pages with startIndex and count, totalResults counting every match', async () => {
    const all = await get('/Users?count=1&startIndex=2').expect(200);
    expect(all.body.itemsPerPage).toBe(1);
    expect(all.body.startIndex).toBe(2);
    expect(all.body.totalResults).toBeGreaterThan(2);
    expect((await get('/Users?count=0').expect(200)).body.Resources).toEqual([]);
  });

  it.each([
    ['an unparseable filter', '/Users?filter=userName%20xx%20%22a%22', 'invalidFilter'],
    ['a filter without a value', '/Users?filter=userName%20eq', 'invalidFilter'],
    ['an unknown attribute', '/Users?filter=password%20eq%20%22x%22', 'invalidFilter'],
  ])('refuses %s with 400 %s', async (_what, path, scimType) => {
    const res = await get(path).expect(400);
    expect(res.body).toMatchObject({ status: '400', scimType });
  });

  it('a PATCH with a bad path or value is a SCIM 400 and writes nothing (not even the good operations before it)', async () => {
    const created = await post('/Users', oktaUser(`${unique('bad')}@example.com`.toLowerCase(), phone())).expect(201);
    const before = await t.snapshot();
    const a = await patch(
      `/Users/${created.body.id}`,
      ops({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'nope[', value: 1 }),
    ).expect(400);
    expect(a.body.scimType).toBe('invalidPath');
    const b = await patch(`/Users/${created.body.id}`, ops({ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '07700 900234' })).expect(400);
    expect(b.body.scimType).toBe('invalidValue');
    const c = await t.http().post('/scim/v2/Users').set(scim()).send('{"userName": ').expect(400);
    expect(c.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await get(`/Users/${created.body.id}`).expect(200)).body.displayName).toBe('Test User');
    const after = await t.snapshot();
    expect({ ...after, audit_events: 0, scim_connections: 0 }).toEqual({ ...before, audit_events: 0, scim_connections: 0 });
  });
});
