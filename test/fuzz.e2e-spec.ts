import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { HttpExceptionFilter } from '../src/common/http-exception.filter';
import { CLI } from '../src/audit/audit-actor';
import { DRILL_READER_ROLES } from '../src/staff/staff-rules';
import { StaffService } from '../src/staff/staff.service';
import { STAFF_ROLES } from '../src/common/auth/staff-roles';
import { PROOFING_STEPS } from '../src/tickets/proofing/step-catalogue';
import { createTestApp, SEQUENCER_TABLES, TestApp, unique } from './helpers/app';
import {
  describeCase,
  FuzzCase,
  fuzzCase,
  Hints,
  nastyUrlString,
  onlyAuthIsWrong,
  OpenApiDocument,
  Route,
  routesOf,
  serialize,
  urlOf,
} from './helpers/openapi-fuzz';
import { LOG_DIR } from './helpers/test-env';

/**
 * Reliability, bad input: every route of the OpenAPI document, its path, query
 * and body fuzzed (from scratch, and by mutating a valid-shaped body so some
 * fields pass and others fail), sent with a token holding every role and, now
 * and then, with none (or a bad one). Whatever arrives: no 5xx, every refusal
 * in the one error shape, and a refused request writes nothing (no row
 * inserted, updated or deleted; row counts and the audit chain's verdict as
 * they were). A failure prints the case fast-check shrank it to.
 *
 *   FUZZ_RUNS=5000      cases per route (default 50, keeping `npm test` short; 500 with TEST_BUDGET=full, as `.ci/run` runs it)
 *   FUZZ_SEED=123       the seed a failure printed (replays that route's cases; ids differ from run to run)
 *   FUZZ_ROUTES=tickets only the routes whose name contains this
 *   FUZZ_REPORT_ALL=1   list every distinct failure instead of stopping each route at its first
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.TEST_BUDGET === 'full' ? 500 : 50));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const ONLY = process.env.FUZZ_ROUTES;
const REPORT_ALL = process.env.FUZZ_REPORT_ALL === '1';
/** Refused requests between two full snapshots (every table's row count) and audit-chain verdicts. */
const BATCH = 50;

/**
 * Refusals that write by design (docs/tickets.md, docs/unlock.md: "audited as ticket.approval_refused", "refusals … are audited", 422 counts
 * toward lockout; an approval refused because the risk evaluation before it just raised a hold keeps that signal).
 */
const AUDITED_REFUSALS: Record<string, { actions: string[]; tables: string[] }> = {
  'POST /v1/tickets/{id}/approve': {
    actions: ['ticket.approval_refused', 'ticket.signal_raised'],
    tables: ['audit_events', 'ticket_signals', 'outbox', 'drill_messages'],
  },
  'POST /v1/tickets/{id}/deny': { actions: ['ticket.approval_refused'], tables: ['audit_events'] },
  // A report past the exposure limits is refused (429) and security is alerted (docs/codes.md: Exposure limits).
  'POST /v1/accounts/{id}/code-sets/current/exposure': { actions: [], tables: ['outbox'] },
  // A member changing their own staff record (or linking someone to their own account) is refused and security
  // alerted (staff rule own-staff-record).
  'PATCH /v1/staff/{id}': { actions: ['staff.self_change_refused'], tables: ['audit_events', 'outbox'] },
  'POST /v1/staff': { actions: ['staff.self_change_refused'], tables: ['audit_events', 'outbox'] },
  'POST /v1/unlock-sessions/{id}/presentations': {
    actions: ['unlock.refused', 'unlock.session_expired', 'codes.locked'],
    tables: ['audit_events', 'code_guards', 'outbox', 'unlock_sessions'],
  },
};

/** A SCIM request is audited with its connection as the actor (and counted on it) even when refused: by design. */
const SCIM_REFUSAL = { actions: ['scim.request'], tables: ['audit_events', 'scim_connections'] };
const SCIM_ERROR_KEYS = ['schemas', 'status', 'scimType', 'detail'];

/**
 * Watches (and calls through) the one exception filter: the log keeps only an
 * error's class and message, so a 5xx's stack is taken from here for the report.
 */
