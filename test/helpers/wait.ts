import type { Client } from 'pg';

/** Polls until `probe` returns something truthy; for work that happens in a worker, not in the request. */
export async function eventually<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | undefined | null>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Until a statement of this test's database whose text contains `fragment` is waiting for a lock (held by the test). */
export async function untilWaitingOnLock(db: Pick<Client, 'query'>, fragment: string): Promise<void> {
  const waiting = `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`;
  await eventually(async () => (await db.query(waiting, [fragment])).rowCount === 1, `a statement with ${fragment} waiting for a lock`);
}
