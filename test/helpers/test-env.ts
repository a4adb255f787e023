import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The machine's PostgreSQL server (any database name; tests use their own). */
export const SERVER_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * Lets two test runs share one machine without dropping each other's databases
 * (RD_TEST_NAMESPACE=a npm test … beside RD_TEST_NAMESPACE=b npm test …).
 */
const NAMESPACE = (process.env.RD_TEST_NAMESPACE ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
export const TEMPLATE_DB = `rd_test_template${NAMESPACE}`;
/** The databases a run makes (each file's, by worker: rd_test_w1, rd_test_startup_w1 …), dropped by the global teardown. */
export const RUN_DATABASES = new RegExp(`^rd_test_([a-z]+_)?w${NAMESPACE}\\d+$`);
/** Every folder a run writes under the system's temporary directory goes in one of these (TMPDIR points there). */
export const RUN_TMP_PREFIX = `rd-test-run${NAMESPACE}-`;
export const LOG_DIR = join(tmpdir(), `recovery-desk-test-logs${NAMESPACE}`);

/**
 * argon2id at the floor only NODE_ENV=test accepts (src/config/env.validation.ts): hashing is most of what a code set
 * costs, and the suite makes thousands. test/codes.e2e-spec.ts keeps the production defaults and checks them.
 */
export const TEST_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function workerId(): string {
  return `${NAMESPACE}${process.env.JEST_WORKER_ID ?? '1'}`;
}