const filterCatch = jest.spyOn(HttpExceptionFilter.prototype, 'catch');

let t: TestApp;
let fuzzerToken: string;
/** The drill routes' caller: who reads drills may not work tickets (staff rules), so one member cannot hold every role. */
let drillReaderToken: string;
const tokenFor = (path: string) => (path.startsWith('/v1/drills') ? drillReaderToken : fuzzerToken);
/** The fuzzer's own SCIM connection secret, for the /scim/v2 routes (never in the pool it may revoke). */
let scimSecret: string;
const badTokens = { REVOKED: '', DEACTIVATED: '' };
/** Existing ids by kind, so fuzzed ids are sometimes real and requests get past "not found". */
const pool: Record<string, string[]> = {};

beforeAll(async () => {
  // The rate limits at their ceiling (100000 a minute): the fuzzer is one client address.
  // Role `api`: no queue consumers, so nothing writes behind the requests' backs (sweep, relay, regeneration)
  // and a changed row count can only come from the request just answered.
  // codes.count at its floor (4): enrolment hashes the set before it checks anything, so every fuzzed
  // POST …/code-sets costs count argon2id hashes, and 10 of them made that one route a third of the run.
  mkdirSync(LOG_DIR, { recursive: true });
  const policy = join(LOG_DIR, 'fuzz.policy.json');
  writeFileSync(policy, JSON.stringify({ codes: { count: 4, lowRemaining: 1 } }));
  t = await createTestApp(__filename, { LINK_RATE_LIMIT: '100000', VERIFY_RATE_LIMIT: '100000', SCIM_RATE_LIMIT: '100000', POLICY_FILE: policy }, 'api');
  fuzzerToken = (await t.createStaff(STAFF_ROLES.filter((role) => !DRILL_READER_ROLES.includes(role)))).token;
  drillReaderToken = (await t.createStaff([...DRILL_READER_ROLES])).token;
  await buildWorld();
}, 120_000);
afterAll(() => t?.close());

// ---------------------------------------------------------------- the world the fuzzed ids point into

async function call(method: 'get' | 'post' | 'patch' | 'delete', url: string, body?: object) {
  const http = t.http();
  const req = http[method](url).set('Authorization', `Bearer ${tokenFor(url)}`);
  const res = body ? await req.send(body) : await req;
  if (res.status >= 300) throw new Error(`${method.toUpperCase()} ${url} → ${res.status} ${res.text}`);
  collectSecrets(res.body);
  return res.body;
}

async function accountWithCodes(overrides: Parameters<TestApp['createAccount']>[0] = {}) {
  const account = await t.createAccount(overrides);
  const { codes } = (await call('post', `/v1/accounts/${account.id}/code-sets`)) as { codes: string[] };
  return { id: account.id, codes };
}

async function openTicket(tier: 'standard' | 'privileged' | 'critical', managerId?: string): Promise<string> {
  const { id } = await accountWithCodes({ tier, managerId });
  return ((await call('post', '/v1/tickets', { accountId: id, channel: 'phone', reason: 'lost_device' })) as { id: string }).id;
}

