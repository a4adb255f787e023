import fc from 'fast-check';
import { createTestApp, TestApp, unique } from './helpers/app';

/**
 * Random sequences of SCIM operations against the real service, compared with a reference model of the user
 * store (attributes, active flag, manager links); and fuzzed filters, PATCH paths and bodies, which must get a
 * SCIM 400 with a scimType, never a 5xx, and never write part of a request.
 *   FUZZ_RUNS=60   fuzz cases per target (default 200); SCIM_MODEL_RUNS=20 sequences (default 15)
 */
let t: TestApp;
let scim: Record<string, string>;
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const MODEL_RUNS = Number(process.env.SCIM_MODEL_RUNS ?? 15);

beforeAll(async () => {
  t = await createTestApp(__filename, { SCIM_RATE_LIMIT: '100000' });
  const res = await t
    .http()
    .post('/v1/scim-connections')
    .set({ Authorization: `Bearer ${t.adminToken}` })
    .send({ name: 'model' })
    .expect(201);
  t.secrets.add(res.body.secret);
  scim = { Authorization: `Bearer ${res.body.secret}`, 'Content-Type': 'application/scim+json' };
});
afterAll(() => t?.close());

const send = (method: 'post' | 'put' | 'patch' | 'delete' | 'get', path: string, body?: unknown) => {
  const req = t.http()[method](`/scim/v2${path}`).set(scim);
  return body === undefined ? req : req.send(JSON.stringify(body));
};
const ops = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

interface ModelUser {
  id?: string;
  externalId: string;
  userName: string;
  displayName: string;
  email: string;
  phone: string;
  active: boolean;
  employeeNumber: string | null;
  /** Index into the pool of the manager named, resolved or not. */
  manager: number | null;
}

type Command =
  | { kind: 'create'; user: number; displayName: string; phone: string }
  | { kind: 'put'; user: number; displayName: string; phone: string; employeeNumber: string | null }
  | { kind: 'rename'; user: number; displayName: string }
  | { kind: 'phone'; user: number; phone: string }
  | { kind: 'email'; user: number; local: string }
  | { kind: 'active'; user: number; active: boolean; entra: boolean }
  | { kind: 'manager'; user: number; manager: number }
  | { kind: 'unmanage'; user: number }
  | { kind: 'delete'; user: number };

const POOL = 4;
const user = fc.integer({ min: 0, max: POOL - 1 });
const name = fc.constantFrom('Ann Lee', 'Bo Chan', 'Cy Dee', 'Di Eve');
const phone = fc.integer({ min: 10000, max: 99999 }).map((n) => `+4477009${n}`);
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('create' as const), user, displayName: name, phone }), weight: 4 },
  fc.record({ kind: fc.constant('put' as const), user, displayName: name, phone, employeeNumber: fc.option(fc.constantFrom('100', '200'), { nil: null }) }),
  fc.record({ kind: fc.constant('rename' as const), user, displayName: name }),
  fc.record({ kind: fc.constant('phone' as const), user, phone }),
  fc.record({ kind: fc.constant('email' as const), user, local: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('active' as const), user, active: fc.boolean(), entra: fc.boolean() }),
  fc.record({ kind: fc.constant('manager' as const), user, manager: user }),
  fc.record({ kind: fc.constant('unmanage' as const), user }),
  fc.record({ kind: fc.constant('delete' as const), user }),
);

/** Whether making `manager` the manager of `user` would close a loop through resolved links. */
function loops(model: (ModelUser | undefined)[], userIndex: number, manager: number): boolean {
  let at: number | null = manager;
  for (let steps = 0; at !== null && steps <= POOL; steps++) {
    if (at === userIndex) return true;
    const next: ModelUser | undefined = model[at];
    at = next?.id && next.manager !== null && model[next.manager]?.id ? next.manager : null;
  }
  return false;
}

