import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor, SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AccountLocked } from '../common/errors';
import { Policy } from '../config/policy';
import { updateReturning } from '../database/sql';
import { Notifier } from '../notifications/notifier';
import { CodeGuard } from './code-guard.entity';
import { CodeHasher } from './code-hasher';
import { parseCode } from './code-format';
import { afterFailure, afterSuccess, FRESH_GUARD, isLocked } from './lockout';

export interface Verdict {
  valid: boolean;
  /** Unused codes left in the set, when the code was valid. */
  remaining: number | null;
  warning?: string;
}

const INVALID: Verdict = { valid: false, remaining: null };

/**
 * Verifies and consumes a backup code with exactly ONE argon2 verify: the
 * lookup part finds the row, only the secret part is hashed. Unknown account,
 * malformed code and wrong code all cost that one verify (against a dummy
 * hash) and answer the same. Consumption is a conditional update, so of N
 * concurrent uses of one code exactly one succeeds.
 */
@Injectable()
export class VerificationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: CodeHasher,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /**
   * With `em`, the consumption or the counted failure is part of the caller's
   * transaction (an unlock presentation records both in one commit).
   */
  async verify(actor: AuditActor, accountId: string, input: string, em?: EntityManager): Promise<Verdict> {
    const within = <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => (em ? work(em) : this.dataSource.transaction(work));
    const guard = await (em ?? this.dataSource.manager).findOneBy(CodeGuard, { accountId });
    const now = this.clock.now();
    // A locked account is refused before any hashing: brute force gets no more verifies.
    if (guard && isLocked(guard, now)) throw new AccountLocked(guard.lockedUntil!, now);

    const parsed = parseCode(input);
    const [row] = parsed
      ? ((await (em ?? this.dataSource.manager).query(
          `SELECT c.id, c.hash, c.set_id FROM backup_codes c
           JOIN code_sets s ON s.id = c.set_id AND s.revoked_at IS NULL
           JOIN accounts a ON a.id = c.account_id AND a.status = 'active'
           WHERE c.account_id = $1 AND c.lookup = $2 AND c.used_at IS NULL`,
          [accountId, parsed.lookup],
        )) as { id: string; hash: string; set_id: string }[])
      : [];
    const matches = row && parsed ? await this.hasher.verify(row.hash, parsed.secret) : await this.hasher.verifyNothing();

    if (matches && row) {
      const verdict = await within((tx) => this.consume(tx, actor, accountId, row.id, row.set_id));
      if (verdict) return verdict;
    }
    await within((tx) => this.recordFailure(tx, accountId));
    return INVALID;
  }

  /** Marks the code used unless someone got there first; undefined when they did. */
  private async consume(em: EntityManager, actor: AuditActor, accountId: string, codeId: string, setId: string): Promise<Verdict | undefined> {
    const now = this.clock.now();
    const used = await updateReturning<{ id: string }>(
      em,
      `UPDATE backup_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL
       AND EXISTS (SELECT 1 FROM code_sets s WHERE s.id = set_id AND s.revoked_at IS NULL) RETURNING id`,
      [codeId, now],
    );
    if (used.length === 0) return undefined;
    const [{ remaining }] = (await em.query(`SELECT count(*)::int AS remaining FROM backup_codes WHERE set_id = $1 AND used_at IS NULL`, [setId])) as {
      remaining: number;
    }[];
    const fresh = afterSuccess();
    await em.query(
      `INSERT INTO code_guards (account_id, failures, window_started_at, locked_until, lock_count) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_id) DO UPDATE SET failures = $2, window_started_at = $3, locked_until = $4, lock_count = $5`,
      [accountId, fresh.failures, fresh.windowStartedAt, fresh.lockedUntil, fresh.lockCount],
    );
    const low = remaining <= this.policy.codes.lowRemaining;
    await this.audit.record(em, { actor, action: 'codes.used', target: { type: 'account', id: accountId }, payload: { setId, remaining } });
    const account = (await em.findOneBy(Account, { id: accountId }))!;
    await this.notifier.toSubject(em, account, low ? 'codes.low' : 'codes.used', { remaining }, `codes.used:${codeId}`);
    return {
      valid: true,
      remaining,
      ...(low && { warning: `only ${remaining} unused codes remain: the subject should ask for a new set` }),
    };
  }

  /** Counts a failure on the account's guard row (locked, so concurrent failures count exactly). */
  private async recordFailure(em: EntityManager, accountId: string): Promise<void> {
    const account = await em.findOneBy(Account, { id: accountId });
    if (!account) return; // nothing to lock for an account that does not exist
    await em.query(`INSERT INTO code_guards (account_id, failures, lock_count) VALUES ($1, 0, 0) ON CONFLICT (account_id) DO NOTHING`, [accountId]);
    const guard = (await em.findOne(CodeGuard, { where: { accountId }, lock: { mode: 'pessimistic_write' } })) ?? { ...FRESH_GUARD, accountId };
    const now = this.clock.now();
    if (isLocked(guard, now)) return; // locked by a concurrent failure meanwhile
    const { guard: next, lockedNow } = afterFailure(guard, now, this.policy.lockout);
    await em.update(CodeGuard, { accountId }, next);
    if (lockedNow) await this.announceLock(em, account, next.lockedUntil!, guard.failures + 1);
  }

  private async announceLock(em: EntityManager, account: Account, until: Date, failures: number): Promise<void> {
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
