import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The default queue view (every state someone is still working on) in queue
 * order, straight from an index: the listing stays flat however many closed
 * tickets the table holds.
 */
export class LiveQueueIndex1764000500000 implements MigrationInterface {
  name = 'LiveQueueIndex1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX tickets_live_queue_idx ON tickets (tier_rank, due_at, id)
      WHERE state IN ('open', 'proofing', 'awaiting_approval', 'approved', 'regenerating', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tickets_live_queue_idx`);
  }
}
