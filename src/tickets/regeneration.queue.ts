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

/** States of a job that will not run again under its id (getState: one round trip). */
const FINISHED: readonly string[] = ['completed', 'failed'];

@Injectable()
export class RegenerationQueue {
  constructor(
    @InjectQueue(QUEUE.codes) private readonly queue: Queue<RegenerationJob>,
    private readonly policy: Policy,
  ) {}

  /**
   * A finished job keeps its id in BullMQ (a failed one until removeOnFail drops it), and adding under a held id is a
   * silent no-op: an admin's retry of a failed regeneration would run nothing. So a finished job is removed first; a
   * waiting, delayed or running one is left, and the add is the no-op we want. An enqueue due now (no delay) also
   * releases a job that an earlier enqueue delayed under the id (the approval's, delayed by the cooling-off, when it
   * lands as the reconciler finds the cooling-off over), so "due now" holds whichever add came first.
   */
  async enqueue(ticketId: string, delayMs = 0): Promise<void> {
    const previous = await this.queue.getJob(regenerationJobId(ticketId));
    if (previous && FINISHED.includes(await previous.getState())) await previous.remove();
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
    if (delayMs <= 0) await this.release(ticketId);
  }

  /** Moves the ticket's job from delayed to waiting; a job released meanwhile (or run, or removed) is what was wanted. */
  private async release(ticketId: string): Promise<void> {
    const job = await this.queue.getJob(regenerationJobId(ticketId));
    if (!job || !(await job.isDelayed())) return;
    try {
      await job.promote();
    } catch (error) {
      // BullMQ refuses to promote a job that is no longer delayed: another release got there first.
      if (await job.isDelayed()) throw error;
    }
  }
}
