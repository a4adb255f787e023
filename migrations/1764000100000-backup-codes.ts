import { MigrationInterface, QueryRunner } from 'typeorm';

/** Code sets and codes, per-account lockout, one-time delivery envelopes, the notification outbox, reissue requests. */
export class BackupCodes1764000100000 implements MigrationInterface {
  name = 'BackupCodes1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE code_sets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id),
        code_count int NOT NULL CHECK (code_count > 0),
        issued_at timestamptz NOT NULL,
        issued_by text NOT NULL,
        issuing_ticket_id uuid,
        rotation_due_at timestamptz NOT NULL,
        custody_acknowledged_at timestamptz,
        revoked_at timestamptz,
        revoked_by text,
        revoke_reason text,
        CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      )`);
    // At most one active set per account, whatever code path (or person with psql) tries otherwise.
    await q.query(`CREATE UNIQUE INDEX code_sets_one_active ON code_sets (account_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX code_sets_rotation_idx ON code_sets (rotation_due_at) WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE backup_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        set_id uuid NOT NULL REFERENCES code_sets(id),
        account_id uuid NOT NULL REFERENCES accounts(id),
        lookup char(2) NOT NULL,
        hash text NOT NULL,
        used_at timestamptz,
        UNIQUE (set_id, lookup)
      )`);
    await q.query(`CREATE INDEX backup_codes_lookup_idx ON backup_codes (account_id, lookup) WHERE used_at IS NULL`);

    await q.query(`
      CREATE TABLE code_guards (
        account_id uuid PRIMARY KEY REFERENCES accounts(id),
        failures int NOT NULL DEFAULT 0,
        window_started_at timestamptz,
        locked_until timestamptz,
        lock_count int NOT NULL DEFAULT 0
      )`);

    await q.query(`
      CREATE TABLE delivery_envelopes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id),
        set_id uuid NOT NULL REFERENCES code_sets(id),
        token_hash char(64) NOT NULL UNIQUE,
        ciphertext bytea,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        redeemed_at timestamptz,
        erased_at timestamptz,
        CHECK ((ciphertext IS NULL) = (erased_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX delivery_envelopes_one_per_set ON delivery_envelopes (set_id)`);
    await q.query(`CREATE INDEX delivery_envelopes_expiry_idx ON delivery_envelopes (expires_at) WHERE erased_at IS NULL`);

    await q.query(`
      CREATE TABLE outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key text NOT NULL UNIQUE,
        channel text NOT NULL CHECK (channel IN ('email', 'sms')),
        recipient text NOT NULL,
        template text NOT NULL,
        sealed_body bytea NOT NULL,
        created_at timestamptz NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        delivered_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE delivered_at IS NULL`);

    await q.query(`
      CREATE TABLE reissue_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id),
        source text NOT NULL CHECK (source IN ('exposure')),
        revoked_set_id uuid REFERENCES code_sets(id),
        reason text NOT NULL,
        requested_by text NOT NULL,
        created_at timestamptz NOT NULL,
        ticket_id uuid
      )`);
    await q.query(`CREATE INDEX reissue_requests_open_idx ON reissue_requests (created_at) WHERE ticket_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['reissue_requests', 'outbox', 'delivery_envelopes', 'code_guards', 'backup_codes', 'code_sets']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
