import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Queue } from 'bullmq';
import { DeliveryService } from '../delivery/delivery.service';
import { OutboxService } from '../notifications/outbox.service';
import { keepScheduled } from '../queue/keep-scheduled';
import { JOB, QUEUE } from '../queue/queues';
import { TicketSweep, TicketSweepResult } from '../tickets/ticket-sweep.service';
import { UnlockService } from '../unlock/unlock.service';
import { DrillsService } from '../drills/drills.service';
import { ChangeRequestsService } from '../change-requests/change-requests.service';
import type { Env } from '../config/env.validation';

/** An undelivered message older than this lost its job (Redis down at commit, say): enqueue it again. */
const OUTBOX_GRACE_MS = 30_000;

export interface SweepResult extends TicketSweepResult {
  envelopesErased: number;
  notificationsRequeued: number;
  unlockSessionsExpired: number;
  drills: { started: number; resolved: number; debriefed: number };
  changeRequestsExpired: number;
}

/**
 * Time-based work, on a schedule rather than waiting for a request: expire
 * tickets past their SLA and reconcile regeneration jobs, erase expired
 * delivery envelopes, re-enqueue stranded notifications. The job
 * scheduler makes one job per period, so one worker runs it however many run.
 */
@Processor(QUEUE.sweep)
export class SweepProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private schedule?: { stop: () => void };

  constructor(
    private readonly delivery: DeliveryService,
    private readonly outbox: OutboxService,
    private readonly tickets: TicketSweep,
    private readonly unlock: UnlockService,
    private readonly drills: DrillsService,
    private readonly changeRequests: ChangeRequestsService,
    @InjectQueue(QUEUE.sweep) private readonly queue: Queue,
    private readonly config: ConfigService<Env, true>,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // The scheduler keeps its first name whatever the period (SWEEP_INTERVAL_MS): a new name would leave the old one running.
    const every = this.config.get('SWEEP_INTERVAL_MS', { infer: true });
    const schedule = keepScheduled(this.queue, 'sweep-every-minute', every, { name: JOB.sweep, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    this.schedule = schedule;
    await schedule.ready;
  }

  onModuleDestroy(): void {
    this.schedule?.stop();
  }

  async process(): Promise<SweepResult> {
    return {
      ...(await this.tickets.run()),
      envelopesErased: await this.delivery.eraseExpired(),
      notificationsRequeued: await this.outbox.requeueStale(OUTBOX_GRACE_MS),
      unlockSessionsExpired: await this.unlock.expireOverdue(),
      drills: await this.drills.sweep(),
      changeRequestsExpired: await this.changeRequests.expireOverdue(),
    };
  }
}
