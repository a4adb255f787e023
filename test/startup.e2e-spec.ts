import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSignerKey } from '../src/audit/checkpoint-note';
import request from 'supertest';
import { connect } from './helpers/database';
import { RunningProcess, startCommand, startProcess } from './helpers/process';
import { freePort } from './helpers/own-services';
import { databaseUrl, LOG_DIR, REDIS_URL, workerId } from './helpers/test-env';

/** The service as an operator starts it: a real process, its own database (missing at first), its own port. */
const dbName = `rd_test_startup_w${workerId()}`;
const running: RunningProcess[] = [];

function baseEnv(port: number, extra: Record<string, string | undefined> = {}) {
  return {
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: databaseUrl(dbName),
    REDIS_URL,
    REDIS_PREFIX: `rdstartup${workerId()}`,
    LOG_FILE: join(LOG_DIR, `startup-${port}.log`),
    CODE_PEPPER: 'startup-test-pepper-0123456789abcdef0123',
    DELIVERY_KEY: randomBytes(32).toString('base64'),
    GRANT_SIGNING_KEY: randomBytes(32).toString('base64'),
    AUDIT_CHECKPOINT_KEY: generateSignerKey('desk.test/audit'),
    AUDIT_WITNESS_DIR: join(LOG_DIR, `startup-${port}.witness`),
    ...extra,
  };
}

function start(env: Record<string, string | undefined>, args: string[] = []) {
  const service = startProcess('dist/src/main.js', args, env);
  running.push(service);
  return service;
}

