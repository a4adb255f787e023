import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Risk signals on tickets, whether an approval counts as independent, and the
 * indexes the velocity counts read (per account, and privileged/critical across
 * the desk) so they stay index scans however many tickets the table holds.
 */
export class RiskSignals1764000700000 implements MigrationInterface {
  name = 'RiskSignals1764000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ticket_signals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        signal text NOT NULL CHECK (signal IN ('channel_recently_changed', 'reset_velocity', 'callback_not_on_file', 'manager_not_independent')),
        reason text NOT NULL,
        holds boolean NOT NULL,
        basis text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        raised_at timestamptz NOT NULL,
        cleared_at timestamptz,
        cleared_by uuid REFERENCES staff(id),
        clear_reason text,
        UNIQUE (ticket_id, signal),
        CHECK ((cleared_at IS NULL) = (cleared_by IS NULL) AND (cleared_at IS NULL) = (clear_reason IS NULL))
      )`);
    // take-next and every guard check ask "is anything still holding this ticket?"
    await q.query(`CREATE INDEX ticket_signals_holding_idx ON ticket_signals (ticket_id) WHERE holds AND cleared_at IS NULL`);
    // Existing approvals were all counted under the old rules: independent by default.
    await q.query(`ALTER TABLE approvals ADD COLUMN independent boolean NOT NULL DEFAULT true`);
    await q.query(`CREATE INDEX tickets_privileged_created_idx ON tickets (created_at) WHERE tier IN ('privileged', 'critical')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tickets_privileged_created_idx`);
    await q.query(`ALTER TABLE approvals DROP COLUMN independent`);
    await q.query(`DROP TABLE ticket_signals`);
  }
}
