import { EntityManager } from 'typeorm';

export interface WindowCount {
  /** Calls counted in this window, this one included. */
  calls: number;
  windowStart: Date;
  /** Seconds until the window ends (for Retry-After). */
  retryAfterSeconds: number;
}

/**
 * Counts one use of `key` in the fixed window of `windowMs` that contains `now` (usage_windows). An upsert, so
 * concurrent calls count exactly; in the caller's transaction, so a refused call rolled back is not counted.
 */
export async function countUse(em: EntityManager, key: string, windowMs: number, now: Date): Promise<WindowCount> {
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const [row] = (await em.query(
    `INSERT INTO usage_windows (key, window_start, calls) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET calls = usage_windows.calls + 1 RETURNING calls`,
    [key, windowStart],
  )) as { calls: number }[];
  return { calls: row.calls, windowStart, retryAfterSeconds: Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000)) };
}
