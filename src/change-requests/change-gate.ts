import { Injectable, Module } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { Conflict, Forbidden } from '../common/errors';
import { Policy } from '../config/policy';
import { Notifier } from '../notifications/notifier';
import type { Staff } from '../staff/staff.entity';
import { ChangeKind, ChangeRequest, ChangeValues } from './change-request.entity';
import type { SensitiveRule } from './sensitive-changes';

const HOUR = 3_600_000;

/** A change an admin asked for, described exactly: what it is made against and what it sets. */
export interface Proposal {
  kind: ChangeKind;
  target: { type: string; id: string };
  /** The sensitive rules it trips; none means it is not sensitive and applies at once. */
  sensitive: SensitiveRule[];
  before: ChangeValues;
  after: ChangeValues;
  reason?: string | null;
}

/** Whether a second admin is needed, and why not when it is off (the console and the start-up line show this). */
export interface MultiPartyStatus {
  on: boolean;
  activeAdmins: number;
  message: string;
}

/** The answer to a sensitive change: applied at once, or waiting for a second admin. */
export type Gated<T> = { applied: T } | { pending: ChangeRequest };

/** Active admins: while fewer than two exist nobody could review, so changes apply at once (bootstrap). */
export async function multiPartyStatus(em: EntityManager): Promise<MultiPartyStatus> {
  const [{ n }] = (await em.query(`SELECT count(*)::int AS n FROM staff WHERE active AND 'admin' = ANY(roles)`)) as { n: number }[];
  return n >= 2
    ? { on: true, activeAdmins: n, message: `multi-party approval is on: sensitive changes need a second admin (${n} active admins)` }
    : {
        on: false,
        activeAdmins: n,
        message: 'multi-party approval is off until a second admin exists: sensitive changes apply at once and security is alerted of each',
      };
}

/**
 * The one gate every sensitive admin change passes (accounts, staff, holds), in the caller's transaction with the
 * target row locked: a pending request on the same target refuses it; with two or more active admins it becomes a
 * pending change request; with fewer (bootstrap) it applies and security hears of it.
 */
@Injectable()
export class ChangeGate {
  constructor(
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /** Undefined: apply it now. Otherwise the pending request it became. */
  async admit(em: EntityManager, requester: Staff, proposal: Proposal): Promise<ChangeRequest | undefined> {
    if (proposal.sensitive.length === 0) return undefined;
    await this.refuseIfPending(em, proposal.target);
    const status = await multiPartyStatus(em);
    const vars = { staffId: requester.id, kind: proposal.kind, target: `${proposal.target.type} ${proposal.target.id}`, rules: proposal.sensitive.join(', ') };
    const now = this.clock.now();
    if (!status.on) {
      await this.alertUnreviewed(em, requester.id, proposal);
      return undefined;
    }
    const inserted = (await em.query(
      `INSERT INTO change_requests (kind, target_type, target_id, requested_by, reason, sensitive, before, after, state, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10)
       ON CONFLICT (target_type, target_id) WHERE state = 'pending' DO NOTHING RETURNING id`,
      [
        proposal.kind,
        proposal.target.type,
        proposal.target.id,
        requester.id,
        proposal.reason ?? null,
        proposal.sensitive,
        proposal.before,
        proposal.after,
        now,
        new Date(now.getTime() + this.policy.changeApproval.expiryHours * HOUR),
      ],
    )) as { id: string }[];
    if (inserted.length === 0) await this.refuseIfPending(em, proposal.target);
    const request = await em.findOneByOrFail(ChangeRequest, { id: inserted[0].id });
    await this.audit.record(em, {
      actor: { kind: 'staff', id: requester.id },
      action: 'change_request.created',
      target: { type: 'change_request', id: request.id },
      payload: {
        kind: request.kind,
        targetType: request.targetType,
        targetId: request.targetId,
        sensitive: request.sensitive,
        changed: Object.keys(request.after),
      },
    });
    await this.notifier.toSecurity(
      em,
      'security.change_requested',
      { ...vars, requestId: request.id, expiresAt: request.expiresAt.toISOString() },
      `change:requested:${request.id}`,
    );
    return request;
  }

  /**
   * A sensitive change made where no second admin can be asked (the command line, run by whoever holds the host):
   * allowed only while multi-party approval is off, and then security hears of it as of any bootstrap change.
   * The refusal names `what` was refused and says where to make the change `instead` (one line, for the operator).
   */
  async admitUnreviewed(em: EntityManager, who: string, proposal: Proposal, what: string, instead: string): Promise<void> {
    if (proposal.sensitive.length === 0) return;
    await this.refuseIfPending(em, proposal.target);
    const status = await multiPartyStatus(em);
    if (status.on) throw new Forbidden(`${what} works only while fewer than two active admins exist (${status.activeAdmins} do): ${instead}`);
    await this.alertUnreviewed(em, who, proposal);
  }

  private async alertUnreviewed(em: EntityManager, who: string, proposal: Proposal): Promise<void> {
    const vars = { staffId: who, kind: proposal.kind, target: `${proposal.target.type} ${proposal.target.id}`, rules: proposal.sensitive.join(', ') };
    const key = `change:bootstrap:${who}:${proposal.kind}:${proposal.target.id}:${this.clock.now().getTime()}`;
    await this.notifier.toSecurity(em, 'security.change_without_second_admin', vars, key);
  }

  /** A pending request on the target blocks any other sensitive change to it: a 409 naming that request. */
  async refuseIfPending(em: EntityManager, target: { type: string; id: string }): Promise<void> {
    const pending = await em.findOneBy(ChangeRequest, { targetType: target.type, targetId: target.id, state: 'pending' });
    if (pending) {
      throw new Conflict(`change request ${pending.id} is pending for this ${target.type}: it must be approved, rejected or expire first`, {
        changeRequestId: pending.id,
      });
    }
  }
}

/** The gate alone, for the modules whose changes it guards (they must not depend on the change-requests module). */
@Module({ providers: [ChangeGate], exports: [ChangeGate] })
export class ChangeGateModule {}
