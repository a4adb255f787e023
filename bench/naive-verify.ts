import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';

/**
 * The design we did not build, as the baseline: codes without a lookup part,
 * so a verification tries the argon2 hash of every unused code of the active
 * set, one after another, until one matches. Same stored hashes (backup_codes),
 * same pepper, same argon2 parameters (they are read from each hash). No HTTP,
 * no auth, no consumption, no audit: only the read and the hashing, which
 * favours the baseline.
 */
export async function naiveVerify(dataSource: DataSource, accountId: string, secret: string, pepper: Buffer): Promise<boolean> {
  const rows = (await dataSource.query(
    `SELECT c.hash FROM backup_codes c JOIN code_sets s ON s.id = c.set_id AND s.revoked_at IS NULL
     WHERE c.account_id = $1 AND c.used_at IS NULL ORDER BY c.id`,
    [accountId],
  )) as { hash: string }[];
  for (const { hash } of rows) {
    if (await argon2.verify(hash, secret, { secret: pepper })) return true;
  }
  return false;
}

/** The lookup parts of the set in the order naiveVerify tries them: position k costs k + 1 verifies. */
export async function naiveOrder(dataSource: DataSource, accountId: string): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT c.lookup FROM backup_codes c JOIN code_sets s ON s.id = c.set_id AND s.revoked_at IS NULL
     WHERE c.account_id = $1 AND c.used_at IS NULL ORDER BY c.id`,
    [accountId],
  )) as { lookup: string }[];
  return rows.map((row) => row.lookup);
}
