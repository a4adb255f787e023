import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every API process keeps the staff tokens it has verified in memory (StaffTokenCache). Any change to `staff` or
 * `staff_tokens` — a revocation, a deactivation, a role change, by the service or by hand in psql — notifies the
 * channel `rd_staff_auth` when it commits, and every listening process forgets what it had verified.
 */
export class StaffAuthNotify1764003300000 implements MigrationInterface {
  name = 'StaffAuthNotify1764003300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION rd_staff_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('rd_staff_auth', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of ['staff', 'staff_tokens']) {
      await q.query(
        `CREATE TRIGGER ${table}_auth_changed AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION rd_staff_auth_changed()`,
      );
      await q.query(`CREATE TRIGGER ${table}_auth_truncated AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION rd_staff_auth_changed()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['staff', 'staff_tokens']) {
      await q.query(`DROP TRIGGER ${table}_auth_truncated ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_auth_changed ON ${table}`);
    }
    await q.query(`DROP FUNCTION rd_staff_auth_changed()`);
  }
}
