import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditActor, actorLabel } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { ChangeGate, Gated } from '../change-requests/change-gate';
import { ChangeRequest } from '../change-requests/change-request.entity';
import { accountChangeRules, pick, staleKeys } from '../change-requests/sensitive-changes';
import { AlreadyExists, InvalidInput, NotFound } from '../common/errors';
import { Policy } from '../config/policy';
import { NotMeNotices } from '../notifications/not-me-notices';
import type { Staff } from '../staff/staff.entity';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { refuseNulls } from '../common/validation';
import { Account, AccountSource, AccountStatus } from './account.entity';
import { AccountChange, TRACKED_FIELDS, TrackedField } from './account-change.entity';
import { AccountFieldsDto } from './dto/account.dto';
import { isProofingFact, maskEmail, maskPhone } from './masking';

export type AccountChanges = Partial<AccountFieldsDto> & { status?: AccountStatus };

/**
 * What else must happen, in the same transaction, when an account is deactivated (codes revoked, live tickets
 * cancelled, deliveries voided, security told). Registered by the modules that own those things
 * (src/tickets/leavers.service.ts), so every path that deactivates (admin PATCH, SCIM) does all of it.
 */
export type DeactivationStep = (em: EntityManager, actor: AuditActor, account: Account, reason: string) => Promise<void>;

/** How far up a reporting line is followed: far beyond any real org chart, and a loop in bad data stops here. */
export const MAX_MANAGER_DEPTH = 64;

/** The keys of `changes` that would alter the account. */
export function changedKeys(account: Account, changes: AccountChanges): (keyof AccountChanges)[] {
  return (Object.keys(changes) as (keyof AccountChanges)[]).filter((key) => changes[key] !== undefined && (changes[key] ?? null) !== (account[key] ?? null));
}

@Injectable()
export class AccountsService {
  private readonly deactivationSteps: DeactivationStep[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly gate: ChangeGate,
    private readonly policy: Policy,
    private readonly notMe: NotMeNotices,
  ) {}

  onDeactivation(step: DeactivationStep): void {
    this.deactivationSteps.push(step);
  }

  create(actor: AuditActor, fields: AccountFieldsDto): Promise<Account> {
    return this.dataSource.transaction((em) => this.createIn(em, actor, fields));
  }

