import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { openTransaction } from './transaction';

const TASKS = 'afterCommitTasks';

type Task = () => Promise<unknown>;

/**
 * Runs `task` once the caller's transaction has committed, never if it rolls
 * back. For handing work to Redis (enqueueing jobs): the database row written
 * in the transaction is the source of truth, so a task that fails here (Redis
 * down, process killed) is made good later by a sweep that reads those rows.
 */
export function afterCommit(em: EntityManager, task: Task): void {
  const runner = openTransaction(em, 'afterCommit needs the caller’s transaction');
  ((runner.data[TASKS] as Task[] | undefined) ??= []).push(task);
}

@Injectable()
export class AfterCommitSubscriber implements EntitySubscriberInterface {
  private readonly logger = new Logger('AfterCommit');

  constructor(@InjectDataSource() dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    for (const task of this.take(event)) {
      task().catch((error: Error) => this.logger.warn({ err: error.message }, 'post-commit task failed; the sweep will make it good'));
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.take(event);
  }

  private take(event: TransactionCommitEvent | TransactionRollbackEvent): Task[] {
    const data = event.queryRunner.data as Record<string, unknown>;
    const tasks = (data[TASKS] as Task[] | undefined) ?? [];
    delete data[TASKS];
    return tasks;
  }
}
