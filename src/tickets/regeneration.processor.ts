import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, Job } from 'bullmq';
import { QUEUE } from '../queue/queues';
import { RegenerationJob } from './regeneration.queue';
import { RegenerationOutcome, RegenerationService } from './regeneration.service';

/**
 * Job data is the ticket id only. A short lock means a job whose worker was
 * killed is picked up again within seconds by another worker (or the same one
 * restarted); the service's idempotency makes the rerun safe.
 */
@Processor(QUEUE.codes, { concurrency: 4, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class RegenerationProcessor extends WorkerHost {
  constructor(private readonly regeneration: RegenerationService) {
    super();
  }

  async process(job: Job<RegenerationJob>, token?: string): Promise<RegenerationOutcome> {
    const result = await this.regeneration.regenerate(job.data.ticketId);
    if (result.outcome === 'not_yet') {
      // Cooling-off not over (clocks differ, or the job was promoted early): wait, without spending an attempt.
      await job.moveToDelayed(result.notBefore.getTime(), token);
      throw new DelayedError();
    }
    return result;
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<RegenerationJob> | undefined, error: Error): Promise<void> {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) await this.regeneration.markFailed(job.data.ticketId, error.message);
  }
}