  update(actor: AuditActor, id: string, changes: AccountChanges): Promise<Account> {
    return this.dataSource.transaction(async (em) => {
      const account = await em.findOne(Account, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw new NotFound('account', id);
      return this.updateIn(em, actor, account, changes);
    });
  }

  /** An admin's change: applied at once, or a pending change request when it is sensitive (change-gate.ts). */
  requestUpdate(admin: Staff, id: string, changes: AccountChanges, reason?: string | null): Promise<Gated<Account>> {
    return this.dataSource.transaction(async (em) => {
      const account = await em.findOne(Account, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw new NotFound('account', id);
      const pending = await this.propose(em, admin, account, changes, reason);
      return pending ? { pending } : { applied: await this.updateIn(em, { kind: 'staff', id: admin.id }, account, changes) };
    });
  }

  /** The pending request a sensitive change to this (locked) account becomes, or undefined when it may apply now. */
  async propose(em: EntityManager, admin: Staff, account: Account, changes: AccountChanges, reason?: string | null): Promise<ChangeRequest | undefined> {
    const changed = changedKeys(account, changes);
    return this.gate.admit(em, admin, {
      kind: 'account.update',
      target: { type: 'account', id: account.id },
      sensitive: accountChangeRules(account, changes, this.policy.changeApproval.sensitive),
      before: pick(account, changed),
      after: pick(changes, changed),
      reason,
    });
  }

  /** Carries out an approved request, unless the account changed underneath it: then the reason it cannot. */
  async applyRequested(em: EntityManager, request: ChangeRequest): Promise<string | undefined> {
    const account = await em.findOne(Account, { where: { id: request.targetId }, lock: { mode: 'pessimistic_write' } });
    if (!account) return 'the account no longer exists';
    const stale = staleKeys(request.before, account);
    if (stale.length) return `the account's ${stale.join(', ')} changed since the request was made: make a new request against the current values`;
    await this.updateIn(em, { kind: 'staff', id: request.requestedBy }, account, request.after as AccountChanges);
    return undefined;
  }

  async get(id: string): Promise<Account> {
    const account = await this.dataSource.getRepository(Account).findOneBy({ id });
    if (!account) throw new NotFound('account', id);
    return account;
  }

  /** Exact external id or e-mail, or part of the name; ordered by name, keyset-paged. */
  async search(q: string | undefined, limit: number, cursor?: string): Promise<Page<Account>> {
    const query = this.dataSource.getRepository(Account).createQueryBuilder('a').orderBy('a.display_name').addOrderBy('a.id');
    const term = q?.trim();
    if (term) {
      const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.where('(a.external_id = :term OR a.email = lower(:term) OR a.display_name ILIKE :like)', { term, like });
    }
    if (cursor) {
      const [name, id] = decodeCursor(cursor, 2);
      query.andWhere('(a.display_name, a.id) > (:name, :id)', { name, id });
    }
    const rows = await query.take(limit + 1).getMany();
    return toPage(
      rows,
      limit,
      (a) => [a.displayName, a.id],
      (a) => a,
    );
  }

  async createIn(em: EntityManager, actor: AuditActor, fields: AccountFieldsDto, source: AccountSource = 'manual'): Promise<Account> {
    if (await em.existsBy(Account, { externalId: fields.externalId })) {
      throw new AlreadyExists(`an account with externalId ${fields.externalId} already exists`, {
        fields: [{ field: 'externalId', errors: ['is already taken'] }],
      });
    }
    if (fields.managerId) await this.requireManager(em, fields.managerId, undefined);
    const now = this.clock.now();
    const account = em.create(Account, {
      ...fields,
      managerId: fields.managerId ?? null,
      employeeNumber: fields.employeeNumber ?? null,
      costCentre: fields.costCentre ?? null,
      status: 'active',
      source,
      directoryChangedAt: source === 'directory' ? now : null,
      channelsChangedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await em.insert(Account, account);
    await this.audit.record(em, {
      actor,
      action: 'account.created',
      target: { type: 'account', id: account.id },
      payload: { externalId: account.externalId, tier: account.tier, source, ...this.maskedChannels(account) },
    });
    return account;
  }

  /**
   * THE account-change method (admin PATCH, import, SCIM): applies changes to a row the caller has locked, records
   * what changed (channels masked, proofing facts named only), stamps a channel change, and on deactivation runs every deactivation step.
   */
  async updateIn(em: EntityManager, actor: AuditActor, account: Account, changes: AccountChanges): Promise<Account> {
    refuseNulls(changes, ['externalId', 'displayName', 'tier', 'email', 'phone', 'status']);
    const changed = changedKeys(account, changes);
    if (changed.length === 0) return account;
    if (changes.externalId && changed.includes('externalId') && (await em.existsBy(Account, { externalId: changes.externalId }))) {
      throw new AlreadyExists(`an account with externalId ${changes.externalId} already exists`, {
        fields: [{ field: 'externalId', errors: ['is already taken'] }],
      });
    }
    if (changes.managerId && changed.includes('managerId')) await this.requireManager(em, changes.managerId, account.id);

    const deactivating = changed.includes('status') && changes.status === 'deactivated';
    if (deactivating && this.deactivationSteps.length === 0)
      throw new Error('no deactivation steps registered: refusing a deactivation that would leave codes working');
    const before = { ...account };
    for (const key of changed) (account as unknown as Record<string, unknown>)[key] = changes[key];
    const now = this.clock.now();
    account.updatedAt = now;
    if (changed.includes('email') || changed.includes('phone')) account.channelsChangedAt = now;
    await em.save(account);

    // A proofing fact is named in `changed` only: its old and new values stay out of the trail.
    const describe = (a: Account) =>
      Object.fromEntries(
        changed
          .filter((key) => !isProofingFact(key))
          .map((key) => [key, key === 'email' ? maskEmail(a.email) : key === 'phone' ? maskPhone(a.phone) : (a[key as keyof Account] ?? null)]),
      );
    await this.audit.record(em, {
      actor,
      action: deactivating ? 'account.deactivated' : 'account.updated',
      target: { type: 'account', id: account.id },
      payload: { changed, before: describe(before), after: describe(account) },
    });
    await this.recordHistory(em, actor, before, account, changed, now);
    await this.tellOldChannels(em, before, account, now);
    if (deactivating) {
      const reason = `account deactivated by ${actorLabel(actor)}`;
      for (const step of this.deactivationSteps) await step(em, actor, account, reason);
    }
    return account;
  }

  /**
   * The account's history the risk signals read (src/tickets/risk/history-signals.ts): which tracked facts changed
   * and when, with the old and new tier, manager and status. Channels by name only, never their values.
   */
  private async recordHistory(em: EntityManager, actor: AuditActor, before: Account, after: Account, changed: string[], now: Date): Promise<void> {
    const tracked = TRACKED_FIELDS.filter((field): field is TrackedField => changed.includes(field));
    if (tracked.length === 0) return;
    const pair = <K extends 'tier' | 'managerId' | 'status'>(key: K) => (tracked.includes(key) ? [before[key], after[key]] : [null, null]);
    const [tierBefore, tierAfter] = pair('tier');
    const [managerBefore, managerAfter] = pair('managerId');
    const [statusBefore, statusAfter] = pair('status');
    await em.insert(AccountChange, {
      accountId: after.id,
      changedAt: now,
      actor: actorLabel(actor),
      changed: tracked,
      tierBefore: tierBefore as AccountChange['tierBefore'],
      tierAfter: tierAfter as AccountChange['tierAfter'],
      managerBefore: managerBefore as string | null,
      managerAfter: managerAfter as string | null,
      statusBefore: statusBefore as AccountChange['statusBefore'],
      statusAfter: statusAfter as AccountChange['statusAfter'],
    });
  }

  /**
   * Every path that changes a registered channel (an admin, an applied change request, an import) ends here: the
   * OLD address or number hears of it, with a "this wasn't me" link that holds the account's recovery. An attacker
   * who swapped the channels controls the new ones, so only the old ones can raise the alarm.
   */
  private async tellOldChannels(em: EntityManager, before: Account, after: Account, now: Date): Promise<void> {
    const at = now.toISOString();
    const key = `account.channel_changed:${after.id}:${now.getTime()}`;
    if (before.email !== after.email) {
      await this.notMe.send(em, {
        account: after,
        channel: 'email',
        to: before.email,
        template: 'account.channel_changed',
        vars: { what: 'e-mail address', at },
        key: `${key}:email`,
      });
    }
    if (before.phone !== after.phone) {
      await this.notMe.send(em, {
        account: after,
        channel: 'sms',
        to: before.phone,
        template: 'account.channel_changed',
        vars: { what: 'phone number', at },
        key: `${key}:phone`,
      });
    }
  }

  private maskedChannels(account: Account) {
    return { email: maskEmail(account.email), phone: maskPhone(account.phone) };
  }

  /**
   * `startId` and the accounts above it (each with its manager), at most
   * MAX_MANAGER_DEPTH rows: bounded, so a reporting loop in the data cannot run away.
   */
  async reportingLine(em: EntityManager, startId: string): Promise<{ id: string; managerId: string | null }[]> {
    const rows = (await em.query(
      `WITH RECURSIVE chain(id, manager_id, depth) AS (
         SELECT id, manager_id, 1 FROM accounts WHERE id = $1
         UNION ALL
         SELECT a.id, a.manager_id, c.depth + 1 FROM accounts a JOIN chain c ON a.id = c.manager_id
         WHERE c.depth < $2)
       SELECT id, manager_id FROM chain`,
      [startId, MAX_MANAGER_DEPTH],
    )) as { id: string; manager_id: string | null }[];
    return rows.map((r) => ({ id: r.id, managerId: r.manager_id }));
  }

  /** The manager must exist and must not be the account itself or report to it (no loops). */
  private async requireManager(em: EntityManager, managerId: string, accountId: string | undefined): Promise<void> {
    if (managerId === accountId) throw new InvalidInput('managerId', 'cannot be the account itself');
    const chain = await this.reportingLine(em, managerId);
    if (chain.length === 0) throw new InvalidInput('managerId', 'does not name an existing account');
    if (accountId && chain.some((row) => row.id === accountId)) {
      throw new InvalidInput('managerId', 'would make a reporting loop');
    }
  }
}
