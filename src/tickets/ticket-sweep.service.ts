import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { InvalidTransition } from '../common/errors';
import { QUEUE } from '../queue/queues';
import { RegenerationQueue, regenerationJobId } from './regeneration.queue';
import { HELD_BY_SIGNAL_SQL } from './risk/risk.service';
import { asSystem } from './ticket-actor';
import { TicketTransitions } from './ticket-transitions.service';

/** A regenerating ticket with no progress for this long lost its job (worker and Redis both gone, say). */
const STUCK_MS = 2 * 60_000;

export interface TicketSweepResult {
  expired: number;
  stepsReset: number;
  regenerationsEnqueued: number;
}

/**
 * Time-based ticket work, run by the sweep (not by a request arriving):
 * expires tickets past their SLA, retires stale one-time codes and links, and
 * reconciles regeneration (a ticket approved but whose job was lost between
 * commit and Redis, or flushed, gets its job again; the job id dedupes).
 */
@Injectable()
export class TicketSweep {
  private readonly logger = new Logger(TicketSweep.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: TicketTransitions,
    private readonly regeneration: RegenerationQueue,
    @InjectQueue(QUEUE.codes) private readonly queue: Queue,
    private readonly clock: Clock,
  ) {}

  async run(): Promise<TicketSweepResult> {
    return { expired: await this.expireOverdue(), stepsReset: await this.retireStaleSecrets(), regenerationsEnqueued: await this.reconcile() };
  }

  async expireOverdue(): Promise<number> {
    const now = this.clock.now();
    const due = (await this.dataSource.query(
      `SELECT id FROM tickets WHERE state IN ('open', 'proofing', 'awaiting_approval') AND due_at <= $1 ORDER BY due_at LIMIT 500`,
      [now],
    )) as { id: string }[];
    let expired = 0;
    for (const { id } of due) {
      try {
        await this.dataSource.transaction(async (em) => {
          const { ticket, facts } = await this.transitions.lockWithFacts(em, id);
          if (ticket.dueAt > now) return; // moved on meanwhile
          await this.transitions.fire(em, ticket, 'expire', asSystem(), { facts, detail: { dueAt: ticket.dueAt.toISOString() } });
          expired += 1;
        });
      } catch (error) {
        if (!(error instanceof InvalidTransition)) throw error;
      }
    }
    if (expired) this.logger.log({ expired }, 'tickets expired past their SLA');
    return expired;
  }

  /** OTPs past their TTL are erased; the step can be started again (within its send limit). */
  async retireStaleSecrets(): Promise<number> {
    const now = this.clock.now();
    const [, count] = (await this.dataSource.query(
      `UPDATE ticket_steps SET status = 'pending', secret_hash = NULL WHERE status = 'sent' AND expires_at <= $1`,
      [now],
    )) as [unknown, number];
    await this.dataSource.query(`UPDATE ticket_links SET used_at = $1 WHERE purpose = 'attest' AND used_at IS NULL AND expires_at <= $1`, [now]);
    return count;
  }

  async reconcile(): Promise<number> {
    const now = this.clock.now();
    const rows = (await this.dataSource.query(
      // A held approved ticket (changed_since_approval) waits for an admin's cancel: no job for it.
      `SELECT id FROM tickets t
       WHERE (state = 'approved' AND regenerate_after <= $1 AND NOT ${HELD_BY_SIGNAL_SQL})
          OR (state = 'regenerating' AND state_changed_at <= $2)
       ORDER BY state_changed_at LIMIT 500`,
      [now, new Date(now.getTime() - STUCK_MS)],
    )) as { id: string }[];
    let enqueued = 0;
    for (const { id } of rows) {
      const job = await this.queue.getJob(regenerationJobId(id));
      const state = job ? await job.getState() : 'missing';
      if (!['delayed', 'missing', 'completed', 'failed', 'unknown'].includes(state)) continue; // waiting or running
      // Due now by the service's clock: a delayed job is released, a missing or finished one added anew (enqueue
      // removes the finished job whose id it reuses, and releases the approval's own delayed job should it land
      // between the look above and the add).
      await this.regeneration.enqueue(id);
      if (state !== 'delayed') enqueued += 1;
    }
    if (enqueued) this.logger.warn({ enqueued }, 'regeneration jobs re-enqueued by the reconciler');
    return enqueued;
  }
}
