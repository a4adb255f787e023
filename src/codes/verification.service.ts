import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor, SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AccountLocked } from '../common/errors';
import { Policy } from '../config/policy';
import { preparedQuery, updateReturning } from '../database/sql';
import { Notifier } from '../notifications/notifier';
import { OutboxService } from '../notifications/outbox.service';
import { CodeHasher } from './code-hasher';
import { parseCode } from './code-format';
import { afterFailure, afterSuccess, FRESH_GUARD, GuardState, isLocked } from './lockout';

export interface Verdict {
  valid: boolean;
  /** Unused codes left in the set, when the code was valid. */
  remaining: number | null;
  warning?: string;
}

const INVALID: Verdict = { valid: false, remaining: null };

/** What a notification about the account needs of it. */
type Subject = Pick<Account, 'id' | 'externalId' | 'displayName' | 'email' | 'phone'>;

interface GuardRow {
  failures: number;
  window_started_at: Date | null;
  locked_until: Date | null;
  lock_count: number;
}

const guardOf = (row: GuardRow): GuardState => ({
  failures: row.failures,
  windowStartedAt: row.window_started_at,
  lockedUntil: row.locked_until,
  lockCount: row.lock_count,
});

/** The guard's columns are null when the account has no guard row yet, the code's when no unused code matches. */
interface FactsRow extends Omit<GuardRow, 'failures' | 'lock_count'> {
  failures: number | null;
  lock_count: number | null;
  external_id: string;
  display_name: string;
  email: string;
  phone: string;
  guarded: string | null;
  code_id: string | null;
  hash: string | null;
  set_id: string | null;
  unused: number | null;
}

interface BeforeHashing {
  subject: Subject;
  guard?: GuardState;
  code?: Matched;
}

/** The unused code the lookup part found, and how many unused codes its set had when it was read. */
interface Matched {
  id: string;
  hash: string;
  setId: string;
  unused: number;
}

/**
 * Verifies and consumes a backup code with exactly ONE argon2 verify: the
 * lookup part finds the row, only the secret part is hashed. Unknown account,
 * malformed code and wrong code all cost that one verify (against a dummy
 * hash) and answer the same. Consumption is a conditional update, so of N
 * concurrent uses of one code exactly one succeeds.
 */
@Injectable()
export class VerificationService {
  /**
   * Attempts whose use is being written while their hash runs (verifyUsingAhead), each holding a pooled connection:
   * at most as many as the hasher runs hashes at once; more would only hold connections while they queue for it.
   */
  private usesInFlight = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: CodeHasher,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly outbox: OutboxService,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /**
   * With `em`, the consumption or the counted failure is part of the caller's
   * transaction (an unlock presentation records both in one commit).
   */
  async verify(actor: AuditActor, accountId: string, input: string, em?: EntityManager): Promise<Verdict> {
    const within = <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => (em ? work(em) : this.dataSource.transaction(work));
    const db = em ?? this.dataSource.manager;
    const parsed = parseCode(input);
    const facts = await this.factsBeforeHashing(db, accountId, parsed?.lookup ?? null);
    const now = this.clock.now();
    // A locked account is refused before any hashing: brute force gets no more verifies.
    if (facts?.guard && isLocked(facts.guard, now)) throw new AccountLocked(facts.guard.lockedUntil!, now);

    const row = facts?.code;
    const hashing = row && parsed ? this.hasher.verify(row.hash, parsed.secret) : this.hasher.verifyNothing();
    if (!em && facts && row && this.usesInFlight < this.hasher.concurrency) return this.verifyUsingAhead(actor, facts, row, hashing);
    // While the hash runs, the attempt is counted as the failure most attempts are; a success clears the count anyway.
    const countedAhead = facts ? this.countAhead(db, facts) : false;
    const [matches, counted] = await Promise.all([hashing, countedAhead]);

    if (matches && row) {
      const verdict = await this.consume(db, actor, facts.subject, row);
      if (verdict) return verdict;
    }
    // Nothing to lock for an account that does not exist.
    if (facts && !counted) await within((tx) => this.recordFailureLocked(tx, facts.subject));
    return INVALID;
  }

