import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { databaseUrl, RUN_DATABASES, TEMPLATE_DB } from './helpers/test-env';

/** Once per run, after the last file: drops every database the run made and removes its temporary folder (RD_TEST_KEEP_TMP=1 keeps it). */
export default async function globalTeardown(): Promise<void> {
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'rd\\_test\\_%'`);
    for (const { datname } of rows) {
      if (datname === TEMPLATE_DB || RUN_DATABASES.test(datname)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
  const dir = process.env.RD_TEST_RUN_TMP;
  if (!dir) return;
  if (process.env.RD_TEST_KEEP_TMP === '1') console.log(`\nKept the run's logs, inboxes and screenshots in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
