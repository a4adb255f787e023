import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "This wasn't me" links sent about an account (not a ticket): only their SHA-256 is stored. Followed once, the
 * row becomes the subject's report, which holds every recovery of the account until an admin clears it; the
 * `subject_reported_not_me` risk signal is how a ticket carries that hold.
 */
export class AccountRecoveryHold1764000820000 implements MigrationInterface {
  name = 'AccountRecoveryHold1764000820000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id),
        token_hash char(64) NOT NULL UNIQUE,
        channel text NOT NULL CHECK (channel IN ('email', 'sms')),
        template text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        reported_at timestamptz,
        cleared_at timestamptz,
        cleared_by uuid REFERENCES staff(id),
        clear_reason text,
        CHECK ((cleared_at IS NULL) = (cleared_by IS NULL) AND (cleared_at IS NULL) = (clear_reason IS NULL)),
        CHECK (cleared_at IS NULL OR reported_at IS NOT NULL)
      )`);
    // Every ticket's risk evaluation asks "does an uncleared report hold this account?"
    await q.query(`CREATE INDEX account_reports_holding_idx ON account_reports (account_id) WHERE reported_at IS NOT NULL AND cleared_at IS NULL`);
    await q.query(`ALTER TABLE ticket_signals DROP CONSTRAINT ticket_signals_signal_check`);
    await q.query(
      `ALTER TABLE ticket_signals ADD CONSTRAINT ticket_signals_signal_check
       CHECK (signal IN ('channel_recently_changed', 'reset_velocity', 'callback_not_on_file', 'manager_not_independent', 'subject_reported_not_me'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM ticket_signals WHERE signal = 'subject_reported_not_me'`);
    await q.query(`ALTER TABLE ticket_signals DROP CONSTRAINT ticket_signals_signal_check`);
    await q.query(
      `ALTER TABLE ticket_signals ADD CONSTRAINT ticket_signals_signal_check
       CHECK (signal IN ('channel_recently_changed', 'reset_velocity', 'callback_not_on_file', 'manager_not_independent'))`,
    );
    await q.query(`DROP TABLE account_reports`);
  }
}
