import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff sign-in through an OpenID provider: the provider identity a staff member
 * is linked to (issuer + sub, unique), sign-ins under way (state, nonce, PKCE
 * verifier; single use), and console sessions shared by every API process. Only
 * SHA-256 hashes of the browser's cookies are kept.
 */
export class StaffSessions1764000800000 implements MigrationInterface {
  name = 'StaffSessions1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff ADD COLUMN oidc_issuer text, ADD COLUMN oidc_subject text`);
    await q.query(`CREATE UNIQUE INDEX staff_oidc_identity_idx ON staff (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL`);
    await q.query(`
      CREATE TABLE staff_sign_ins (
        cookie_hash text PRIMARY KEY,
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        return_to text NOT NULL,
        step_up boolean NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE staff_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_hash text NOT NULL UNIQUE,
        staff_id uuid NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
        amr text[] NOT NULL DEFAULT '{}',
        acr text,
        authenticated_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX staff_sessions_staff_idx ON staff_sessions (staff_id) WHERE ended_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE staff_sessions`);
    await q.query(`DROP TABLE staff_sign_ins`);
    await q.query(`DROP INDEX staff_oidc_identity_idx`);
    await q.query(`ALTER TABLE staff DROP COLUMN oidc_subject, DROP COLUMN oidc_issuer`);
  }
}