async function buildWorld() {
  const manager = await t.createAccount();
  const standard = await accountWithCodes({ tier: 'standard', managerId: manager.id });
  const privileged = await accountWithCodes({ tier: 'privileged', managerId: manager.id });
  const critical = await t.createAccount({ tier: 'critical', managerId: manager.id });
  const spare = await t.createAccount();
  const deactivated = await t.createAccount();
  await call('patch', `/v1/accounts/${deactivated.id}`, { status: 'deactivated' });
  // Custodians' codes count for an unlock only once held before they were added and a week old: enrolled 8 days ago.
  const [c1, c2] = await t.clock.shifted(-8 * 86_400_000, async () => [await accountWithCodes(), await accountWithCodes()]);
  pool.account = [standard.id, privileged.id, critical.id, spare.id, manager.id, deactivated.id, c1.id, c2.id];

  pool.ticket = [await openTicket('standard', manager.id), await openTicket('privileged', manager.id), await openTicket('critical', manager.id)];
  await call('post', '/v1/tickets/next');

  // Staff the fuzzer may change or revoke: never itself, or it would lock itself out half-way.
  const victim = await t.createStaff(['agent']);
  await call('post', `/v1/staff/${victim.staff.id}/tokens`, { label: 'second' });
  pool.staff = [victim.staff.id];
  pool.token = ((await call('get', `/v1/staff/${victim.staff.id}/tokens`)) as { id: string }[]).map((tk) => tk.id);
  const revoked = await t.createStaff(['admin']);
  const [revokedTokenId] = ((await call('get', `/v1/staff/${revoked.staff.id}/tokens`)) as { id: string }[]).map((tk) => tk.id);
  await call('delete', `/v1/staff/${revoked.staff.id}/tokens/${revokedTokenId}`);
  badTokens.REVOKED = revoked.token;
  const gone = await t.createStaff(['admin']);
  // At the server (as the CLI would): over the API, a change to another admin's record waits for a third admin.
  await t.app.get(StaffService).update(CLI, gone.staff.id, { active: false });
  badTokens.DEACTIVATED = gone.token;

  const systemBody = { name: unique('fuzz-'), custodianIds: [c1.id, c2.id], k: 2, windowSeconds: 3600 };
  const system = (await call('post', '/v1/critical-systems', systemBody)) as { id: string };
  pool.system = [system.id];
  pool.custodian = [c1.id, c2.id, standard.id];
  const unlocked = (await call('post', `/v1/critical-systems/${system.id}/unlock-sessions`)) as { id: string };
  await call('post', `/v1/unlock-sessions/${unlocked.id}/presentations`, { accountId: c1.id, code: c1.codes[0] });
  const grant = (await call('post', `/v1/unlock-sessions/${unlocked.id}/presentations`, { accountId: c2.id, code: c2.codes[0] })) as { grantId: string };
  const open = (await call('post', `/v1/critical-systems/${system.id}/unlock-sessions`)) as { id: string };
  pool.session = [unlocked.id, open.id];
  pool.grant = [grant.grantId];

  const drill = { name: 'fuzz drill', campaign: 'fuzz', target: { accountId: spare.id }, channel: 'phone', reason: 'lost_device', pretext: 'lost my phone' };
  pool.drill = [((await call('post', '/v1/drills', drill)) as { id: string }).id];

  const fuzzer = await scimConnection('fuzzer');
  scimSecret = ((await call('post', `/v1/scim-connections/${fuzzer}/secret`)) as { secret: string }).secret;
  t.secrets.add(scimSecret);
  pool.scimConnection = [await scimConnection('victim')];
}

/** A connection is a sensitive change (two admins exist): the fuzzer asks, the first admin approves. Its id. */
async function scimConnection(name: string): Promise<string> {
  const request = (await call('post', '/v1/scim-connections', { name })) as { id: string };
  await t
    .http()
    .post(`/v1/change-requests/${request.id}/approve`)
    .set('Authorization', `Bearer ${t.adminToken}`)
    .send({ reason: 'the fuzzer’s world' })
    .expect(200);
  const connections = (await call('get', '/v1/scim-connections')) as { id: string; name: string }[];
  return connections.find((c) => c.name === name)!.id;
}

/** Fresh things to act on before a route that may use them up (a ticket denied, a code set revoked). */
async function refreshFor(route: Route) {
  if (route.path.startsWith('/v1/accounts/{id}')) pool.account.unshift((await accountWithCodes()).id);
  if (route.path.startsWith('/v1/tickets/{id}')) {
    const manager = await t.createAccount();
    pool.ticket.unshift(await openTicket('standard', manager.id), await openTicket('privileged', manager.id));
    await call('post', '/v1/tickets/next');
  }
}

const KIND_OF_SEGMENT: Record<string, string> = {
  accounts: 'account',
  staff: 'staff',
  tickets: 'ticket',
  'critical-systems': 'system',
  'unlock-sessions': 'session',
  grants: 'grant',
  drills: 'drill',
  'scim-connections': 'scimConnection',
  v2: 'account', // /scim/v2/Users/{id}: a SCIM user is an account
};

