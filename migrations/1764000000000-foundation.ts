import { MigrationInterface, QueryRunner } from 'typeorm';

/** Staff and their tokens, accounts, and the append-only, hash-chained audit trail. */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        external_id text NOT NULL UNIQUE,
        display_name text NOT NULL,
        tier text NOT NULL CHECK (tier IN ('standard', 'privileged', 'critical')),
        email text NOT NULL,
        phone text NOT NULL,
        manager_id uuid REFERENCES accounts(id),
        employee_number text,
        cost_centre text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
        channels_changed_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (manager_id IS DISTINCT FROM id)
      )`);
    await q.query(`CREATE INDEX accounts_display_name_idx ON accounts (display_name, id)`);
    await q.query(`CREATE INDEX accounts_email_idx ON accounts (email)`);
    await q.query(`CREATE INDEX accounts_manager_idx ON accounts (manager_id)`);

    await q.query(`
      CREATE TABLE staff (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        roles text[] NOT NULL CHECK (
          cardinality(roles) > 0
          AND roles <@ ARRAY['agent', 'approver', 'admin', 'auditor', 'drill_runner', 'service']::text[]),
        account_id uuid REFERENCES accounts(id),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX staff_created_idx ON staff (created_at, id)`);

    await q.query(`
      CREATE TABLE staff_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        staff_id uuid NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL UNIQUE,
        label text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX staff_tokens_staff_idx ON staff_tokens (staff_id, created_at)`);

    await q.query(`
      CREATE TABLE audit_events (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        occurred_at timestamptz NOT NULL,
        actor_kind text NOT NULL,
        actor_id text,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        payload jsonb NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_events_target_idx ON audit_events (target_id, seq)`);
    await q.query(`CREATE INDEX audit_events_action_idx ON audit_events (action, seq)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, seq)`);
    // Append-only by construction, not by convention: the database itself refuses to rewrite history.
    await q.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_refuse_change`);
    await q.query(`DROP TABLE staff_tokens`);
    await q.query(`DROP TABLE staff`);
    await q.query(`DROP TABLE accounts`);
  }
}
