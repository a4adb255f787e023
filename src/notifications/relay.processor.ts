import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { QUEUE } from '../queue/queues';
import { OutboxService } from './outbox.service';

/** Delivers outbox messages; job data is the outbox id only. */
@Processor(QUEUE.notifications, { concurrency: 8 })
export class NotificationRelayProcessor extends WorkerHost {
  constructor(private readonly outbox: OutboxService) {
    super();
  }

  process(job: Job<{ outboxId: string }>): Promise<'delivered' | 'failed' | 'skipped'> {
    // On the job's last attempt a failure marks the message failed (for an admin) rather than leaving it pending.
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.outbox.deliver(job.data.outboxId, lastAttempt);
  }
}