beforeAll(async () => {
  const admin = await connect(databaseUrl('postgres'));
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

describe('starting the service', () => {
  it('creates its database, migrates, prints the first admin token once, and serves with it', async () => {
    const port = await freePort();
    const env = baseEnv(port);
    const service = start(env);
    const [, token] = await service.waitFor(/Its token is:\s+(rds_[A-Za-z0-9_-]{43})/);
    await service.waitFor(/listening on http:\/\/localhost:\d+/);
    await service.waitFor(/Sensitive admin changes: multi-party approval is off until a second admin exists/);
    expect(service.output()).toContain(`Created database ${dbName}`);
    expect(service.output()).toContain('It will not be shown again');
    // The token comes last, after the listening line, set apart between two rules.
    expect(service.output().indexOf('listening on http://localhost:')).toBeLessThan(service.output().indexOf('Created the first admin'));
    expect(service.output()).toMatch(/\n={100}\nCreated the first admin[^=]+\n={100}\n/);

    const http = request(`http://127.0.0.1:${port}`);
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body.details).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' } });
    await http.get('/v1/staff').set('Authorization', `Bearer ${token}`).expect(200);
    await service.stop();

    const log = existsSync(env.LOG_FILE) ? readFileSync(env.LOG_FILE, 'utf8') : '';
    expect(log).toContain('request completed');
    expect(log).not.toContain(token);

    // A second start finds staff and creates no one.
    const again = start(baseEnv(port));
    await again.waitFor(/listening on/);
    expect(again.output()).not.toContain('Created the first admin');
    expect(again.output()).not.toContain('Created database');
  });

  it('answers /docs-json with every route documented, and /metrics in Prometheus text', async () => {
    const port = await freePort();
    const service = start(baseEnv(port));
    await service.waitFor(/listening on/);
    const http = request(`http://127.0.0.1:${port}`);
    const docs = await http.get('/docs-json').expect(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/health/ready',
        '/metrics',
        '/v1/staff',
        '/v1/staff/{id}/tokens',
        '/v1/staff/{id}/tokens/{tokenId}',
        '/v1/accounts',
        '/v1/accounts/{id}',
        '/v1/accounts/import',
        '/v1/audit',
        '/v1/audit/verify',
      ]),
    );
    expect(docs.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    await http.get('/docs').expect(200).expect('Content-Type', /html/);
    // The console: the sign-in page at /, and the same page for any client route such as a link.
    const console = await http.get('/').expect(200).expect('Content-Type', /html/);
    expect(console.text).toContain('<div id="root"></div>');
    expect(console.headers['content-security-policy']).toContain("script-src 'self'");
    await http.get('/r/some-link-token').expect(200).expect('Content-Type', /html/);
    await http.get('/health').expect(200);
    const metrics = await http
      .get('/metrics')
      .expect(200)
      .expect('Content-Type', /text\/plain/);
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} 1/);
    expect(metrics.text).toContain('process_resident_memory_bytes');
  });

  it('takes the first admin token from BOOTSTRAP_ADMIN_TOKEN on a first start', async () => {
    const admin = await connect(databaseUrl('postgres'));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    const token = `automation-${randomBytes(24).toString('hex')}`;
    const port = await freePort();
    const service = start(baseEnv(port, { BOOTSTRAP_ADMIN_TOKEN: token }));
    await service.waitFor(/listening on/);
    // Printed after the listening line (and the multi-party line), so it may arrive in a later chunk of output.
    await service.waitFor(/with the token from BOOTSTRAP_ADMIN_TOKEN/);
    expect(service.output()).not.toContain(token);
    await request(`http://127.0.0.1:${port}`).get('/v1/staff').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('runs only the worker with --role worker (no HTTP listener)', async () => {
    const port = await freePort();
    const service = start(baseEnv(port), ['--role', 'worker']);
    await service.waitFor(/worker started/);
    await expect(request(`http://127.0.0.1:${port}`).get('/health').timeout(1_000)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('audits a policy file changed since the last start, and tells security and the terminal; the same file again says nothing', async () => {
    const db = await connect(databaseUrl(dbName));
    const applied = async () =>
      (await db.query(`SELECT seq, payload FROM audit_events WHERE action = 'policy.applied' ORDER BY seq`)).rows as {
        seq: string;
        payload: { settings: Record<string, unknown>; changes: { path: string; before: unknown; after: unknown }[] };
      }[];
    const alerts = async () => Number((await db.query(`SELECT count(*) FROM outbox WHERE template = 'security.policy_changed'`)).rows[0].count);
    try {
      const port = await freePort();
      const first = start(baseEnv(port)); // the built-in policy, recorded by an earlier start or by this one
      await first.waitFor(/listening on/);
      await first.stop();
      const before = await applied();
      expect(before.at(-1)!.payload.settings['changeApproval.sensitive.scimConnectionCreated']).toBe(true);
      const alertsBefore = await alerts();

      // Someone with the server's files switches off the second admin for SCIM connections and loosens the lockout.
      const file = join(mkdtempSync(join(tmpdir(), 'rd-policy-')), 'policy.json');
      writeFileSync(file, JSON.stringify({ changeApproval: { sensitive: { scimConnectionCreated: false } }, lockout: { maxFailures: 8 } }));
      const changed = start(baseEnv(port, { POLICY_FILE: file }));
      const [line] = await changed.waitFor(/Policy changed since the last start \(audited, security told\): [^\n]+/);
      expect(line).toContain('changeApproval.sensitive.scimConnectionCreated: true → false');
      expect(line).toContain('lockout.maxFailures: 5 → 8');
      await changed.stop();
      const after = await applied();
      expect(after).toHaveLength(before.length + 1);
      expect(after.at(-1)!.payload.changes).toEqual([
        { path: 'changeApproval.sensitive.scimConnectionCreated', before: true, after: false },
        { path: 'lockout.maxFailures', before: 5, after: 8 },
      ]);
      expect(await alerts()).toBe(alertsBefore + 1);

      // The same file again: nothing new to record; the worker process shares the record.
      const worker = start(baseEnv(port, { POLICY_FILE: file }), ['--role', 'worker']);
      await worker.waitFor(/worker started/);
      await worker.stop();
      expect(worker.output()).not.toContain('Policy changed');
      expect(await applied()).toHaveLength(after.length);
      expect(await alerts()).toBe(alertsBefore + 1);
    } finally {
      await db.end();
    }
  });
});

describe('a start and a stop in development, through npm start', () => {
  beforeAll(async () => {
    const admin = await connect(databaseUrl('postgres'));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); // a first start: it creates the first admin
    await admin.end();
  });

  const npmStart = (port: number) => {
    const service = startCommand(
      'npm',
      ['start', '--silent'],
      baseEnv(port, { NODE_ENV: 'development', BOOTSTRAP_ADMIN_TOKEN: `automation-${randomBytes(24).toString('hex')}`, LOG_FILE: undefined }),
    );
    running.push(service);
    return service;
  };

  it('prints a few human lines (no route or module lines), then stops on SIGINT to the npm process and says so in one line', async () => {
    const service = npmStart(await freePort());
    await service.waitFor(/listening on/, 60_000);
    await service.waitFor(/with the token from BOOTSTRAP_ADMIN_TOKEN/);
    expect(service.output()).not.toMatch(/Mapped \{|RouterExplorer|InstanceLoader|dependencies initialized/);
    const untilListening = service.output().slice(0, service.output().indexOf('listening on'));
    expect(untilListening.split('\n').filter((line) => line.startsWith('{'))).toEqual([]); // no JSON log line while starting
    service.child.kill('SIGINT'); // the npm process itself, as `kill -INT <pid of npm start>` does
    expect(await service.exited).not.toBeNull();
    expect(service.output().trim().split('\n').at(-1)).toBe('Recovery desk stopped (SIGINT).');
  }, 180_000);

  it('stops on SIGTERM to the npm process, releasing its port', async () => {
    const port = await freePort();
    const service = npmStart(port);
    await service.waitFor(/listening on/, 60_000);
    service.child.kill('SIGTERM');
    await service.exited;
    expect(service.output()).toContain('Recovery desk stopped (SIGTERM).');
    await expect(request(`http://127.0.0.1:${port}`).get('/health').timeout(1_000)).rejects.toThrow(/ECONNREFUSED/);
  }, 180_000);
});

describe('development secrets', () => {
  it('are generated once, kept in .dev-secrets.json, announced, and used by the service and the CLI alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-dev-'));
    const env = baseEnv(await freePort(), {
      NODE_ENV: 'development',
      CODE_PEPPER: undefined,
      DELIVERY_KEY: undefined,
      GRANT_SIGNING_KEY: undefined,
      AUDIT_CHECKPOINT_KEY: undefined,
    });
    const service = startProcess('dist/src/main.js', [], env, dir);
    running.push(service);
    await service.waitFor(/listening on/);
    expect(service.output()).toContain(
      `Development mode: using throwaway CODE_PEPPER, DELIVERY_KEY, GRANT_SIGNING_KEY and AUDIT_CHECKPOINT_KEY from ${join(dir, '.dev-secrets.json')}`,
    );
    const secrets = JSON.parse(readFileSync(join(dir, '.dev-secrets.json'), 'utf8'));
    expect(statSync(join(dir, '.dev-secrets.json')).mode & 0o777).toBe(0o600);

    const cli = startProcess('dist/src/cli.js', ['audit:verify'], env, dir);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/Audit log intact: \d+ events recomputed/);
    expect(JSON.parse(readFileSync(join(dir, '.dev-secrets.json'), 'utf8'))).toEqual(secrets);
  });
});

