import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import type { Env } from '../config/env.validation';
import { afterCommit } from '../database/after-commit';
import { castPlaceholders, SqlPart, updateReturning } from '../database/sql';
import { openTransaction } from '../database/transaction';
import { JOB, QUEUE } from '../queue/queues';
import { NotificationAdapter, PermanentDeliveryFailure } from './adapters/notification-adapter';
import { OutboxMessage } from './outbox-message.entity';
import { SealingKeys } from './sealing-keys';
import { Rendered, render, TemplateName } from './templates';

export interface NewMessage {
  channel: 'email' | 'sms';
  to: string;
  template: TemplateName;
  vars: Record<string, string | number>;
  /** Same key, same message: a retried transaction or job never sends it twice. */
  idempotencyKey: string;
  /** The recovery ticket this message is about, if any: a drill ticket's messages never leave (see write). */
  ticketId?: string;
  intendedFor?: 'subject' | 'manager' | 'security';
}

/** Ids written in one transaction, enqueued together once it commits. */
const PENDING_OUTBOX = 'pendingOutboxIds';
/** How long a hand-off waits for others to share its enqueue: a notice is not held back any longer than this. */
const HAND_OFF_BATCH_MS = 2;

@Injectable()
export class OutboxService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxService.name);
  private readonly retry: { attempts: number; backoff: { type: 'exponential'; delay: number } };
  /** Hand-offs on their way to the queue (handOff), awaited before the queues close. */
  private readonly handing = new Set<Promise<void>>();
  /** Ids handed off since the last batch went, and the timer that sends them (handOffSoon). */
  private batch: string[] = [];
  private batchTimer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUE.notifications) private readonly queue: Queue,
    private readonly keys: SealingKeys,
    private readonly adapter: NotificationAdapter,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    config: ConfigService<Env, true>,
  ) {
    this.retry = {
      attempts: config.get('NOTIFY_RETRY_ATTEMPTS', { infer: true }),
      backoff: { type: 'exponential', delay: config.get('NOTIFY_RETRY_DELAY_MS', { infer: true }) },
    };
  }

  /** Writes a message inside the caller's transaction; it leaves only if that transaction commits. */
  async write(em: EntityManager, message: NewMessage): Promise<string | undefined> {
    openTransaction(em, 'outbox messages are written inside the transaction that causes them');
    if (message.ticketId && (await this.isDrillTicket(em, message.ticketId))) {
      const content: Rendered = render(message.template, message.vars);
      // Safe by construction: a drill never reaches the real subject or manager. The message goes to the
      // drill's sink instead, where only drill runners read it (so the "impostor" does not have it either).
      await em.query(
        `INSERT INTO drill_messages (ticket_id, channel, intended_for, template, sealed_body, idempotency_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
        [
          message.ticketId,
          message.channel,
          message.intendedFor ?? 'subject',
          message.template,
          this.keys.outbox.seal(JSON.stringify(content), message.idempotencyKey),
          message.idempotencyKey,
          this.clock.now(),
        ],
      );
      return undefined;
    }
    const insert = this.insertOf(message, 0, 'true');
    const [row] = (await em.query(`${insert.sql} RETURNING id`, insert.params)) as { id: string }[];
    if (!row) return undefined;
    this.handOff(em, [row.id]);
    return row.id;
  }

  /**
   * The message's INSERT as one member of a larger data-modifying statement (a code's consumption, which is one
   * statement): its placeholders numbered after `before` of the statement's own, written only when `when` holds; a
   * second message with the same idempotency key writes nothing. The caller runs it as part of that statement and
   * hands the id it returns to `handOff`. Not for a ticket's messages: a drill ticket's go to the drill's sink (write).
   */
  messageInsert(message: Omit<NewMessage, 'ticketId'>, before: number, when: string): SqlPart {
    // The type keeps a ticket out; an object that carries one anyway is refused rather than sent past the drill check.
    if ((message as NewMessage).ticketId) throw new Error("a ticket's message is written by write(), which routes a drill's to its sink");
    return this.insertOf(message, before, when);
  }

  private insertOf(message: NewMessage, before: number, when: string): SqlPart {
    const params = [
      message.idempotencyKey,
      message.channel,
      message.to,
      message.template,
      this.keys.outbox.seal(JSON.stringify(render(message.template, message.vars)), message.idempotencyKey),
      this.clock.now(),
      message.ticketId ?? null,
    ];
    const selected = castPlaceholders(['text', 'text', 'text', 'text', 'bytea', 'timestamptz', 'uuid'], before);
    return {
      sql: `INSERT INTO outbox (idempotency_key, channel, recipient, template, sealed_body, created_at, ticket_id)
            SELECT ${selected} WHERE ${when} ON CONFLICT (idempotency_key) DO NOTHING`,
      params,
    };
  }

  /**
   * Hands written messages to the relay once what wrote them has committed: after the caller's transaction when
   * `em` has one open (the ids of one transaction go together), at once otherwise (a statement that committed alone).
   * Either way in the next batch (handOffSoon), after the caller's answer has gone out, and before the queues close
   * at shutdown.
   */
  handOff(em: EntityManager, ids: string[]): void {
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) return this.handOffSoon(ids);
    let pending = runner.data[PENDING_OUTBOX] as string[] | undefined;
    if (!pending) {
      pending = runner.data[PENDING_OUTBOX] = [];
      const all = pending;
      afterCommit(em, async () => this.handOffSoon(all));
    }
    pending.push(...ids);
  }

  /**
   * Ids handed off within HAND_OFF_BATCH_MS of each other go to the queue in one enqueue, on a timer: after the I/O
   * already waiting (the answer that follows a commit, other requests' replies), not between a commit and the caller's
   * answer, and with one round trip to Redis for a batch instead of one each under load.
   */
  private handOffSoon(ids: string[]): void {
    this.batch.push(...ids);
    this.batchTimer ??= setTimeout(() => this.handOffBatch(), HAND_OFF_BATCH_MS);
  }

  private handOffBatch(): void {
    const ids = this.batch;
    this.batch = [];
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (!ids.length) return;
    const handing: Promise<void> = this.enqueue(ids)
      .catch((error: Error) => this.logger.warn({ err: error.message }, 'enqueue failed; the sweep will make it good'))
      .finally(() => this.handing.delete(handing));
    this.handing.add(handing);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.handOffBatch();
    await Promise.all(this.handing);
  }

  private async isDrillTicket(em: EntityManager, ticketId: string): Promise<boolean> {
    const [row] = (await em.query(`SELECT is_drill FROM tickets WHERE id = $1`, [ticketId])) as { is_drill: boolean }[];
    return row?.is_drill === true;
  }

  /**
   * Hands messages to the relay. A second enqueue of the same id while it waits is a no-op. One id is one `add`:
   * `addBulk` builds an ioredis pipeline, which copies every BullMQ script onto itself (about 0.2 ms of the event loop).
   */
  async enqueue(ids: string[]): Promise<void> {
    const jobs = ids.map((id) => ({
      name: JOB.deliverNotification,
      data: { outboxId: id },
      opts: { jobId: `outbox-${id}`, removeOnComplete: true, removeOnFail: 1_000, ...this.retry },
    }));
    if (jobs.length === 1) await this.queue.add(jobs[0].name, jobs[0].data, jobs[0].opts);
    else await this.queue.addBulk(jobs);
  }

  /**
   * Delivers one message at least once: the row stays locked while the adapter
   * sends, so two workers never send it at the same time; only pending rows are sent.
   * A failure is recorded with its attempt and retried with back-off, except a
   * permanent refusal, or a failure on the job's last attempt: then the message
   * is `failed` (audited, in the same transaction) and waits for an admin's
   * resend instead of being retried forever or left pending with no job.
   */
  async deliver(id: string, lastAttempt = false): Promise<'delivered' | 'failed' | 'skipped'> {
    let retry: Error | undefined;
    const outcome = await this.dataSource.transaction(async (em) => {
      const [row] = (await em.query(
        `SELECT id, idempotency_key, channel, recipient, template, sealed_body FROM outbox
         WHERE id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED`,
        [id],
      )) as { id: string; idempotency_key: string; channel: 'email' | 'sms'; recipient: string; template: string; sealed_body: Buffer }[];
      if (!row) return 'skipped' as const;
      const content = JSON.parse(this.keys.outbox.open(row.sealed_body, row.idempotency_key)) as Rendered;
      try {
        await this.adapter.send({
          id: row.id,
          idempotencyKey: row.idempotency_key,
          channel: row.channel,
          to: row.recipient,
          template: row.template,
          ...content,
        });
      } catch (error) {
        const failure = error as Error;
        const permanent = failure instanceof PermanentDeliveryFailure;
        if (!permanent && !lastAttempt) {
          retry = failure;
          await em.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [id, failure.message.slice(0, 500)]);
          return 'skipped' as const;
        }
        await this.markFailed(em, row, permanent ? failure.message : `gave up after its last retry: ${failure.message}`, permanent);
        return 'failed' as const;
      }
      await em.query(`UPDATE outbox SET attempts = attempts + 1, status = 'sent', delivered_at = $2, last_error = NULL WHERE id = $1`, [id, this.clock.now()]);
      return 'delivered' as const;
    });
    if (retry) throw retry; // after the commit that recorded the attempt: BullMQ retries with back-off
    if (outcome === 'delivered') this.logger.log({ outboxId: id }, 'notification delivered');
    if (outcome === 'failed') this.logger.warn({ outboxId: id }, 'notification failed for good; an admin can resend it');
    return outcome;
  }

  private async markFailed(em: EntityManager, row: { id: string; channel: string; template: string }, reason: string, permanent: boolean): Promise<void> {
    const [updated] = await updateReturning<{ attempts: number }>(
      em,
      `UPDATE outbox SET attempts = attempts + 1, status = 'failed', failed_at = $2, last_error = $3 WHERE id = $1 RETURNING attempts`,
      [row.id, this.clock.now(), reason.slice(0, 500)],
    );
    await this.audit.record(em, {
      actor: SYSTEM,
      action: 'outbox.failed',
      target: { type: 'outbox_message', id: row.id },
      payload: { channel: row.channel, template: row.template, attempts: updated.attempts, permanent },
    });
  }

  /** For the sweep: messages still pending after a grace period (their job was lost with Redis, say); never failed ones. */
  async requeueStale(olderThanMs: number): Promise<number> {
    const rows = await this.dataSource
      .getRepository(OutboxMessage)
      .createQueryBuilder('o')
      .select('o.id', 'id')
      .where(`o.status = 'pending' AND o.created_at < :cutoff`, { cutoff: new Date(this.clock.now().getTime() - olderThanMs) })
      .orderBy('o.created_at')
      .limit(1_000)
      .getRawMany<{ id: string }>();
    if (rows.length) await this.enqueue(rows.map((r) => r.id));
    return rows.length;
  }
}
