import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `intake` staff role (the identity a phone system, chat or web form opens tickets under), the `superseded`
 * ticket state (a newer request for the same account withdrew the ticket), and why a drill ended inconclusive.
 */
export class IntakeAndSupersede1764000816000 implements MigrationInterface {
  name = 'IntakeAndSupersede1764000816000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff DROP CONSTRAINT staff_roles_check`);
    await q.query(`ALTER TABLE staff ADD CONSTRAINT staff_roles_check CHECK (
      cardinality(roles) > 0 AND roles <@ ARRAY['agent', 'approver', 'admin', 'auditor', 'drill_runner', 'service', 'intake']::text[])`);
    await q.query(`ALTER TABLE tickets DROP CONSTRAINT tickets_state_check`);
    await q.query(`ALTER TABLE tickets ADD CONSTRAINT tickets_state_check CHECK (
      state IN ('open', 'proofing', 'awaiting_approval', 'approved', 'regenerating', 'completed', 'denied', 'cancelled', 'expired', 'failed', 'superseded'))`);
    await q.query(`ALTER TABLE drills ADD COLUMN ended_reason text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE drills DROP COLUMN ended_reason`);
    await q.query(`ALTER TABLE tickets DROP CONSTRAINT tickets_state_check`);
    await q.query(`ALTER TABLE tickets ADD CONSTRAINT tickets_state_check CHECK (
      state IN ('open', 'proofing', 'awaiting_approval', 'approved', 'regenerating', 'completed', 'denied', 'cancelled', 'expired', 'failed'))`);
    await q.query(`ALTER TABLE staff DROP CONSTRAINT staff_roles_check`);
    await q.query(`ALTER TABLE staff ADD CONSTRAINT staff_roles_check CHECK (
      cardinality(roles) > 0 AND roles <@ ARRAY['agent', 'approver', 'admin', 'auditor', 'drill_runner', 'service']::text[])`);
  }
}
