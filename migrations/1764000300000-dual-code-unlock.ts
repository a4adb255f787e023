import { MigrationInterface, QueryRunner } from 'typeorm';

/** Critical systems and their custodians, unlock sessions and their presentations, signed grants. */
export class DualCodeUnlock1764000300000 implements MigrationInterface {
  name = 'DualCodeUnlock1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE critical_systems (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        description text,
        k int NOT NULL CHECK (k >= 2),
        window_seconds int NOT NULL CHECK (window_seconds > 0),
        grant_ttl_seconds int NOT NULL CHECK (grant_ttl_seconds > 0),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE critical_system_custodians (
        system_id uuid NOT NULL REFERENCES critical_systems(id),
        account_id uuid NOT NULL REFERENCES accounts(id),
        PRIMARY KEY (system_id, account_id)
      )`);
    await q.query(`
      CREATE TABLE unlock_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        system_id uuid NOT NULL REFERENCES critical_systems(id),
        state text NOT NULL CHECK (state IN ('open', 'unlocked', 'expired')),
        k int NOT NULL,
        opened_by text NOT NULL,
        opened_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        unlocked_at timestamptz
      )`);
    await q.query(`CREATE INDEX unlock_sessions_open_idx ON unlock_sessions (expires_at) WHERE state = 'open'`);
    await q.query(`
      CREATE TABLE unlock_presentations (
        session_id uuid NOT NULL REFERENCES unlock_sessions(id),
        account_id uuid NOT NULL REFERENCES accounts(id),
        presented_at timestamptz NOT NULL,
        PRIMARY KEY (session_id, account_id)
      )`);
    await q.query(`
      CREATE TABLE unlock_grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL UNIQUE REFERENCES unlock_sessions(id),
        system_id uuid NOT NULL REFERENCES critical_systems(id),
        custodian_ids uuid[] NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by text
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['unlock_grants', 'unlock_presentations', 'unlock_sessions', 'critical_system_custodians', 'critical_systems']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
