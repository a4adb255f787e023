import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { Conflict, Forbidden, Gone, NotFound } from '../common/errors';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { Staff } from '../staff/staff.entity';
import { StaffService } from '../staff/staff.service';
import { RecoveryHold } from '../tickets/risk/recovery-hold.service';
import { RiskService } from '../tickets/risk/risk.service';
import { ScimConnectionsService } from '../scim/scim-connections.service';
import { CriticalSystemsService } from '../unlock/critical-systems.service';
import { multiPartyStatus, MultiPartyStatus } from './change-gate';
import { ChangeRequest, ChangeState } from './change-request.entity';

const RANK_SQL = `(CASE WHEN r.state = 'pending' THEN 0 ELSE 1 END)`;
/** Milliseconds, oldest first while pending and newest first once decided. */
const AGE_SQL = `(CASE WHEN r.state = 'pending' THEN 1 ELSE -1 END * (extract(epoch FROM r.created_at) * 1000)::bigint)`;

/** Why this admin may not review this request, or undefined when they may. */
export function reviewRefusal(reviewer: Staff, request: ChangeRequest): string | undefined {
  if (!reviewer.active || !reviewer.roles.includes('admin')) return 'only an active admin may review a change request';
  if (reviewer.id === request.requestedBy) return 'nobody reviews their own change request: another admin must';
  if (request.targetType === 'staff' && request.targetId === reviewer.id) return 'nobody reviews a change to their own staff record: another admin must';
  return undefined;
}

/**
 * Reviews of change requests. Approving applies the change in the same transaction as the review and its audit
 * events, after checking it still applies to what is stored; the request's row lock makes concurrent reviews
 * decide it once. A request whose target changed underneath is refused (kept, with the reason), not applied.
 */
