import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change requests: a sensitive admin change waits here for a second admin. At most one pending request per
 * target (the partial unique index), so a second request on the same account, member or ticket is refused.
 */
export class ChangeRequests1764001500000 implements MigrationInterface {
  name = 'ChangeRequests1764001500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE change_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('account.update', 'staff.create', 'staff.update', 'staff.token', 'ticket.clear_hold', 'account.clear_recovery_hold')),
        target_type text NOT NULL,
        target_id text NOT NULL,
        requested_by uuid NOT NULL REFERENCES staff(id),
        reason text,
        sensitive text[] NOT NULL,
        before jsonb NOT NULL,
        after jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'applied', 'rejected', 'refused', 'expired', 'used')),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        reviewed_by uuid REFERENCES staff(id),
        reviewed_at timestamptz,
        review_reason text,
        outcome text,
        CHECK (reviewed_by IS NULL OR reviewed_by <> requested_by)
      )`);
    await q.query(`CREATE UNIQUE INDEX change_requests_one_pending_idx ON change_requests (target_type, target_id) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX change_requests_list_idx ON change_requests ((state <> 'pending'), created_at DESC, id)`);
    await q.query(`CREATE INDEX change_requests_expiry_idx ON change_requests (expires_at) WHERE state = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE change_requests`);
  }
}
