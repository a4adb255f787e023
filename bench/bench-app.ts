import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSignerKey } from '../src/audit/checkpoint-note';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { postTo } from './http';
import { Account } from '../src/accounts/account.entity';
import { AccountsService } from '../src/accounts/accounts.service';
import { AppModule } from '../src/app.module';
import { CLI } from '../src/audit/audit-actor';
import { ProcessRole } from '../src/config/env.validation';
import { checkRedis, ensureDatabase, runMigrations } from '../src/database/prepare';
import { configureHttpApp } from '../src/http-app';
import { StaffRole } from '../src/common/auth/staff-roles';
import { Staff } from '../src/staff/staff.entity';
import { ServiceScope } from '../src/staff/service-scopes';
import { StaffService } from '../src/staff/staff.service';
import { TICKET_ROLES } from '../src/staff/staff-rules';

/**
 * RD_BENCH_NAMESPACE (letters, digits, underscores) gives a run its own database and Redis prefix (`rd_bench_<ns>`,
 * `rdbench_<ns>`): two checkouts benchmarking on one machine would otherwise drop each other's database mid-run.
 */
const NAMESPACE = process.env.RD_BENCH_NAMESPACE ?? '';
if (!/^\w*$/.test(NAMESPACE)) throw new Error(`RD_BENCH_NAMESPACE must be letters, digits and underscores (got ${JSON.stringify(NAMESPACE)})`);
const DATABASE = NAMESPACE ? `rd_bench_${NAMESPACE}` : 'rd_bench';
const REDIS_PREFIX = NAMESPACE ? `rdbench_${NAMESPACE}` : 'rdbench';

export interface BenchApp {
  app: NestExpressApplication;
  dataSource: DataSource;
  /** The bench database's URL (for tools that connect on their own, such as pgbench). */
  databaseUrl: string;
  /** The process role the app runs in: `api`, or `all` with the queue consumers in this process. */
  role: ProcessRole;
  /** Where the app listens, e.g. `http://127.0.0.1:41234`. */
  baseUrl: string;
  /** A new staff member with these roles, and a bearer token of theirs (a service member's carries `scopes`). */
  createStaff(roles: StaffRole[], scopes?: ServiceScope[]): Promise<{ member: Staff; token: string }>;
  /** A bearer token of a new staff member with these roles (a service member's carries `scopes`). */
  tokenFor(roles: StaffRole[], scopes?: ServiceScope[]): Promise<string>;
  createAccount(): Promise<Account>;
  /** A JSON POST over real HTTP to the listening app: the status and the parsed body (undefined when empty, e.g. 204). */
  post<T>(path: string, token: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A GET over real HTTP to the listening app: the status and the parsed body. */
  get<T>(path: string, token: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** The bench's own database on the configured server (DATABASE_URL's host, or the local default). */
function benchDatabaseUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/recovery_desk');
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/** Drops and recreates the bench database, so every run starts from the same empty schema. */
async function freshDatabase(databaseUrl: string): Promise<void> {
  await ensureDatabase(databaseUrl); // also the one-line message when PostgreSQL is down
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await ensureDatabase(databaseUrl);
  await runMigrations(databaseUrl);
}

/** Queues and rate-limit counters left under the bench's prefix by an earlier run. */
async function clearRedisPrefix(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface BenchAppOptions {
  /**
   * `api` (the default): no queue consumers competing for the CPU. `all`: the
   * workers (regeneration, notification relay, sweep) run in this process too,
   * for benchmarks that wait on a job.
   */
  role?: Extract<ProcessRole, 'api' | 'all'>;
}

/** The API in this process, as main.ts starts it, listening on a free port of the loopback. */
export async function startBenchApp({ role = 'api' }: BenchAppOptions = {}): Promise<BenchApp> {
  const databaseUrl = benchDatabaseUrl();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  delete process.env.POLICY_FILE; // the built-in policy: 10 codes a set, 5 failures lock
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX,
    LOG_LEVEL: 'warn',
    CODE_PEPPER: randomBytes(24).toString('base64'), // 32 characters
    DELIVERY_KEY: randomBytes(32).toString('base64'),
    GRANT_SIGNING_KEY: randomBytes(32).toString('base64'),
    AUDIT_CHECKPOINT_KEY: generateSignerKey('bench.local/audit'),
    AUDIT_WITNESS_DIR: mkdtempSync(join(tmpdir(), 'rd-witness-')),
    // One caller verifies hundreds of times per account here; the lockout is reset by the bench instead.
    VERIFY_RATE_LIMIT: '100000',
    NOTIFY_FILE: join(mkdtempSync(join(tmpdir(), 'rd-bench-')), 'inbox.jsonl'),
  });
  await freshDatabase(databaseUrl);
  await checkRedis(redisUrl);
  await clearRedisPrefix(redisUrl);

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(role), { bufferLogs: true, bodyParser: false });
  configureHttpApp(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

  const staff = app.get(StaffService);
  const accounts = app.get(AccountsService);
  let created = 0;
  // Agents, approvers and admins are linked to an employee account of their own (staff rules).
  const createStaff = async (roles: StaffRole[], scopes?: ServiceScope[]) => {
    const accountId = roles.some((role) => TICKET_ROLES.includes(role)) ? (await bench.createAccount()).id : null;
    const member = await staff.create(CLI, { name: `bench ${roles.join('+')} ${created++}`, roles, accountId });
    return { member, token: (await staff.issueToken(CLI, member.id, { expiresInDays: 1, scopes })).token };
  };
  const bench: BenchApp = {
    app,
    dataSource: app.get(DataSource),
    databaseUrl,
    role,
    baseUrl,
    createStaff,
    tokenFor: async (roles, scopes) => (await createStaff(roles, scopes)).token,
    createAccount() {
      const n = ++created;
      const externalId = `B${String(n).padStart(6, '0')}`;
      return accounts.create(CLI, {
        externalId,
        displayName: `Bench Employee ${n}`,
        tier: 'standard',
        email: `${externalId.toLowerCase()}@example.com`,
        phone: `+447700${String(900_000 + n)}`,
        employeeNumber: externalId,
        costCentre: 'CC-BENCH',
      });
    },
    post: <T>(path: string, token: string, body?: unknown) => postTo<T>(baseUrl, path, token, body),
    async get<T>(path: string, token: string) {
      const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    close: () => app.close(),
  };
  return bench;
}

/** The bench's backing services, reset, for a benchmark that runs the service as its own processes. */
export interface BenchBackends {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
}

/**
 * What startBenchApp does before it starts the app, without starting it: a
 * fresh, migrated rd_bench database and the Redis keys under the bench's
 * prefix cleared. Nothing in this process's environment changes.
 */
export async function prepareBenchBackends(): Promise<BenchBackends> {
  const databaseUrl = benchDatabaseUrl();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await freshDatabase(databaseUrl);
  await checkRedis(redisUrl);
  await clearRedisPrefix(redisUrl);
  return { databaseUrl, redisUrl, redisPrefix: REDIS_PREFIX };
}
