import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every signal any migration may write; rewritten whole by whoever adds one (the brief's FULL union). */
const ALL_SIGNALS = [
  'channel_recently_changed',
  'reset_velocity',
  'callback_not_on_file',
  'manager_not_independent',
  'subject_reported_not_me',
  'changed_since_approval',
  'tier_recently_lowered',
  'manager_recently_changed',
  'approver_recently_privileged',
];

/**
 * What an approval relied on: the subject's tier, registered channels and manager as they were when the ticket
 * became approved (the `fix_approved_facts` effect). Regeneration compares the account with them and holds the
 * ticket (`changed_since_approval`) rather than deliver to a channel nobody approved.
 */
export class ApprovedFacts1764003200000 implements MigrationInterface {
  name = 'ApprovedFacts1764003200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN approved_facts jsonb`);
    await q.query(`ALTER TABLE ticket_signals DROP CONSTRAINT ticket_signals_signal_check`);
    await q.query(`ALTER TABLE ticket_signals ADD CONSTRAINT ticket_signals_signal_check CHECK (signal IN (${ALL_SIGNALS.map((s) => `'${s}'`).join(', ')}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM ticket_signals WHERE signal = 'changed_since_approval'`);
    await q.query(`ALTER TABLE tickets DROP COLUMN approved_facts`);
  }
}
