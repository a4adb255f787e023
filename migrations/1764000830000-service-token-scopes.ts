import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service tokens carry the operations they may call (scopes) and, optionally, the client networks they may call
 * from; the addresses each has called from are remembered, so a new one alerts security. usage_windows counts
 * calls per key per fixed window (service-token rates, exposure limits).
 *
 * Existing service members' tokens get every scope, so the login application keeps working through the upgrade;
 * the README asks operators to reissue them with only the scopes they need. Other tokens carry none (scopes only
 * govern calls made as a service member).
 */
export class ServiceTokenScopes1764000830000 implements MigrationInterface {
  name = 'ServiceTokenScopes1764000830000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff_tokens ADD COLUMN scopes text[] NOT NULL DEFAULT '{}', ADD COLUMN allowed_cidrs text[]`);
    await q.query(`ALTER TABLE staff_tokens ADD CONSTRAINT staff_tokens_scopes_check CHECK (scopes <@ ARRAY['enrol', 'verify', 'exposure', 'unlock']::text[])`);
    await q.query(
      `UPDATE staff_tokens t SET scopes = ARRAY['enrol', 'verify', 'exposure', 'unlock'] FROM staff s WHERE s.id = t.staff_id AND 'service' = ANY(s.roles)`,
    );
    await q.query(`
      CREATE TABLE service_token_addresses (
        token_id uuid NOT NULL REFERENCES staff_tokens(id) ON DELETE CASCADE,
        address inet NOT NULL,
        first_seen_at timestamptz NOT NULL,
        PRIMARY KEY (token_id, address)
      )`);
    await q.query(`
      CREATE TABLE usage_windows (
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        calls integer NOT NULL,
        PRIMARY KEY (key, window_start)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE usage_windows`);
    await q.query(`DROP TABLE service_token_addresses`);
    await q.query(`ALTER TABLE staff_tokens DROP CONSTRAINT staff_tokens_scopes_check`);
    await q.query(`ALTER TABLE staff_tokens DROP COLUMN allowed_cidrs, DROP COLUMN scopes`);
  }
}