describe('refusing to start, in one clear line', () => {
  async function failure(env: Record<string, string | undefined>, args: string[] = []): Promise<string> {
    const service = start(env, args);
    expect(await service.exited).toBe(1);
    return service.output().trim();
  }

  it('names an unreachable PostgreSQL by URL and says how to start it', async () => {
    const out = await failure(baseEnv(await freePort(), { DATABASE_URL: 'postgres://postgres:hunter2hunter2@127.0.0.1:1/recovery_desk' }));
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(/^PostgreSQL is not reachable at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/recovery_desk \(.*ECONNREFUSED.*\)\. Start it/);
    expect(out).not.toContain('hunter2');
  });

  it('names an unreachable Redis by URL and says how to start it', async () => {
    const out = await failure(baseEnv(await freePort(), { REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(/^Redis is not reachable at redis:\/\/127\.0\.0\.1:1 \(.*\)\. Start it/);
  });

  it.each([
    [{ PORT: 'eighty' }, /^Configuration error: PORT .*must be an integer number \(got "eighty"\)$/],
    [{ DATABASE_URL: 'mysql://x/y' }, /^Configuration error: DATABASE_URL must be a postgres:\/\/ URL/],
    [{ BOOTSTRAP_ADMIN_TOKEN: 'short-token' }, /^Configuration error: BOOTSTRAP_ADMIN_TOKEN must be at least 32 characters \(value hidden\)$/],
    [{ NODE_ENV: 'production', CODE_PEPPER: undefined }, /^Configuration error: CODE_PEPPER must be at least 32 characters .*\(it is not set\)$/],
    [{ DELIVERY_KEY: 'too-short' }, /^Configuration error: DELIVERY_KEY must be 32 bytes.*\(value hidden\)$/],
    [{ LOG_LEVEL: 'loud' }, /^Configuration error: LOG_LEVEL must be one of the following values/],
    // The test suite's cheap argon2id (NODE_ENV=test) is refused anywhere else.
    [{ NODE_ENV: 'production', ARGON2_MEMORY_KIB: '1024' }, /^Configuration error: ARGON2_MEMORY_KIB must be at least 19456 KiB .*\(got "1024"\)$/],
  ])('refuses %j', async (override, expected) => {
    const out = await failure(baseEnv(await freePort(), override));
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(expected);
    expect(out).not.toContain('short-token');
  });

  it('refuses an unknown --role', async () => {
    const out = await failure(baseEnv(await freePort()), ['--role', 'everything']);
    expect(out).toBe('Configuration error: --role must be one of api, worker, all (got "everything")');
  });
});
