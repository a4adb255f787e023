import { Client } from 'pg';
import { BackingServiceUnreachable, checkRedis, ensureDatabase, runMigrations } from '../src/database/prepare';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseUrl, REDIS_URL, RUN_TMP_PREFIX, SERVER_URL, TEMPLATE_DB } from './helpers/test-env';

/**
 * Once per run: checks PostgreSQL and Redis are reachable (one clear line if
 * not), builds a migrated template database that each test file clones, and
 * compiles the app for the tests that run it as a real process (CLI).
 * global-teardown.ts drops the databases and the folder the run made.
 */
export default async function globalSetup(): Promise<void> {
  try {
    await ensureDatabase(SERVER_URL);
    await checkRedis(REDIS_URL);
  } catch (error) {
    if (error instanceof BackingServiceUnreachable) {
      console.error(`\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  await runMigrations(databaseUrl(TEMPLATE_DB));
  useRunTmp();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../scripts/prepare').ensureBuilt();
}

/**
 * One folder for everything the run writes under the temporary directory (logs, policy files, own PostgreSQL and
 * Redis data): TMPDIR points there for the test workers, which start after this, and the teardown removes it.
 * A folder left by an earlier run of this namespace that was killed goes first.
 */
function useRunTmp(): void {
  const base = tmpdir();
  for (const name of readdirSync(base)) if (name.startsWith(RUN_TMP_PREFIX)) rmSync(join(base, name), { recursive: true, force: true });
  const dir = mkdtempSync(join(base, RUN_TMP_PREFIX));
  chmodSync(dir, 0o755); // the own PostgreSQL runs as the postgres user, in a folder inside this one
  process.env.TMPDIR = dir;
  process.env.RD_TEST_RUN_TMP = dir;
}
