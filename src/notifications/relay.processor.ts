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

  process(job: Job<{ outboxId: string }>): Promise<'delivered' | 'skipped'> {
    return this.outbox.deliver(job.data.outboxId);
  }
}
