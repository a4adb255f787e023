import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor, actorLabel } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AlreadyExists, Conflict, NotFound } from '../common/errors';
import { Policy } from '../config/policy';
import { channelChangedWithin } from '../tickets/risk/risk-signals';
import { updateReturning } from '../database/sql';
import { NotMeNotices } from '../notifications/not-me-notices';
import { Notifier } from '../notifications/notifier';
import { BackupCode } from './backup-code.entity';
import { CodeHasher } from './code-hasher';
import { displayCode, generateCodeSet, ParsedCode } from './code-format';
import { CodeSet } from './code-set.entity';
import { ReissueRequest } from './reissue-request.entity';

/** The one answer to every later set asked of the enrolment route. */
export const NEW_CODES_THROUGH_TICKET =
  'this account has had backup codes before: new codes come only through a recovery ticket (POST /v1/tickets), which proves who is asking';

export const CUSTODY_GUIDANCE =
  'Store these codes in a password manager or on paper kept somewhere safe and offline. Never put them in e-mail, chat, screenshots or a help-desk ticket, and never read them to anyone: the help desk will never ask for them. Each code works once.';

/** A set generated and hashed outside any transaction (argon2 is slow; locks should not wait on it). */
export interface PreparedSet {
  codes: ParsedCode[];
  hashes: string[];
}

export interface CurrentSet {
  set: CodeSet;
  remaining: number;
}

