import { Client } from 'pg';
import { BackingServiceUnreachable, checkRedis, ensureDatabase, runMigrations } from '../src/database/prepare';
import { databaseUrl, LOG_DIR, REDIS_URL, SERVER_URL, TEMPLATE_DB } from './helpers/test-env';
import { rmSync } from 'node:fs';

/**
 * Once per run: checks PostgreSQL and Redis are reachable (one clear line if
 * not), builds a migrated template database that each test file clones, and
 * compiles the app for the tests that run it as a real process (CLI).
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
  rmSync(LOG_DIR, { recursive: true, force: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../scripts/prepare').ensureBuilt();
}