async function step(model: (ModelUser | undefined)[], prefix: string, c: Command): Promise<void> {
  const current = model[c.user];
  const userName = `${prefix}-${c.user}@example.com`;
  const body = (u: ModelUser) => ({
    schemas: [CORE, ENTERPRISE],
    userName: u.userName,
    externalId: u.externalId,
    displayName: u.displayName,
    active: u.active,
    emails: [{ value: u.email, type: 'work', primary: true }],
    phoneNumbers: [{ value: u.phone, type: 'mobile' }],
    [ENTERPRISE]: {
      ...(u.employeeNumber && { employeeNumber: u.employeeNumber }),
      ...(u.manager !== null && { manager: { value: `${prefix}-${u.manager}` } }),
    },
  });
  if (c.kind === 'create') {
    const next: ModelUser = {
      externalId: `${prefix}-${c.user}`,
      userName,
      displayName: c.displayName,
      email: userName,
      phone: c.phone,
      active: true,
      employeeNumber: null,
      manager: null,
    };
    const res = await send('post', '/Users', body(next));
    if (current) {
      expect(res.status).toBe(409);
      expect(res.body.scimType).toBe('uniqueness');
      return;
    }
    expect(res.status).toBe(201);
    model[c.user] = { ...next, id: res.body.id };
    return;
  }
  if (!current) return;
  const path = `/Users/${current.id}`;
  const expectOk = async (res: { status: number; body: { scimType?: string } }, next: ModelUser, refused = false) => {
    if (refused) {
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidValue');
      return;
    }
    expect(res.status).toBeLessThan(300);
    model[c.user] = next;
  };
  switch (c.kind) {
    case 'put': {
      const next = { ...current, displayName: c.displayName, phone: c.phone, employeeNumber: c.employeeNumber };
      return expectOk(await send('put', path, body(next)), next, next.manager !== null && loops(model, c.user, next.manager));
    }
    case 'rename':
      return expectOk(await send('patch', path, ops({ op: 'Replace', path: 'displayName', value: c.displayName })), { ...current, displayName: c.displayName });
    case 'phone':
      return expectOk(await send('patch', path, ops({ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: c.phone })), {
        ...current,
        phone: c.phone,
      });
    case 'email': {
      const email = `${c.local}.${prefix}-${c.user}@example.com`;
      return expectOk(await send('patch', path, ops({ op: 'replace', path: 'emails[type eq "work"].value', value: email })), { ...current, email });
    }
    case 'active': {
      const value = c.entra ? (c.active ? 'True' : 'False') : c.active;
      return expectOk(await send('patch', path, ops({ op: c.entra ? 'Replace' : 'replace', path: 'active', value })), { ...current, active: c.active });
    }
    case 'manager': {
      const refused = c.manager === c.user || loops(model, c.user, c.manager);
      return expectOk(
        await send('patch', path, ops({ op: 'Add', path: `${ENTERPRISE}:manager`, value: `${prefix}-${c.manager}` })),
        { ...current, manager: c.manager },
        refused,
      );
    }
    case 'unmanage':
      return expectOk(await send('patch', path, ops({ op: 'remove', path: `${ENTERPRISE}:manager` })), { ...current, manager: null });
    case 'delete': {
      const res = await send('delete', path);
      expect(res.status).toBe(204);
      model[c.user] = { ...current, active: false };
    }
  }
}

async function compare(model: (ModelUser | undefined)[], prefix: string): Promise<void> {
  const list = await send('get', `/Users?filter=${encodeURIComponent(`externalId sw "${prefix}-"`)}`).expect(200);
  expect(list.body.totalResults).toBe(model.filter(Boolean).length);
  for (const u of model) {
    if (!u) continue;
    const { body } = await send('get', `/Users/${u.id}`).expect(200);
    const managerId = u.manager === null ? undefined : (model[u.manager]?.id ?? `${prefix}-${u.manager}`);
    expect({
      displayName: body.displayName,
      email: body.emails[0].value,
      phone: body.phoneNumbers[0].value,
      active: body.active,
      employeeNumber: body[ENTERPRISE].employeeNumber ?? null,
      manager: body[ENTERPRISE].manager?.value,
    }).toEqual({
      displayName: u.displayName,
      email: u.email,
      phone: u.phone,
      active: u.active,
      employeeNumber: u.employeeNumber,
      manager: managerId,
    });
    const { rows } = await t.db.query('SELECT status, manager_id FROM accounts WHERE id = $1', [u.id]);
    expect(rows[0].status).toBe(u.active ? 'active' : 'deactivated');
    expect(rows[0].manager_id).toBe(u.manager !== null && model[u.manager]?.id ? model[u.manager]!.id : null);
  }
}