@Injectable()
export class ChangeRequestsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly staff: StaffService,
    private readonly risk: RiskService,
    private readonly recoveryHold: RecoveryHold,
    private readonly criticalSystems: CriticalSystemsService,
    private readonly scimConnections: ScimConnectionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  status(): Promise<MultiPartyStatus> {
    return multiPartyStatus(this.dataSource.manager);
  }

  /** Pending first (oldest first among them, so nothing waits unseen), then decided ones newest first; keyset-paged. */
  async list(limit: number, cursor?: string, state?: ChangeState): Promise<Page<ChangeRequest>> {
    const query = this.dataSource.getRepository(ChangeRequest).createQueryBuilder('r').orderBy(RANK_SQL).addOrderBy(AGE_SQL).addOrderBy('r.id');
    if (state) query.where('r.state = :state', { state });
    if (cursor) {
      const [rank, age, id] = decodeCursor(cursor, 3);
      query.andWhere(`(${RANK_SQL}, ${AGE_SQL}, r.id) > (:rank, :age, :id)`, { rank, age, id });
    }
    const rows = await query.take(limit + 1).getMany();
    const key = (r: ChangeRequest) => {
      const pending = r.state === 'pending';
      return [pending ? 0 : 1, pending ? r.createdAt.getTime() : -r.createdAt.getTime(), r.id];
    };
    return toPage(rows, limit, key, (r) => r);
  }

  async get(id: string): Promise<ChangeRequest> {
    const request = await this.dataSource.getRepository(ChangeRequest).findOneBy({ id });
    if (!request) throw new NotFound('change request', id);
    return request;
  }

  /** Approves and applies it; a refusal (changed underneath, expired) is recorded and then answered as a 409/410. */
  async approve(reviewer: Staff, id: string, reason: string): Promise<ChangeRequest> {
    const outcome = await this.dataSource.transaction(async (em) => {
      const request = await this.lockPending(em, reviewer, id);
      if (request instanceof Error) return request;
      const refusal = await this.apply(em, request, reviewer);
      const now = this.clock.now();
      const state: ChangeState = refusal ? 'refused' : 'applied';
      await em.update(ChangeRequest, { id }, { state, reviewedBy: reviewer.id, reviewedAt: now, reviewReason: reason, outcome: refusal ?? null });
      await this.audit.record(em, {
        actor: { kind: 'staff', id: reviewer.id },
        action: refusal ? 'change_request.refused' : 'change_request.approved',
        target: { type: 'change_request', id },
        payload: { kind: request.kind, targetType: request.targetType, targetId: request.targetId, reason, ...(refusal && { refusal }) },
      });
      return refusal ? new Conflict(`change request ${id} was not applied: ${refusal}`, { changeRequestId: id }) : em.findOneByOrFail(ChangeRequest, { id });
    });
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  async reject(reviewer: Staff, id: string, reason: string): Promise<ChangeRequest> {
    const outcome = await this.dataSource.transaction(async (em) => {
      const request = await this.lockPending(em, reviewer, id);
      if (request instanceof Error) return request;
      await em.update(ChangeRequest, { id }, { state: 'rejected', reviewedBy: reviewer.id, reviewedAt: this.clock.now(), reviewReason: reason });
      await this.audit.record(em, {
        actor: { kind: 'staff', id: reviewer.id },
        action: 'change_request.rejected',
        target: { type: 'change_request', id },
        payload: { kind: request.kind, targetType: request.targetType, targetId: request.targetId, reason },
      });
      return em.findOneByOrFail(ChangeRequest, { id });
    });
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /** Expires pending requests past their time (the sweep, every minute). Returns how many. */
  async expireOverdue(): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const [rows] = (await em.query(
        `UPDATE change_requests SET state = 'expired', outcome = 'nobody reviewed it in time' WHERE state = 'pending' AND expires_at <= $1 RETURNING id, kind`,
        [this.clock.now()],
      )) as [{ id: string; kind: string }[], number];
      for (const row of rows) {
        await this.audit.record(em, {
          actor: SYSTEM,
          action: 'change_request.expired',
          target: { type: 'change_request', id: row.id },
          payload: { kind: row.kind },
        });
      }
      return rows.length;
    });
  }

  /**
   * The pending request, locked, that this reviewer may decide; or the error to answer with (an expired one is
   * marked expired first, and that commits).
   */
  private async lockPending(em: EntityManager, reviewer: Staff, id: string): Promise<ChangeRequest | Error> {
    const request = await em.findOne(ChangeRequest, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!request) throw new NotFound('change request', id);
    if (request.state !== 'pending') throw new Conflict(`change request ${id} is already ${request.state}`, { state: request.state });
    const refusal = reviewRefusal(reviewer, request);
    if (refusal) throw new Forbidden(refusal);
    if (request.expiresAt <= this.clock.now()) {
      await em.update(ChangeRequest, { id }, { state: 'expired', outcome: 'nobody reviewed it in time' });
      await this.audit.record(em, { actor: SYSTEM, action: 'change_request.expired', target: { type: 'change_request', id }, payload: { kind: request.kind } });
      return new Gone(`change request ${id} expired at ${request.expiresAt.toISOString()}`);
    }
    return request;
  }

  private apply(em: EntityManager, request: ChangeRequest, reviewer: Staff): Promise<string | undefined> {
    switch (request.kind) {
      case 'account.update':
        return this.accounts.applyRequested(em, request);
      case 'staff.create':
      case 'staff.update':
      case 'staff.token':
        return this.staff.applyRequested(em, request);
      case 'ticket.clear_hold':
        return this.risk.applyRequested(em, request, reviewer);
      case 'account.clear_recovery_hold':
        return this.recoveryHold.applyRequested(em, request, reviewer);
      case 'critical_system.update':
      case 'critical_system.custodian_add':
      case 'critical_system.custodian_remove':
        return this.criticalSystems.applyRequested(em, request);
      case 'scim_connection.create':
        return this.scimConnections.applyRequested(em, request);
    }
  }
}
