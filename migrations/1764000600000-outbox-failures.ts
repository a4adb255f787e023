import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox messages get a status: `pending` until delivered (`sent`), or `failed`
 * when the relay gave up (a permanent refusal such as SMTP 550, or retries
 * exhausted), so a message that will never arrive is visible to admins instead
 * of waiting silently. The ticket a message is about, for the admin listing.
 */
export class OutboxFailures1764000600000 implements MigrationInterface {
  name = 'OutboxFailures1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox
        ADD COLUMN status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        ADD COLUMN failed_at timestamptz,
        ADD COLUMN ticket_id uuid`);
    await q.query(`UPDATE outbox SET status = 'sent' WHERE delivered_at IS NOT NULL`);
    // The status and its timestamps cannot disagree, whoever writes the row.
    await q.query(`
      ALTER TABLE outbox ADD CONSTRAINT outbox_status_times CHECK (
        (status = 'sent') = (delivered_at IS NOT NULL) AND (status = 'failed') = (failed_at IS NOT NULL))`);
    await q.query(`DROP INDEX outbox_pending_idx`);
    // The admin listing (per status, newest first) and the sweep's stale-pending scan both read this one.
    await q.query(`CREATE INDEX outbox_status_idx ON outbox (status, created_at, id)`);
    await q.query(`CREATE INDEX outbox_created_idx ON outbox (created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_created_idx`);
    await q.query(`DROP INDEX outbox_status_idx`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE delivered_at IS NULL`);
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT outbox_status_times, DROP COLUMN ticket_id, DROP COLUMN failed_at, DROP COLUMN status`);
  }
}
