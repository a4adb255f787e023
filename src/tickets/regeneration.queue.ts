import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Policy } from '../config/policy';
import { JOB, QUEUE } from '../queue/queues';

export interface RegenerationJob {
  ticketId: string;
}

/** The job id is the ticket's: a second enqueue while the first waits or runs is a no-op. */
export const regenerationJobId = (ticketId: string) => `regen-${ticketId}`;

@Injectable()
export class RegenerationQueue {
  constructor(
    @InjectQueue(QUEUE.codes) private readonly queue: Queue<RegenerationJob>,
    private readonly policy: Policy,
  ) {}

  async enqueue(ticketId: string, delayMs = 0): Promise<void> {
    await this.queue.add(
      JOB.regenerate,
      { ticketId },
      {
        jobId: regenerationJobId(ticketId),
        delay: Math.max(0, delayMs),
        attempts: this.policy.regeneration.attempts,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: true,
        removeOnFail: 1_000,
      },
    );
  }
}
