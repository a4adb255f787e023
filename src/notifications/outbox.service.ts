import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { afterCommit } from '../database/after-commit';
import { JOB, QUEUE } from '../queue/queues';
import { NotificationAdapter } from './adapters/notification-adapter';
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
  intendedFor?: 'subject' | 'manager';
}

/** Ids written in one transaction, enqueued together once it commits. */
const PENDING_OUTBOX = 'pendingOutboxIds';

const RETRY = { attempts: 10, backoff: { type: 'exponential', delay: 1_000 } } as const;

@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QUEUE.notifications) private readonly queue: Queue,
    private readonly keys: SealingKeys,
    private readonly adapter: NotificationAdapter,
    private readonly clock: Clock,
  ) {}

  /** Writes a message inside the caller's transaction; it leaves only if that transaction commits. */
  async write(em: EntityManager, message: NewMessage): Promise<string | undefined> {
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('outbox messages are written inside the transaction that causes them');
    const content: Rendered = render(message.template, message.vars);
    if (message.ticketId && (await this.isDrillTicket(em, message.ticketId))) {
      // Safe by construction: a drill never reaches the real subject or manager. The message goes to the
      // drill's sink instead, where only drill runners read it (so the "impostor" does not have it either).
      await em.query(
        `INSERT INTO drill_messages (ticket_id, channel, intended_for, template, sealed_body, idempotency_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
        [message.ticketId, message.channel, message.intendedFor ?? 'subject', message.template, this.keys.outbox.seal(JSON.stringify(content), message.idempotencyKey), message.idempotencyKey, this.clock.now()],
      );
      return undefined;
    }
    const [row] = (await em.query(
      `INSERT INTO outbox (idempotency_key, channel, recipient, template, sealed_body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [message.idempotencyKey, message.channel, message.to, message.template, this.keys.outbox.seal(JSON.stringify(content), message.idempotencyKey), this.clock.now()],
    )) as { id: string }[];
    if (!row) return undefined;
    let pending = runner.data[PENDING_OUTBOX] as string[] | undefined;
    if (!pending) {
      pending = runner.data[PENDING_OUTBOX] = [];
      const ids = pending;
      afterCommit(em, () => this.enqueue(ids));
    }
    pending.push(row.id);
    return row.id;
  }

  private async isDrillTicket(em: EntityManager, ticketId: string): Promise<boolean> {
    const [row] = (await em.query(`SELECT is_drill FROM tickets WHERE id = $1`, [ticketId])) as { is_drill: boolean }[];
    return row?.is_drill === true;
  }

  /** Hands messages to the relay. A second enqueue of the same id while it waits is a no-op. */
  async enqueue(ids: string[]): Promise<void> {
    await this.queue.addBulk(ids.map((id) => ({ name: JOB.deliverNotification, data: { outboxId: id }, opts: { jobId: `outbox-${id}`, removeOnComplete: true, removeOnFail: 1_000, ...RETRY } })));
  }

  /**
   * Delivers one message at least once: the row stays locked while the adapter
   * sends, so two workers never send it at the same time; delivered rows are skipped.
   */
  async deliver(id: string): Promise<'delivered' | 'skipped'> {
    let failure: Error | undefined;
    const outcome = await this.dataSource.transaction(async (em) => {
      const [row] = (await em.query(
        `SELECT id, idempotency_key, channel, recipient, template, sealed_body FROM outbox
         WHERE id = $1 AND delivered_at IS NULL FOR UPDATE SKIP LOCKED`,
        [id],
      )) as { id: string; idempotency_key: string; channel: 'email' | 'sms'; recipient: string; template: string; sealed_body: Buffer }[];
      if (!row) return 'skipped' as const;
      const content = JSON.parse(this.keys.outbox.open(row.sealed_body, row.idempotency_key)) as Rendered;
      try {
        await this.adapter.send({ id: row.id, idempotencyKey: row.idempotency_key, channel: row.channel, to: row.recipient, template: row.template, ...content });
      } catch (error) {
        failure = error as Error;
        await em.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [id, failure.message.slice(0, 500)]);
        return 'skipped' as const;
      }
      await em.query(`UPDATE outbox SET attempts = attempts + 1, delivered_at = $2, last_error = NULL WHERE id = $1`, [id, this.clock.now()]);
      return 'delivered' as const;
    });
    if (failure) throw failure; // after the commit that recorded the attempt: BullMQ retries with back-off
    if (outcome === 'delivered') this.logger.log({ outboxId: id }, 'notification delivered');
    return outcome;
  }

  /** For the sweep: messages still undelivered after a grace period (their job was lost with Redis, say). */
  async requeueStale(olderThanMs: number): Promise<number> {
    const rows = await this.dataSource
      .getRepository(OutboxMessage)
      .createQueryBuilder('o')
      .select('o.id', 'id')
      .where('o.delivered_at IS NULL AND o.created_at < :cutoff', { cutoff: new Date(this.clock.now().getTime() - olderThanMs) })
      .orderBy('o.created_at')
      .limit(1_000)
      .getRawMany<{ id: string }>();
    if (rows.length) await this.enqueue(rows.map((r) => r.id));
    return rows.length;
  }
}
