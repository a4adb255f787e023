import { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNALS_BEFORE = ['channel_recently_changed', 'reset_velocity', 'callback_not_on_file', 'manager_not_independent', 'subject_reported_not_me'];
/** The full union every branch agreed on (a rewrite of the check must always list all of them). */
const SIGNALS_ALL = [...SIGNALS_BEFORE, 'changed_since_approval', 'tier_recently_lowered', 'manager_recently_changed', 'approver_recently_privileged'];
const list = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * History the history-aware risk signals read: every change of an account's tier, manager, registered channels or
 * status (which channel, never its value), when each staff role was granted, and why an approval did not count.
 */
export class AccountHistorySignals1764003000000 implements MigrationInterface {
  name = 'AccountHistorySignals1764003000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id),
        changed_at timestamptz NOT NULL,
        actor text NOT NULL,
        changed text[] NOT NULL CHECK (cardinality(changed) > 0 AND changed <@ ARRAY['tier', 'managerId', 'email', 'phone', 'status']::text[]),
        tier_before text CHECK (tier_before IN ('standard', 'privileged', 'critical')),
        tier_after text CHECK (tier_after IN ('standard', 'privileged', 'critical')),
        manager_before uuid,
        manager_after uuid,
        status_before text,
        status_after text,
        CHECK (('tier' = ANY (changed)) = (tier_before IS NOT NULL AND tier_after IS NOT NULL))
      )`);
    // Each ticket asks "what changed on this account (and on its manager) within the window?"
    await q.query(`CREATE INDEX account_changes_account_idx ON account_changes (account_id, changed_at)`);

    // Per role, when it was granted (ISO time). Existing members: at their creation, as far as we know.
    await q.query(`ALTER TABLE staff ADD COLUMN roles_granted_at jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE staff SET roles_granted_at = (SELECT jsonb_object_agg(r, to_jsonb(created_at)) FROM unnest(roles) AS r)`);

    // Why an approval does not count (empty: it counts). `independent` stays the one flag the count reads.
    await q.query(`ALTER TABLE approvals ADD COLUMN not_counted text[] NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE approvals SET not_counted = ARRAY['manager_not_independent'] WHERE NOT independent`);
    await q.query(`
      ALTER TABLE approvals ADD CONSTRAINT approvals_not_counted_check
        CHECK (not_counted <@ ARRAY['manager_not_independent', 'approver_recently_privileged']::text[] AND independent = (cardinality(not_counted) = 0))`);

    await q.query(`ALTER TABLE ticket_signals DROP CONSTRAINT ticket_signals_signal_check`);
    await q.query(`ALTER TABLE ticket_signals ADD CONSTRAINT ticket_signals_signal_check CHECK (signal IN (${list(SIGNALS_ALL)}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM ticket_signals WHERE signal NOT IN (${list(SIGNALS_BEFORE)})`);
    await q.query(`ALTER TABLE ticket_signals DROP CONSTRAINT ticket_signals_signal_check`);
    await q.query(`ALTER TABLE ticket_signals ADD CONSTRAINT ticket_signals_signal_check CHECK (signal IN (${list(SIGNALS_BEFORE)}))`);
    await q.query(`ALTER TABLE approvals DROP CONSTRAINT approvals_not_counted_check`);
    await q.query(`ALTER TABLE approvals DROP COLUMN not_counted`);
    await q.query(`ALTER TABLE staff DROP COLUMN roles_granted_at`);
    await q.query(`DROP TABLE account_changes`);
  }
}
