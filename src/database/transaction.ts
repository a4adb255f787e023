import { EntityManager, QueryRunner } from 'typeorm';

/**
 * The caller's open transaction, or an error saying why one is needed. For work that must commit or roll back with
 * the change that causes it (an audit event, an outbox message, a row lock, a task after commit): run outside one,
 * it would stand alone, so it is refused before any statement is sent. `why` is the error's message, a programming
 * error's, never a client's.
 */
export function openTransaction(em: EntityManager, why: string): QueryRunner {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive) throw new Error(why);
  return runner;
}