@Injectable()
export class CodesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: CodeHasher,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly notMe: NotMeNotices,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  async prepareSet(): Promise<PreparedSet> {
    const codes = generateCodeSet(this.policy.codes.count);
    return { codes, hashes: await this.hasher.hashAll(codes.map((c) => c.secret)) };
  }

  /** First codes for an account that never had any: returned here once, and never again. */
  async enrol(actor: AuditActor, accountId: string): Promise<{ set: CodeSet; codes: string[] }> {
    // Refuse before hashing: an unknown or already enrolled account should not cost a set of argon2 hashes.
    await this.dataSource.transaction((em) => this.enrollableAccount(em, accountId));
    const prepared = await this.prepareSet();
    const set = await this.dataSource.transaction(async (em) => {
      // Checked again under the lock: a concurrent enrolment may have won meanwhile.
      const account = await this.enrollableAccount(em, accountId);
      return this.issueSet(em, account, prepared, actor, null);
    });
    return { set, codes: prepared.codes.map(displayCode) };
  }

  /**
   * First enrolment only: the caller's word is all this route has, so it may only ever give an account its very
   * first set. Any later set (after exposure, rotation, loss or revocation) needs the proofing of a recovery ticket.
   */
  private async enrollableAccount(em: EntityManager, accountId: string): Promise<Account> {
    const account = await this.lockAccount(em, accountId);
    if (await this.everHadSet(em, accountId)) throw new AlreadyExists(NEW_CODES_THROUGH_TICKET);
    const held = (await em.query(`SELECT 1 FROM account_reports WHERE account_id = $1 AND reported_at IS NOT NULL AND cleared_at IS NULL LIMIT 1`, [
      accountId,
    ])) as unknown[];
    if (held.length > 0) throw new Conflict('the employee reported a change to this account was not them: it is on recovery hold until an admin clears it');
    const changedAt = account.channelsChangedAt;
    const window = this.policy.risk.channelChangeWindowDays;
    if (changedAt && changedAt > account.createdAt && channelChangedWithin(changedAt, this.clock.now(), window)) {
      // A new hire's channels are as the directory created them; a change before the first set is how a takeover would look.
      throw new Conflict(
        `the registered e-mail or phone of this account changed on ${changedAt.toISOString().slice(0, 10)}, within the ${window}-day window: first codes come through a recovery ticket`,
      );
    }
    return account;
  }

  /** Inserts a set for an account whose earlier sets the caller has revoked; audits and tells the subject. */
  async issueSet(em: EntityManager, account: Account, prepared: PreparedSet, actor: AuditActor, ticketId: string | null): Promise<CodeSet> {
    if (ticketId) {
      const [ticket] = (await em.query(`SELECT is_drill FROM tickets WHERE id = $1`, [ticketId])) as { is_drill: boolean }[];
      // Defence in depth: the regeneration path never gets here for a drill, and must not.
      if (ticket?.is_drill) throw new Error('a drill ticket never issues codes');
    }
    const now = this.clock.now();
    const set = em.create(CodeSet, {
      accountId: account.id,
      codeCount: prepared.codes.length,
      issuedAt: now,
      issuedBy: actorLabel(actor),
      issuingTicketId: ticketId,
      rotationDueAt: new Date(now.getTime() + this.policy.codes.rotationDays * 86_400_000),
      custodyAcknowledgedAt: null,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
    });
    await em.insert(CodeSet, set);
    await em.insert(
      BackupCode,
      prepared.codes.map((code, i) => ({ setId: set.id, accountId: account.id, lookup: code.lookup, hash: prepared.hashes[i] })),
    );
    await this.audit.record(em, {
      actor,
      action: 'codes.issued',
      target: { type: 'account', id: account.id },
      payload: { setId: set.id, count: set.codeCount, ticketId, rotationDueAt: set.rotationDueAt.toISOString() },
    });
    if (ticketId) {
      await this.notifier.toSubject(em, account, 'codes.issued', { count: set.codeCount }, `codes.issued:${set.id}`, ['email', 'sms']);
    } else {
      // A first enrolment proves nothing about who asked: the employee can answer "this wasn't me" and hold the account.
      await this.notMe.sendToRegistered(em, account, 'codes.issued', { count: set.codeCount }, `codes.issued:${set.id}`);
    }
    return set;
  }

  /** Revokes the account's active set, if any, recording who, why and when. */
  async revokeActiveSet(em: EntityManager, accountId: string, actor: AuditActor, reason: string): Promise<CodeSet | undefined> {
    const [row] = await updateReturning<{ id: string }>(
      em,
      `UPDATE code_sets SET revoked_at = $2, revoked_by = $3, revoke_reason = $4
       WHERE account_id = $1 AND revoked_at IS NULL RETURNING id`,
      [accountId, this.clock.now(), actorLabel(actor), reason],
    );
    if (!row) return undefined;
    await this.audit.record(em, { actor, action: 'codes.revoked', target: { type: 'account', id: accountId }, payload: { setId: row.id, reason } });
    return (await em.findOneBy(CodeSet, { id: row.id }))!;
  }

  /**
   * Codes reported exposed (screenshot, e-mail, ticket comment …): the active set
   * is revoked at once, the subject told, and a reissue recorded as owed, in the
   * caller's transaction (which holds the account row). A recovery ticket takes it up.
   */
  async reportExposureIn(em: EntityManager, actor: AuditActor, account: Account, reason: string): Promise<{ revoked: CodeSet; request: ReissueRequest }> {
    const revoked = await this.revokeActiveSet(em, account.id, actor, `exposed: ${reason}`);
    if (!revoked) throw new Conflict('this account has no active backup codes to revoke');
    const request = em.create(ReissueRequest, {
      accountId: account.id,
      source: 'exposure',
      revokedSetId: revoked.id,
      reason,
      requestedBy: actorLabel(actor),
      createdAt: this.clock.now(),
      ticketId: null,
    });
    await em.insert(ReissueRequest, request);
    await this.audit.record(em, {
      actor,
      action: 'codes.exposed',
      target: { type: 'account', id: account.id },
      payload: { setId: revoked.id, reason, reissueRequestId: request.id },
    });
    await this.notifier.toSubject(em, account, 'codes.exposed', {}, `codes.exposed:${revoked.id}`, ['email', 'sms']);
    return { revoked, request };
  }

  /** The subject confirms, through the login application, that the codes are stored safely. */
  async acknowledgeCustody(actor: AuditActor, accountId: string): Promise<CurrentSet> {
    await this.dataSource.transaction(async (em) => {
      const [row] = await updateReturning<{ id: string }>(
        em,
        `UPDATE code_sets SET custody_acknowledged_at = COALESCE(custody_acknowledged_at, $2)
         WHERE account_id = $1 AND revoked_at IS NULL RETURNING id`,
        [accountId, this.clock.now()],
      );
      if (!row) throw new NotFound('active code set of account', accountId);
      await this.audit.record(em, { actor, action: 'codes.custody_acknowledged', target: { type: 'account', id: accountId }, payload: { setId: row.id } });
    });
    return this.current(accountId);
  }

  async current(accountId: string): Promise<CurrentSet> {
    const set = await this.dataSource
      .getRepository(CodeSet)
      .createQueryBuilder('s')
      .where('s.account_id = :accountId AND s.revoked_at IS NULL', { accountId })
      .getOne();
    if (!set) throw new NotFound('active code set of account', accountId);
    const [{ remaining }] = (await this.dataSource.query(`SELECT count(*)::int AS remaining FROM backup_codes WHERE set_id = $1 AND used_at IS NULL`, [
      set.id,
    ])) as { remaining: number }[];
    return { set, remaining };
  }

  /** Any set ever, revoked or not. */
  private async everHadSet(em: EntityManager, accountId: string): Promise<boolean> {
    const rows = (await em.query(`SELECT 1 FROM code_sets WHERE account_id = $1 LIMIT 1`, [accountId])) as unknown[];
    return rows.length > 0;
  }

  /** Serialises code-set changes per account (enrolment, exposure, regeneration) on the account row. */
  async lockAccount(em: EntityManager, accountId: string): Promise<Account> {
    const account = await em.findOne(Account, { where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
    if (!account) throw new NotFound('account', accountId);
    if (account.status !== 'active') throw new Conflict('this account is deactivated');
    return account;
  }
}
