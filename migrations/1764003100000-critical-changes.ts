import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every change-request kind: the change-requests migration's six, plus critical systems and SCIM connections. */
const KINDS = [
  'account.update',
  'staff.create',
  'staff.update',
  'staff.token',
  'ticket.clear_hold',
  'account.clear_recovery_hold',
  'critical_system.update',
  'critical_system.custodian_add',
  'critical_system.custodian_remove',
  'scim_connection.create',
];
const OLD_KINDS = KINDS.slice(0, 6);

/**
 * Critical systems' k, window and custodians, and SCIM connections, become sensitive changes (change requests).
 * A custodian's codes count for an unlock only if their set was active before the custodian was added, so each
 * custodian row records when it was added: existing rows take the time of their `critical_system.custodian_added`
 * audit event, else the system's creation (they were named when it was created). A SCIM connection created through
 * a change request has no secret until its requester fetches it once, so the secret hash may be empty.
 */
export class CriticalChanges1764003100000 implements MigrationInterface {
  name = 'CriticalChanges1764003100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE change_requests DROP CONSTRAINT change_requests_kind_check`);
    await q.query(`ALTER TABLE change_requests ADD CONSTRAINT change_requests_kind_check CHECK (kind IN (${KINDS.map((k) => `'${k}'`).join(', ')}))`);
    await q.query(`ALTER TABLE critical_system_custodians ADD COLUMN added_at timestamptz`);
    await q.query(`
      UPDATE critical_system_custodians c SET added_at = COALESCE(
        (SELECT max(e.occurred_at) FROM audit_events e
          WHERE e.action = 'critical_system.custodian_added' AND e.target_id = c.system_id::text AND e.payload->>'accountId' = c.account_id::text),
        (SELECT s.created_at FROM critical_systems s WHERE s.id = c.system_id))`);
    await q.query(`ALTER TABLE critical_system_custodians ALTER COLUMN added_at SET NOT NULL`);
    await q.query(`ALTER TABLE scim_connections ALTER COLUMN secret_hash DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM scim_connections WHERE secret_hash IS NULL`);
    await q.query(`ALTER TABLE scim_connections ALTER COLUMN secret_hash SET NOT NULL`);
    await q.query(`ALTER TABLE critical_system_custodians DROP COLUMN added_at`);
    await q.query(`DELETE FROM change_requests WHERE kind NOT IN (${OLD_KINDS.map((k) => `'${k}'`).join(', ')})`);
    await q.query(`ALTER TABLE change_requests DROP CONSTRAINT change_requests_kind_check`);
    await q.query(`ALTER TABLE change_requests ADD CONSTRAINT change_requests_kind_check CHECK (kind IN (${OLD_KINDS.map((k) => `'${k}'`).join(', ')}))`);
  }
}
