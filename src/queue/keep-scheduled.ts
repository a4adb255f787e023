import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';

const RECHECK_MS = 60_000;

/**
 * Upserts a BullMQ job scheduler now and again every minute (every period, if shorter). A scheduler lives
 * in Redis: if Redis comes back empty (flushed, failed over without its data),
 * a scheduler created only at start-up would be gone until a worker restarts.
 * Upserting is idempotent, so every worker may do it. Returns a stop function.
 */
export function keepScheduled(
  queue: Queue,
  schedulerId: string,
  everyMs: number,
  template: { name: string; opts?: { removeOnComplete?: number; removeOnFail?: number } },
): { ready: Promise<void>; stop: () => void } {
  const logger = new Logger('Schedulers');
  const upsert = () => queue.upsertJobScheduler(schedulerId, { every: everyMs }, template).then(() => undefined);
  const timer = setInterval(
    () => {
      upsert().catch((error: Error) => logger.warn({ schedulerId, err: error.message }, 'could not re-check the job scheduler; will retry'));
    },
    Math.min(RECHECK_MS, everyMs),
  );
  timer.unref();
  return { ready: upsert(), stop: () => clearInterval(timer) };
}
