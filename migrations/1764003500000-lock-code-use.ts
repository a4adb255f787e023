import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `rd_lock_code_use(account_id, set_id)`: locks what a backup code's use writes besides the code, in the order every
 * use takes them — the account's guard row (when it has one), then the set's row — and answers, read after the locks,
 * how many of the set's codes are unused; NULL when the set is revoked (also when its revocation committed while this
 * waited). A use (VerificationService, one statement) consumes only while its set has as many unused codes as were
 * counted before hashing, so that the answer, the audit event and the notice say what truly remains. Counted in the
 * use's own statement, a use of another code of the set still in flight was not seen, and both said the same number;
 * now the set's row orders them and the count is a statement of its own inside a VOLATILE function, which takes a
 * fresh snapshot: it sees the use it waited for. The guard row comes first because a use inside a longer transaction
 * (an unlock presentation) has already counted its attempt on it: taking the set's row first would deadlock with it.
 */
export class LockCodeUse1764003500000 implements MigrationInterface {
  name = 'LockCodeUse1764003500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION rd_lock_code_use(account_id uuid, set_id uuid) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        unused int;
      BEGIN
        PERFORM 1 FROM code_guards g WHERE g.account_id = rd_lock_code_use.account_id FOR UPDATE;
        -- A set revoked while this waited (a regeneration, an exposure) is found revoked here: NULL, nothing consumed.
        PERFORM 1 FROM code_sets s WHERE s.id = rd_lock_code_use.set_id AND s.revoked_at IS NULL FOR UPDATE;
        IF NOT FOUND THEN RETURN NULL; END IF;
        SELECT count(*)::int INTO unused FROM backup_codes b WHERE b.set_id = rd_lock_code_use.set_id AND b.used_at IS NULL;
        RETURN unused;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION rd_lock_code_use(uuid, uuid)`);
  }
}