describe('SCIM against a reference model', () => {
  it('random sequences of creates, PUTs, PATCHes (Okta and Entra forms), manager links and deletes match the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 14 }), async (commands) => {
        const prefix = unique('m').toLowerCase();
        const model: (ModelUser | undefined)[] = [];
        for (const c of commands) await step(model, prefix, c);
        await compare(model, prefix);
      }),
      { numRuns: MODEL_RUNS },
    );
  });
});

describe('SCIM fuzz', () => {
  const isScim400 = (res: { status: number; body: { status?: string; scimType?: string } }) =>
    res.status === 400 && res.body.status === '400' && typeof res.body.scimType === 'string';

  const filterText = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc
      .tuple(
        fc.constantFrom(
          'userName',
          'externalId',
          'emails[type eq "work"].value',
          'emails[type eq',
          'name.givenName',
          'active',
          'meta.lastModified',
          `${ENTERPRISE}:manager.value`,
          'nope',
          '(',
          'not(',
          'emails[value',
        ),
        fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'pr', 'xx', ''),
        fc.constantFrom('"a"', '5', 'true', '"2020-01-01T00:00:00Z"', '', '"', 'null', '"x" and', '"x" or userName eq "y"', ')'),
      )
      .map(([a, o, v]) => `${a} ${o} ${v}`),
  );

  it('a malformed filter gets 200 or a SCIM 400 with scimType, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(filterText, async (filter) => {
        const res = await send('get', `/Users?filter=${encodeURIComponent(filter)}`);
        expect(res.status === 200 || isScim400(res)).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  const value = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.dictionary(fc.constantFrom('value', 'type', 'active', 'displayName', 'x'), fc.oneof(fc.string({ maxLength: 8 }), fc.boolean())),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
  );
  const path = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom(
      'active',
      'displayName',
      'userName',
      'emails[type eq "work"].value',
      'phoneNumbers[type eq "mobile"].value',
      'phoneNumbers[type eq "mobile"]',
      'emails[type eq',
      'name.givenName',
      `${ENTERPRISE}:manager`,
      `${ENTERPRISE}:employeeNumber`,
      'meta.version',
      'id',
      'groups',
      'emails[value co "@"]',
    ),
  );
  const operation = fc.record(
    {
      op: fc.constantFrom('add', 'Replace', 'remove', 'REMOVE', 'delete', 7),
      path: fc.option(path, { nil: undefined }),
      value: fc.option(value, { nil: undefined }),
    },
    { requiredKeys: ['op'] },
  );
  const patchBody = fc.oneof(
    fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.array(operation, { minLength: 1, maxLength: 4 }) }),
    fc.anything({ maxDepth: 3 }),
  );

  it('a malformed PATCH (paths, operations, values) gets 200 or a SCIM 400 with scimType, never a 5xx, never a partial write', async () => {
    const prefix = unique('fz').toLowerCase();
    const created = await send('post', '/Users', {
      schemas: [CORE],
      userName: `${prefix}@example.com`,
      emails: [{ value: `${prefix}@example.com`, type: 'work' }],
      phoneNumbers: [{ value: '+447700900111', type: 'mobile' }],
    }).expect(201);
    const id = created.body.id as string;
    await fc.assert(
      fc.asyncProperty(patchBody, async (body) => {
        const before = (await send('get', `/Users/${id}`).expect(200)).body;
        const res = await send('patch', `/Users/${id}`, body);
        const after = (await send('get', `/Users/${id}`).expect(200)).body;
        if (res.status === 200) return;
        expect(isScim400(res) || res.status === 409).toBe(true);
        expect(after.meta.version).toBe(before.meta.version);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a malformed POST body gets a SCIM 4xx with scimType and creates nothing', async () => {
    const body = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record({
        schemas: fc.constant([CORE]),
        userName: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
        emails: fc.oneof(fc.constant([{ value: 'not an email', type: 'work' }]), fc.anything({ maxDepth: 2 })),
        phoneNumbers: fc.oneof(fc.constant([{ value: '0770', type: 'mobile' }]), fc.anything({ maxDepth: 2 })),
        active: fc.anything({ maxDepth: 1 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const before = await t.db.query('SELECT count(*)::int AS n FROM accounts');
        const res = await send('post', '/Users', b);
        const after = await t.db.query('SELECT count(*)::int AS n FROM accounts');
        expect(res.status).not.toBe(201);
        expect(res.status).toBeLessThan(500);
        expect(typeof res.body.scimType).toBe('string');
        expect(after.rows[0].n).toBe(before.rows[0].n);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