/** Rows of a directory export, each field valid or nasty, so good and bad rows meet in one import. */
const orNasty = (arb: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: arb }, { weight: 1, arbitrary: nastyUrlString });
const directoryRows = fc.array(
  fc.record({
    externalId: orNasty(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/)),
    displayName: orNasty(fc.string({ maxLength: 20 })),
    tier: orNasty(fc.constantFrom('standard', 'privileged', 'critical')),
    email: orNasty(fc.constantFrom('a@b.co', 'x.y@example.com')),
    phone: orNasty(fc.constantFrom('+447700900234', '+15555550100')),
  }),
  { maxLength: 4 },
);

const hints: Hints = {
  ids(name, path) {
    if (path) {
      if (name === 'tokenId') return pool.token;
      if (name === 'accountId') return pool.custodian;
      if (name === 'id') return pool[KIND_OF_SEGMENT[path.split('/')[2]]] ?? [];
      return [];
    }
    return ['accountId', 'managerId', 'custodianIds'].includes(name) ? pool.account : [];
  },
  field(name) {
    switch (name) {
      case 'step':
        return fc.constantFrom(...PROOFING_STEPS);
      case 'custodianIds':
        return fc.uniqueArray(fc.constantFrom(...pool.account), { minLength: 2, maxLength: 3 });
      case 'content':
        return fc.oneof(
          directoryRows.map((rows) => JSON.stringify(rows)),
          directoryRows.map((rows) => {
            const lines = rows.map((r) =>
              Object.values(r)
                .map((v) => JSON.stringify(v))
                .join(','),
            );
            return ['externalId,displayName,tier,email,phone', ...lines].join('\n');
          }),
        );
      case 'code':
        return fc.oneof(fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/), fc.stringMatching(/^\d{6,8}$/));
      case 'token':
        return fc.stringMatching(/^rd[acd]_[A-Za-z0-9_-]{20,60}$/);
      case 'grant':
        return fc.array(fc.base64String({ minLength: 8, maxLength: 40 }), { minLength: 3, maxLength: 3 }).map((parts) => parts.join('.'));
      case 'externalId':
        return fc.stringMatching(/^[A-Za-z0-9._:@-]{1,40}$/);
      case 'phone':
        return fc.stringMatching(/^\+[1-9]\d{6,14}$/);
      default:
        return undefined;
    }
  },
};

// ---------------------------------------------------------------- sending, and judging the answer

function authHeader(route: Route, c: FuzzCase): string | undefined {
  const valid = route.scheme === 'scim' ? scimSecret : tokenFor(route.path);
  if (c.auth.kind === 'valid') return `Bearer ${valid}`;
  return c.auth.header?.replace(/VALID|REVOKED|DEACTIVATED/g, (name) => (name === 'VALID' ? valid : badTokens[name as keyof typeof badTokens]));
}

const SRC = join(__dirname, '..', 'src');

/** What the server threw for the request just answered with a 5xx: class, message, where it was thrown and our first frame. */
function serverError(): string {
  const exception = filterCatch.mock.calls.at(-1)?.[0] as Error | undefined;
  if (!exception) return 'nothing reached the exception filter';
  const frames = (exception.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .map((line) => line.trim());
  // source maps make some libraries' frames look like ours (typeorm's "src/driver/…"): ours are files that exist here
  const ours = frames.find((line) => {
    const file = /(\/[^():]+):\d+:\d+\)?$/.exec(line)?.[1];
    return file?.startsWith(SRC) && existsSync(file);
  });
  const where = [frames[0], ours].filter((f, i, all) => f && all.indexOf(f) === i).join(' … ');
  return `${exception.constructor?.name ?? typeof exception}: ${exception.message} ${where}`;
}

