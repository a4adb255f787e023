import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { OutboxService, PENDING_OUTBOX } from './outbox.service';

/**
 * Enqueues the outbox rows of a transaction once it has committed (never
 * before: a rolled-back change sends nothing). If Redis is unreachable at that
 * moment the rows stay pending and the sweep enqueues them later.
 */
@Injectable()
export class OutboxSubscriber implements EntitySubscriberInterface {
  private readonly logger = new Logger(OutboxSubscriber.name);

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {
    dataSource.subscribers.push(this);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const ids = this.take(event);
    if (!ids.length) return;
    this.outbox.enqueue(ids).catch((error: Error) => {
      this.logger.warn({ count: ids.length, err: error.message }, 'notifications not enqueued now; the sweep will retry');
    });
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.take(event);
  }

  private take(event: TransactionCommitEvent | TransactionRollbackEvent): string[] {
    const data = event.queryRunner.data as Record<string, unknown>;
    const ids = (data[PENDING_OUTBOX] as string[] | undefined) ?? [];
    delete data[PENDING_OUTBOX];
    return ids;
  }
}
