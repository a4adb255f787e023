import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { generateSignerKey } from '../../src/audit/checkpoint-note';
import { basename, join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AbstractLoader, ExpressLoader } from '@nestjs/serve-static';
import { Test } from '@nestjs/testing';
import type { NextFunction, Request, Response } from 'express';
import type { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Account } from '../../src/accounts/account.entity';
import { AccountsService } from '../../src/accounts/accounts.service';
import { AccountFieldsDto } from '../../src/accounts/dto/account.dto';
import { AppModule } from '../../src/app.module';
import { CLI } from '../../src/audit/audit-actor';
import { Clock } from '../../src/common/clock';
import type { ProcessRole } from '../../src/config/env.validation';
import { configureHttpApp } from '../../src/http-app';
import { BootstrapService } from '../../src/staff/bootstrap.service';
import { StaffRole } from '../../src/common/auth/staff-roles';
import { Staff } from '../../src/staff/staff.entity';
import { SERVICE_SCOPES, ServiceScope } from '../../src/staff/service-scopes';
import { StaffService } from '../../src/staff/staff.service';
import { TICKET_ROLES } from '../../src/staff/staff-rules';
import { clearRedisPrefix, connect, freshDatabase } from './database';
import { FakeClock } from './fake-clock';
import { LOG_DIR, REDIS_URL, TEST_ARGON2, workerId } from './test-env';

export interface InboxMessage {
  to: string;
  channel: 'email' | 'sms';
  template: string;
  subject: string;
  body: string;
  links: string[];
  idempotencyKey: string;
}