  /**
   * The use written while the hash runs, in a transaction of its own that the verdict commits or rolls back: after
   * the hash, a valid code waits only for COMMIT (the use statement, its audit event and its notice were written in
   * the hash's shadow), a wrong one for ROLLBACK, which leaves nothing of it. The attempt is counted ahead first, on
   * its own: the use locks the account's guard row until its transaction ends, and the count would wait on it.
   * Holding the guard, the set and the code for the length of a hash makes other attempts on the same account wait
   * for its verdict (they would have waited for its use anyway), and holds one pooled connection per attempt in
   * flight: at most as many as the hasher runs hashes at once, past which attempts write after their hash.
   */
  private async verifyUsingAhead(actor: AuditActor, facts: BeforeHashing, code: Matched, hashing: Promise<boolean>): Promise<Verdict> {
    this.usesInFlight += 1;
    const runner = this.dataSource.createQueryRunner();
    let rolledBack: { counted: boolean; retryWith?: number };
    try {
      const usingAhead = (async () => {
        const counted = await this.countAhead(this.dataSource.manager, facts);
        await runner.startTransaction();
        return { counted, outcome: await this.consumeIfStill(runner.manager, actor, facts.subject, code, code.unused) };
      })();
      // Both settle before either is acted on: a rejected hash must not leave the use's transaction to a finally
      // that runs while its statement is still on the connection.
      const [hashed, used] = await Promise.allSettled([hashing, usingAhead]);
      if (used.status === 'rejected') throw used.reason;
      if (hashed.status === 'rejected') throw hashed.reason;
      const { counted, outcome } = used.value;
      if (hashed.value && typeof outcome === 'object') {
        await runner.commitTransaction();
        return outcome;
      }
      await runner.rollbackTransaction();
      // A valid code whose set lost another code between the read before hashing and this use: `consume` again.
      rolledBack = { counted, retryWith: hashed.value && typeof outcome === 'number' ? outcome : undefined };
    } finally {
      this.usesInFlight -= 1;
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
    // From here on as the path that writes after its hash, holding no connection of its own.
    if (rolledBack.retryWith !== undefined) {
      const verdict = await this.consume(this.dataSource.manager, actor, facts.subject, { ...code, unused: rolledBack.retryWith });
      if (verdict) return verdict;
    }
    if (!rolledBack.counted) await this.dataSource.transaction((tx) => this.recordFailureLocked(tx, facts.subject));
    return INVALID;
  }

  /**
   * Counts this attempt as a failure before its verdict is known, while the hash runs (it takes far longer): true
   * when it is on the books. One statement: the guard goes from the state read before hashing to the next one on
   * condition that it is still in that state (the update locks the row to decide). A success resets the guard in the
   * statement that consumes the code; a crash before the verdict leaves one failure counted, the safe side.
   * False, and nothing written, for the failure that would lock the account (the lock is written with its audit event
   * and alerts, once the hash has failed) and when the guard changed since it was read (a concurrent attempt): a
   * failed attempt is then counted on the locked row (recordFailureLocked), exactly, however many arrive at once.
   */
  private async countAhead(em: EntityManager, { subject, guard }: BeforeHashing): Promise<boolean> {
    const { guard: next, lockedNow } = afterFailure(guard ?? FRESH_GUARD, this.clock.now(), this.policy.lockout);
    return !lockedNow && this.swapGuard(em, subject.id, guard, next);
  }

  /**
   * Everything the verdict's two outcomes need that does not depend on it, in one round trip before hashing: the
   * account (whom a notification goes to), its guard row (a lock refuses at once) and the one unused code of the
   * active set with this lookup part (none for a deactivated account). Undefined when the account does not exist.
   */
  private async factsBeforeHashing(em: EntityManager, accountId: string, lookup: string | null): Promise<BeforeHashing | undefined> {
    const [row] = await preparedQuery<FactsRow>(
      em,
      `SELECT a.external_id, a.display_name, a.email, a.phone,
              g.account_id AS guarded, g.failures, g.window_started_at, g.locked_until, g.lock_count,
              c.id AS code_id, c.hash, c.set_id, c.unused
         FROM accounts a
         LEFT JOIN code_guards g ON g.account_id = a.id
         LEFT JOIN LATERAL (
           SELECT c.id, c.hash, c.set_id,
                  (SELECT count(*)::int FROM backup_codes u WHERE u.set_id = c.set_id AND u.used_at IS NULL) AS unused
             FROM backup_codes c
             JOIN code_sets s ON s.id = c.set_id AND s.revoked_at IS NULL
            WHERE c.account_id = a.id AND c.lookup = $2 AND c.used_at IS NULL AND a.status = 'active'
            LIMIT 1
         ) c ON true
        WHERE a.id = $1`,
      [accountId, lookup],
    );
    if (!row) return undefined;
    return {
      subject: { id: accountId, externalId: row.external_id, displayName: row.display_name, email: row.email, phone: row.phone },
      guard: row.guarded ? guardOf(row as GuardRow) : undefined,
      code: row.code_id ? { id: row.code_id, hash: row.hash!, setId: row.set_id!, unused: row.unused! } : undefined,
    };
  }

  /**
   * Marks the code used unless someone got there first (undefined when they did), in ONE statement that commits on
   * its own (or with the caller's transaction, given one): the conditional consume, the success clearing the guard
   * (the failure counted ahead, and any before it; written only when the guard is not already fresh), the audit event
   * and the subject's notice. What remains is known before the statement runs, because the statement consumes only
   * while the set still has as many unused codes as were counted (the event and the sealed notice carry it); when
   * another code of the set was used meanwhile, it writes nothing and runs again with the new count.
   */
  private async consume(db: EntityManager, actor: AuditActor, subject: Subject, code: Matched): Promise<Verdict | undefined> {
    // A retry follows a use of another code of the set, and the count only goes down: it ends within `unused` tries.
    let unused = code.unused;
    for (;;) {
      const outcome = await this.consumeIfStill(db, actor, subject, code, unused);
      if (typeof outcome !== 'number') return outcome;
      if (outcome >= unused) throw new Error(`code ${code.id}: its set's count of unused codes went up`);
      unused = outcome;
    }
  }

  /** The verdict when the code was consumed, undefined when it is no longer usable, or the new count to try again with. */
  private async consumeIfStill(db: EntityManager, actor: AuditActor, subject: Subject, code: Matched, unused: number): Promise<Verdict | undefined | number> {
    const remaining = unused - 1;
    const low = remaining <= this.policy.codes.lowRemaining;
    const fresh = afterSuccess();
    const params = [code.id, this.clock.now(), subject.id, fresh.failures, fresh.windowStartedAt, fresh.lockedUntil, fresh.lockCount, code.setId, unused];
    const consumed = 'EXISTS (SELECT 1 FROM used)';
    const event = this.audit.eventInsert(
      { actor, action: 'codes.used', target: { type: 'account', id: subject.id }, payload: { setId: code.setId, remaining } },
      params.length,
      consumed,
    );
    const notice = this.outbox.messageInsert(
      this.notifier.messageToSubject(subject, low ? 'codes.low' : 'codes.used', { remaining }, `codes.used:${code.id}`, 'email'),
      params.length + event.params.length,
      consumed,
    );
    // `counted` locks the account's guard row and the set's row (uses of one set go one at a time) and counts the
    // set's unused codes after the locks (rd_lock_code_use, migration 1764003500000): a use of another code that
    // committed while this one waited is counted, and a revocation that did makes it NULL. The code is consumed only
    // when that count is the one read before hashing; `usable` tells a code used or revoked meanwhile from a changed count.
    const [row] = await preparedQuery<{ consumed: boolean; notice_id: string | null; unused: number | null; usable: boolean }>(
      db,
      `WITH counted AS MATERIALIZED (SELECT rd_lock_code_use($3, $8) AS unused), used AS (
         UPDATE backup_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND (SELECT unused FROM counted) = $9
         RETURNING id
       ), cleared AS (
         UPDATE code_guards SET failures = $4, window_started_at = $5, locked_until = $6, lock_count = $7
          WHERE account_id = $3 AND EXISTS (SELECT 1 FROM used)
            AND (failures, window_started_at, locked_until, lock_count) IS DISTINCT FROM ($4::int, $5::timestamptz, $6::timestamptz, $7::int)
       ), event AS (${event.sql}), notice AS (${notice.sql} RETURNING id)
       SELECT EXISTS (SELECT 1 FROM used) AS consumed, (SELECT id FROM notice) AS notice_id, (SELECT unused FROM counted) AS unused,
              (SELECT unused FROM counted) IS NOT NULL AND EXISTS (SELECT 1 FROM backup_codes c WHERE c.id = $1 AND c.used_at IS NULL) AS usable`,
      [...params, ...event.params, ...notice.params],
    );
    if (!row.consumed) return row.usable && row.unused !== null && row.unused !== unused ? row.unused : undefined;
    if (row.notice_id) this.outbox.handOff(db, [row.notice_id]);
    return {
      valid: true,
      remaining,
      ...(low && { warning: `only ${remaining} unused codes remain: the subject should ask for a new set` }),
    };
  }

  /** Writes `next` if the guard is still `seen` (absent: no row yet); false when it is not. */
  private async swapGuard(em: EntityManager, accountId: string, seen: GuardState | undefined, next: GuardState): Promise<boolean> {
    const values = [accountId, next.failures, next.windowStartedAt, next.lockedUntil, next.lockCount];
    const swapped = seen
      ? await updateReturning(
          em,
          `UPDATE code_guards SET failures = $2, window_started_at = $3, locked_until = $4, lock_count = $5
            WHERE account_id = $1
              AND (failures, window_started_at, locked_until, lock_count) IS NOT DISTINCT FROM ($6::int, $7::timestamptz, $8::timestamptz, $9::int)
           RETURNING account_id`,
          [...values, seen.failures, seen.windowStartedAt, seen.lockedUntil, seen.lockCount],
        )
      : ((await em.query(
          `INSERT INTO code_guards (account_id, failures, window_started_at, locked_until, lock_count) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (account_id) DO NOTHING RETURNING account_id`,
          values,
        )) as unknown[]);
    return swapped.length > 0;
  }

  /** Counts a failure on the account's guard row, locked, so concurrent failures count exactly. */
  private async recordFailureLocked(em: EntityManager, subject: Subject): Promise<void> {
    // Creates the row or locks the existing one, and reads it as the last committed failure left it.
    const [row] = (await em.query(
      `INSERT INTO code_guards (account_id, failures, lock_count) VALUES ($1, 0, 0)
       ON CONFLICT (account_id) DO UPDATE SET account_id = EXCLUDED.account_id
       RETURNING failures, window_started_at, locked_until, lock_count`,
      [subject.id],
    )) as GuardRow[];
    const guard = guardOf(row);
    const now = this.clock.now();
    if (isLocked(guard, now)) return; // locked by a concurrent failure meanwhile
    const { guard: next, lockedNow } = afterFailure(guard, now, this.policy.lockout);
    await em.query(`UPDATE code_guards SET failures = $2, window_started_at = $3, locked_until = $4, lock_count = $5 WHERE account_id = $1`, [
      subject.id,
      next.failures,
      next.windowStartedAt,
      next.lockedUntil,
      next.lockCount,
    ]);
    if (lockedNow) await this.announceLock(em, subject, next.lockedUntil!, guard.failures + 1);
  }

  private async announceLock(em: EntityManager, account: Subject, until: Date, failures: number): Promise<void> {
    const key = `codes.locked:${account.id}:${until.toISOString()}`;
    await this.audit.record(em, {
      actor: SYSTEM,
      action: 'codes.locked',
      target: { type: 'account', id: account.id },
      payload: { lockedUntil: until.toISOString(), failures },
    });
    await this.notifier.toSubject(em, account, 'codes.locked', { until: until.toISOString() }, key, ['email', 'sms']);
    await this.notifier.toSecurity(
      em,
      'security.account_locked',
      { accountId: account.id, externalId: account.externalId, until: until.toISOString(), failures },
      key,
    );
  }
}