async function send(route: Route, c: FuzzCase): Promise<Response> {
  filterCatch.mockClear(); // also keeps the spy from holding on to every request's error
  let req = t.http()[route.method](urlOf(route, c)).timeout({ response: 30_000 });
  const header = authHeader(route, c);
  if (header !== undefined) req = req.set('Authorization', header);
  if (c.body.kind === 'json') return req.set('Content-Type', 'application/json').send(serialize(c.body.value));
  if (c.body.kind === 'raw') {
    if (c.body.contentType !== undefined) req = req.set('Content-Type', c.body.contentType);
    if (c.body.contentEncoding) req = req.set('Content-Encoding', c.body.contentEncoding);
    return req.send(c.body.binary ? Buffer.from(c.body.data, 'latin1') : c.body.data);
  }
  return req;
}

const clip = (s: string) => (s.length > 400 ? `${s.slice(0, 400)}…` : s);

/** Why this answer is wrong, or undefined. */
function problemWith(route: Route, c: FuzzCase, res: Response): string | undefined {
  const s = res.status;
  if (s >= 500) return `answered ${s}; the server threw ${serverError()}`;
  if (s < 200 || (s >= 300 && s < 400)) return `answered ${s}: ${clip(res.text ?? '')}`;
  if (s >= 400 && route.path.startsWith('/scim/')) {
    // SCIM's own error format (RFC 7644 §3.12), as SCIM clients read it
    const type = String(res.headers['content-type'] ?? '');
    if (!type.startsWith('application/scim+json')) return `a ${s} answered as ${type || 'no content type'}: ${clip(res.text ?? '')}`;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      return `a ${s} whose body is not JSON: ${clip(res.text ?? '')}`;
    }
    const extra = Object.keys(body ?? {}).filter((k) => !SCIM_ERROR_KEYS.includes(k));
    const okType = !('scimType' in body) || typeof body.scimType === 'string';
    if (body.status !== String(s) || typeof body.detail !== 'string' || !body.detail || extra.length || !okType) {
      return `a ${s} is not in SCIM's error shape { schemas, status, scimType?, detail }: ${clip(res.text)}`;
    }
    if (s === 400 && typeof body.scimType !== 'string') return `a SCIM 400 without a scimType: ${clip(res.text)}`;
  } else if (s >= 400) {
    const type = String(res.headers['content-type'] ?? '');
    if (!type.startsWith('application/json')) return `a ${s} answered as ${type || 'no content type'}: ${clip(res.text ?? '')}`;
    const body = res.body as Record<string, unknown>;
    const extra = Object.keys(body ?? {}).filter((k) => !['statusCode', 'error', 'code', 'message', 'details'].includes(k));
    const detailsOk = !('details' in body) || (typeof body.details === 'object' && body.details !== null && !Array.isArray(body.details));
    if (
      body?.statusCode !== s ||
      body.error !== STATUS_CODES[s] ||
      typeof body.message !== 'string' ||
      typeof body.code !== 'string' ||
      !/^[a-z][a-z0-9_]*$/.test(body.code) ||
      !body.message ||
      extra.length ||
      !detailsOk
    ) {
      return `a ${s} is not in the error shape { statusCode, error, code, message, details? }: ${clip(res.text)}`;
    }
  }
  if (!route.isPublic && c.auth.kind === 'valid' && s === 401) return `refused the fuzzer's valid token: ${clip(res.text)}`;
  if (!route.isPublic && c.auth.kind === 'bad') {
    if (s < 400) return `answered ${s} to Authorization ${JSON.stringify(c.auth.header)}`;
    // with the URL or the body malformed too, the parser or the router may answer first
    const expected = onlyAuthIsWrong(c) ? [401] : [400, 401, 404, 413, 415];
    if (!expected.includes(s)) return `answered ${s} (not 401) to Authorization ${JSON.stringify(c.auth.header)}: ${clip(res.text)}`;
  }
  return undefined;
}

/** Secrets in answers (tokens, codes, grants) join the ones close() looks for in the log. */
function collectSecrets(body: unknown) {
  if (!body || typeof body !== 'object') return;
  for (const [key, value] of Object.entries(body)) {
    if (['token', 'grant'].includes(key) && typeof value === 'string') t.secrets.add(value);
    else if (key === 'codes' && Array.isArray(value)) value.forEach((code) => typeof code === 'string' && t.secrets.add(code));
    else if (typeof value === 'object') collectSecrets(value);
  }
}

