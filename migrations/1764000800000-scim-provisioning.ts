import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM 2.0 provisioning: the connections a directory (Okta, Entra ID) pushes
 * through, the directory's own facts about a user that the account does not
 * hold (userName, name parts, a manager reference not yet resolved), and on the
 * account where it came from and when the directory last changed it.
 */
export class ScimProvisioning1764000800000 implements MigrationInterface {
  name = 'ScimProvisioning1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scim_connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        secret_hash char(64) NOT NULL UNIQUE,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by text,
        last_request_at timestamptz,
        requests integer NOT NULL DEFAULT 0,
        creates integer NOT NULL DEFAULT 0,
        updates integer NOT NULL DEFAULT 0,
        deactivations integer NOT NULL DEFAULT 0,
        errors integer NOT NULL DEFAULT 0,
        last_errors jsonb NOT NULL DEFAULT '[]'
      )`);
    await q.query(`
      CREATE TABLE directory_users (
        account_id uuid PRIMARY KEY REFERENCES accounts(id),
        connection_id uuid NOT NULL REFERENCES scim_connections(id),
        user_name text NOT NULL,
        given_name text,
        family_name text,
        tier_value text,
        manager_ref text
      )`);
    // userName is case-insensitive in SCIM (RFC 7643 §4.1.1): one account per userName however it is spelled.
    await q.query(`CREATE UNIQUE INDEX directory_users_user_name_idx ON directory_users (lower(user_name))`);
    // A report whose manager has not arrived yet is found again when the manager is created.
    await q.query(`CREATE INDEX directory_users_manager_ref_idx ON directory_users (manager_ref) WHERE manager_ref IS NOT NULL`);
    await q.query(`ALTER TABLE accounts ADD COLUMN source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'directory'))`);
    await q.query(`ALTER TABLE accounts ADD COLUMN directory_changed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts DROP COLUMN directory_changed_at`);
    await q.query(`ALTER TABLE accounts DROP COLUMN source`);
    await q.query(`DROP TABLE directory_users`);
    await q.query(`DROP TABLE scim_connections`);
  }
}