export interface TestApp {
  app: NestExpressApplication;
  clock: FakeClock;
  db: Client;
  databaseUrl: string;
  /** Environment for a real process (CLI, worker) pointed at this file's database and Redis prefix. */
  env: Record<string, string>;
  adminToken: string;
  http: () => ReturnType<typeof request>;
  /** Secrets this file created: none may appear in the captured logs. */
  secrets: Set<string>;
  /**
   * A service member's token carries every scope unless `scopes` says otherwise. A member with a ticket role
   * (agent, approver, admin) is linked to an account of its own unless `accountId` names one (null: none, for a
   * test of the staff rules themselves). The member's roles count as granted a year ago (an established approver)
   * unless `fresh`: then as granted now (approver_recently_privileged).
   */
  createStaff(
    roles: StaffRole[],
    overrides?: { accountId?: string | null; name?: string; expiresInDays?: number; scopes?: ServiceScope[]; allowedCidrs?: string[]; fresh?: boolean },
  ): Promise<{ staff: Staff; token: string }>;
  createAccount(overrides?: Partial<AccountFieldsDto>): Promise<Account>;
  /** Messages the file adapter delivered so far (the recipients' inboxes). */
  inbox(): InboxMessage[];
  /** Row counts of every table, to assert that a refused request wrote nothing. */
  snapshot(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Written by the audit sequencer in the background, after commit, from audit_events (which is counted): not a
 * request's writes, so row counts and write logs leave them out.
 */
export const SEQUENCER_TABLES = ['audit_leaves', 'audit_tree_heads'];

let sequence = 0;
export const unique = (prefix: string) => `${prefix}${process.pid}x${++sequence}x${randomBytes(3).toString('hex')}`;

/**
 * Where `secret` occurs in a log, or -1. A secret of digits only (an OTP) counts only as a whole number: six digits
 * also occur inside the log's own timestamps and durations by chance, and a leaked OTP is never glued to other digits.
 */
export function findSecret(log: string, secret: string): number {
  if (!/^\d+$/.test(secret)) return log.indexOf(secret);
  return new RegExp(`(?<!\\d)${secret}(?!\\d)`).exec(log)?.index ?? -1;
}

/**
 * One app per test file: a fresh database cloned from the migrated template,
 * a Redis prefix of its own, the production HTTP set-up, logs to a file that
 * close() scans for every secret the file created, and a check that no
 * request was answered with a 5xx.
 */
export async function createTestApp(testFile: string, overrides: Record<string, string> = {}, role: ProcessRole = 'all'): Promise<TestApp> {
  const name = `rd_test_w${workerId()}`;
  const databaseUrl = await freshDatabase(name);
  const prefix = `rdtest${workerId()}`;
  await clearRedisPrefix(prefix);
  const logFile = join(LOG_DIR, `${basename(testFile)}.log`);
  // The witness outlives no database: a fresh database starts a fresh log.
  const witnessDir = join(LOG_DIR, `${basename(testFile)}.witness`);
  rmSync(witnessDir, { recursive: true, force: true });
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'debug',
    LOG_FILE: logFile,
    CODE_PEPPER: 'test-pepper-0123456789abcdef0123456789abcdef',
    DELIVERY_KEY: randomBytes(32).toString('base64'),
    GRANT_SIGNING_KEY: randomBytes(32).toString('hex'),
    AUDIT_CHECKPOINT_KEY: generateSignerKey('desk.test/audit'),
    AUDIT_WITNESS_DIR: witnessDir,
    NOTIFY_ADAPTER: 'file',
    NOTIFY_FILE: join(LOG_DIR, `${basename(testFile)}.inbox.jsonl`),
    PUBLIC_URL: 'http://desk.test',
    ...TEST_ARGON2,
    ...overrides,
  };
  Object.assign(process.env, env);

  const clock = new FakeClock();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRole(role)] })
    .overrideProvider(Clock)
    .useValue(clock)
    // A testing module resolves providers before the HTTP adapter exists, so serve-static would
    // pick its no-op loader; NestFactory (production) has the adapter first and picks this one itself.
    .overrideProvider(AbstractLoader)
    .useClass(ExpressLoader)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, bodyParser: false });
  const serverErrors: string[] = [];
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => res.statusCode >= 500 && serverErrors.push(`${req.method} ${req.url} → ${res.statusCode}`));
    next();
  });
  configureHttpApp(app);
  await app.init();

  const secrets = new Set<string>();
  const bootstrap = await app.get(BootstrapService).ensureFirstAdmin(undefined);
  if (!bootstrap.created) throw new Error('fresh database already had staff');
  secrets.add(bootstrap.token);
  const db = await connect(databaseUrl);
  const staffService = app.get(StaffService);
  const createAccount = (overrides: Partial<AccountFieldsDto> = {}): Promise<Account> => {
    const id = unique('E');
    return app.get(AccountsService).create(CLI, {
      externalId: id,
      displayName: `Employee ${id}`,
      tier: 'standard',
      email: `${id.toLowerCase()}@example.com`,
      phone: `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`,
      employeeNumber: id.slice(-8),
      costCentre: 'CC-100',
      ...overrides,
    });
  };

  return {
    app,
    clock,
    db,
    databaseUrl,
    env,
    adminToken: bootstrap.token,
    secrets,
    http: () => request(app.getHttpServer()),
    async createStaff(roles, overrides = {}) {
      const name = overrides.name ?? unique('staff-');
      const linked = overrides.accountId === undefined && roles.some((role) => TICKET_ROLES.includes(role));
      const accountId = linked ? (await createAccount({ displayName: `${name} (staff)` })).id : (overrides.accountId ?? undefined);
      const staff = await staffService.create(CLI, { name, roles, accountId });
      if (!overrides.fresh) {
        const yearAgo = new Date(clock.now().getTime() - 365 * 86_400_000).toISOString();
        staff.rolesGrantedAt = Object.fromEntries(roles.map((role) => [role, yearAgo]));
        // Through the app's pool, not the test's one client: tests create staff several at once.
        await app.get(DataSource).query(`UPDATE staff SET roles_granted_at = $2 WHERE id = $1`, [staff.id, staff.rolesGrantedAt]);
      }
      const scopes = overrides.scopes ?? (roles.includes('service') ? [...SERVICE_SCOPES] : undefined);
      const { token } = await staffService.issueToken(CLI, staff.id, { expiresInDays: overrides.expiresInDays, scopes, allowedCidrs: overrides.allowedCidrs });
      secrets.add(token);
      return { staff, token };
    },
    createAccount,
    inbox() {
      const file = env.NOTIFY_FILE;
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as InboxMessage);
    },
    async snapshot() {
      const { rows } = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
      );
      const counts: Record<string, number> = {};
      for (const { table_name } of rows.filter((r) => !SEQUENCER_TABLES.includes(r.table_name))) {
        const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM "${table_name}"`)).rows as { n: number }[];
        counts[table_name] = n;
      }
      return counts;
    },
    async close() {
      await db.end();
      await app.close();
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      const leaks = [...secrets].flatMap((secret) => {
        const at = findSecret(log, secret);
        return at < 0
          ? []
          : [
              log
                .slice(Math.max(0, at - 80), at + secret.length + 80)
                .split(secret)
                .join('<the secret>'),
            ];
      });
      if (leaks.length) {
        throw new Error(`${leaks.length} secret(s) created by ${basename(testFile)} appear in its log ${logFile}, e.g. …${leaks[0]}…`);
      }
      if (serverErrors.length) throw new Error(`requests answered with 5xx:\n${serverErrors.join('\n')}`);
    },
  };
}