// ---------------------------------------------------------------- "a refused request writes nothing"

/**
 * Every row written (insert, update, delete), logged by a trigger on every
 * table of this file's own database: read after each refused request, so one
 * that wrote is caught on the request itself and fast-check can shrink it (row
 * counts alone would miss an update). On top, every BATCH refusals, the row
 * counts of every table (t.snapshot()) and the audit chain's verdict must be
 * where the last accepted request left them.
 */
class WriteGuard {
  private lastWrite = 0;
  private lastSeq = 0;
  private full?: Record<string, number>;
  private verdict?: { ok: boolean; checked: number; pending: number };
  private fullStale = true;
  private sinceFull = 0;

  async init() {
    const { rows } = await t.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    await t.db.query(`
      CREATE TABLE fuzz_row_writes (id bigserial PRIMARY KEY, table_name text NOT NULL, op text NOT NULL);
      CREATE FUNCTION fuzz_log_row_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO fuzz_row_writes (table_name, op) VALUES (TG_TABLE_NAME, TG_OP);
        RETURN NULL;
      END $$;`);
    for (const { table_name } of rows.filter((r) => !SEQUENCER_TABLES.includes(r.table_name))) {
      await t.db.query(
        `CREATE TRIGGER fuzz_log_row_write AFTER INSERT OR UPDATE OR DELETE ON "${table_name}" FOR EACH ROW EXECUTE FUNCTION fuzz_log_row_write()`,
      );
    }
    await this.accepted();
  }

  async accepted() {
    const { rows } = await t.db.query<{ write: number; seq: number }>(
      `SELECT (SELECT coalesce(max(id), 0) FROM fuzz_row_writes)::int AS write, (SELECT coalesce(max(seq), 0) FROM audit_events)::int AS seq`,
    );
    [this.lastWrite, this.lastSeq] = [rows[0].write, rows[0].seq];
    this.fullStale = true;
  }

  async refused(route: Route) {
    const { rows: writes } = await t.db.query<{ table_name: string; op: string }>(`SELECT table_name, op FROM fuzz_row_writes WHERE id > $1 ORDER BY id`, [
      this.lastWrite,
    ]);
    if (writes.length) {
      const { rows } = await t.db.query<{ action: string }>(`SELECT action FROM audit_events WHERE seq > $1 ORDER BY seq`, [this.lastSeq]);
      const actions = rows.map((r) => r.action);
      const allowed = AUDITED_REFUSALS[route.name] ?? (route.path.startsWith('/scim/') ? SCIM_REFUSAL : undefined);
      const byDesign = allowed && writes.every((w) => allowed.tables.includes(w.table_name)) && actions.every((a) => allowed.actions.includes(a));
      const tally = new Map<string, number>();
      for (const w of writes) tally.set(`${w.op} ${w.table_name}`, (tally.get(`${w.op} ${w.table_name}`) ?? 0) + 1);
      await this.accepted();
      if (!byDesign) {
        const what = [...tally].map(([write, n]) => `${write}×${n}`).join(', ');
        throw new Error(`the refused request wrote: ${what}${actions.length ? `; audit actions ${actions.join(', ')}` : ''}`);
      }
    }
    if (++this.sinceFull >= BATCH) await this.checkBatch();
  }

  async checkBatch() {
    this.sinceFull = 0;
    const full = await t.snapshot();
    const verdict = (await t.http().get('/v1/audit/verify').set('Authorization', `Bearer ${fuzzerToken}`).expect(200)).body as {
      ok: boolean;
      checked: number;
      pending: number;
    };
    if (!verdict.ok) throw new Error(`the audit log no longer verifies: ${JSON.stringify(verdict)}`);
    // Events in the tree plus those the sequencer has not reached yet: every event, however far integration got.
    const events = (v: { checked: number; pending: number }) => v.checked + v.pending;
    if (!this.fullStale && (!isDeepStrictEqual(full, this.full) || events(verdict) !== events(this.verdict!))) {
      const counts = `${JSON.stringify(this.full)} → ${JSON.stringify(full)}`;
      throw new Error(`${BATCH} refused requests changed the database: ${counts}, audit ${events(this.verdict!)} → ${events(verdict)} events`);
    }
    this.full = full;
    this.verdict = verdict;
    this.fullStale = false;
  }
}

