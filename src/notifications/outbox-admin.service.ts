import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Conflict, NotFound } from '../common/errors';
import { decodeTimeCursor, Page, toPage } from '../common/pagination';
import { afterCommit } from '../database/after-commit';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';
import { OutboxService } from './outbox.service';

/** What admins do with the outbox: see where messages stand, and send a failed one again. */
@Injectable()
export class OutboxAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  /** Newest first, keyset-paged on (created_at, id). The sealed body is never selected. */
  async list(filter: { status?: OutboxStatus; limit: number; cursor?: string }): Promise<Page<OutboxMessage>> {
    const query = this.dataSource.getRepository(OutboxMessage).createQueryBuilder('o').orderBy('o.created_at', 'DESC').addOrderBy('o.id', 'DESC');
    if (filter.status) query.andWhere('o.status = :status', { status: filter.status });
    if (filter.cursor) {
      const [createdAt, id] = decodeTimeCursor(filter.cursor);
      query.andWhere('(o.created_at, o.id) < (:createdAt, :id)', { createdAt, id });
    }
    const rows = await query.take(filter.limit + 1).getMany();
    return toPage(
      rows,
      filter.limit,
      (o) => [o.createdAt.toISOString(), o.id],
      (o) => o,
    );
  }

  /**
   * A failed message back to pending and to the relay, with the same row and so
   * the same idempotency key: a receiver that already has it drops the copy.
   * The row lock makes two concurrent resends one resend and one 409.
   */
  resend(actor: AuditActor, id: string): Promise<OutboxMessage> {
    return this.dataSource.transaction(async (em) => {
      const message = await em.findOne(OutboxMessage, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!message) throw new NotFound('outbox message', id);
      if (message.status !== 'failed') {
        throw new Conflict(`outbox message ${id} is ${message.status}; only a failed message can be resent`, { status: message.status });
      }
      await em.update(OutboxMessage, { id }, { status: 'pending', failedAt: null });
      await this.audit.record(em, {
        actor,
        action: 'outbox.resent',
        target: { type: 'outbox_message', id },
        payload: { channel: message.channel, template: message.template, attempts: message.attempts, ticketId: message.ticketId },
      });
      // If Redis is down now (or the failed job is still finishing), the sweep enqueues the pending row later.
      afterCommit(em, () => this.outbox.enqueue([id]));
      return { ...message, status: 'pending', failedAt: null };
    });
  }
}