// ---------------------------------------------------------------- per route

interface RouteReport {
  route: string;
  cases: number;
  statuses: Record<number, number>;
  ms: number;
  failures: string[];
}

async function fuzzRoute(route: Route, guard: WriteGuard): Promise<RouteReport> {
  await refreshFor(route);
  await guard.accepted();
  const report: RouteReport = { route: route.name, cases: 0, statuses: {}, ms: 0, failures: [] };
  const seen = new Set<string>();
  const started = Date.now();

  const property = fc.asyncProperty(fuzzCase(route, hints), async (c) => {
    // Node itself answers a request line over 16 kB (431, no body) before the app sees it.
    fc.pre(urlOf(route, c).length <= 12_000);
    report.cases += 1;
    const res = await send(route, c);
    report.statuses[res.status] = (report.statuses[res.status] ?? 0) + 1;
    try {
      const problem = problemWith(route, c, res);
      if (problem) throw new Error(problem);
      if (res.status < 400) {
        collectSecrets(res.body);
        await guard.accepted();
      } else await guard.refused(route);
    } catch (error) {
      if (!REPORT_ALL) throw error;
      const message = (error as Error).message;
      const signature = `${res.status} ${message
        .replace(/"[^"]*"/g, '"…"')
        .replace(/[0-9a-f-]{36}/g, '<id>')
        .replace(/\d+/g, 'N')
        .slice(0, 160)}`;
      if (!seen.has(signature)) {
        seen.add(signature);
        report.failures.push(`${message}\n    case: ${describeCase(route, c)}`);
      }
    }
  });
  await fc.assert(property, {
    numRuns: RUNS,
    seed: SEED,
    reporter: (details) => {
      if (!details.failed) return;
      const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const minimal = details.counterexample ? describeCase(route, details.counterexample[0]) : '(no counterexample)';
      const replay = `FUZZ_SEED=${details.seed} FUZZ_ROUTES='${route.name}' (after ${details.numRuns} runs, ${details.numShrinks} shrinks)`;
      report.failures.push(`${error}\n    minimal case: ${minimal}\n    replay: ${replay}`);
    },
  });
  await guard.checkBatch().catch((error: Error) => report.failures.push(error.message));
  report.ms = Date.now() - started;
  return report;
}

describe('bad input, fuzzed from the OpenAPI document', () => {
  it(
    'never answers a 5xx, refuses in the error shape, and a refused request writes nothing',
    async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
      const routes = routesOf(doc).filter((r) => !ONLY || r.name.includes(ONLY));
      expect(routes.length).toBeGreaterThan(ONLY ? 0 : 40);

      const guard = new WriteGuard();
      await guard.init();
      const reports: RouteReport[] = [];
      for (const route of routes) reports.push(await fuzzRoute(route, guard));

      const table = reports.map((r) => {
        const statuses = Object.entries(r.statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ');
        return `${r.route.padEnd(56)} ${String(r.cases).padStart(6)} cases ${String(r.ms).padStart(7)} ms  ${statuses}`;
      });
      writeFileSync(join(LOG_DIR, 'fuzz-summary.txt'), table.join('\n') + '\n');
      console.log(`fuzzed ${routes.length} routes, ${RUNS} runs each (summary in ${join(LOG_DIR, 'fuzz-summary.txt')})\n${table.join('\n')}`);

      expect(reports.flatMap((r) => r.failures.map((f) => `${r.route}: ${f}`))).toEqual([]);
      for (const r of reports) expect(r.cases).toBeGreaterThanOrEqual(RUNS);
    },
    Math.max(30 * 60_000, RUNS * 60 /* routes */ * 200 /* ms, a slow case */),
  );
});
