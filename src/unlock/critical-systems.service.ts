import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { ChangeGate, Gated } from '../change-requests/change-gate';
import { ChangeRequest } from '../change-requests/change-request.entity';
import { criticalSystemUpdateRules, custodianChangeRules, pick, staleKeys } from '../change-requests/sensitive-changes';
import { Clock } from '../common/clock';
import { AlreadyExists, Conflict, InvalidInput, NotFound } from '../common/errors';
import { refuseNulls } from '../common/validation';
import { Policy } from '../config/policy';
import type { Staff } from '../staff/staff.entity';
import { CreateCriticalSystemDto, CriticalSystemViewDto, UpdateCriticalSystemDto } from './dto/unlock.dto';
import { CriticalSystem, Custodian } from './unlock.entities';

export const DEFAULTS = { k: 2, windowSeconds: 300, grantTtlSeconds: 900 } as const;

/**
 * Critical systems and their custodians (admin). Every change is audited; custodians never fall below k. A change
 * to k, the window or the custodians is sensitive: with two or more active admins it becomes a change request that
 * another admin approves, and is applied then only if the system still is as it was when asked.
 */
@Injectable()
export class CriticalSystemsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly gate: ChangeGate,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  create(actor: AuditActor, input: CreateCriticalSystemDto): Promise<CriticalSystemViewDto> {
    return this.dataSource.transaction(async (em) => {
      const k = input.k ?? DEFAULTS.k;
      if (input.custodianIds.length < k) throw new InvalidInput('custodianIds', `must name at least k (${k}) custodians`);
      await this.requireAccounts(em, input.custodianIds);
      if (await em.existsBy(CriticalSystem, { name: input.name })) throw new AlreadyExists(`a critical system named ${input.name} already exists`);
      const now = this.clock.now();
      const system = em.create(CriticalSystem, {
        name: input.name,
        description: input.description ?? null,
        k,
        windowSeconds: input.windowSeconds ?? DEFAULTS.windowSeconds,
        grantTtlSeconds: input.grantTtlSeconds ?? DEFAULTS.grantTtlSeconds,
        createdAt: now,
        updatedAt: now,
      });
      await em.insert(CriticalSystem, system);
      await em.insert(
        Custodian,
        input.custodianIds.map((accountId) => ({ systemId: system.id, accountId, addedAt: now })),
      );
      await this.audit.record(em, {
        actor,
        action: 'critical_system.created',
        target: { type: 'critical_system', id: system.id },
        payload: { name: system.name, k, windowSeconds: system.windowSeconds, grantTtlSeconds: system.grantTtlSeconds, custodianIds: input.custodianIds },
      });
      return this.view(em, system);
    });
  }

  /** Name, description and grant lifetime apply at once; a change to k or the window waits for a second admin. */
  requestUpdate(admin: Staff, id: string, changes: UpdateCriticalSystemDto, reason?: string | null): Promise<Gated<CriticalSystemViewDto>> {
    refuseNulls(changes, ['name', 'k', 'windowSeconds', 'grantTtlSeconds']);
    return this.dataSource.transaction(async (em) => {
      const system = await this.lock(em, id);
      const refusal = kExceedsCustodians(changes.k, await this.custodianIds(em, id));
      if (refusal) throw new InvalidInput('k', refusal);
      const keys = Object.keys(changes).filter((key) => changes[key as keyof UpdateCriticalSystemDto] !== undefined);
      const pending = await this.gate.admit(em, admin, {
        kind: 'critical_system.update',
        target: { type: 'critical_system', id },
        sensitive: criticalSystemUpdateRules(system, changes, this.policy.changeApproval.sensitive),
        before: pick(system, keys),
        after: pick(changes, keys),
        reason,
      });
      return pending ? { pending } : { applied: await this.updateIn(em, { kind: 'staff', id: admin.id }, system, changes) };
    });
  }

  requestAddCustodian(admin: Staff, id: string, accountId: string, reason?: string | null): Promise<Gated<CriticalSystemViewDto>> {
    return this.dataSource.transaction(async (em) => {
      const system = await this.lock(em, id);
      await this.requireAccounts(em, [accountId]);
      const custodians = await this.custodianIds(em, id);
      if (custodians.includes(accountId)) throw new AlreadyExists('this account is already a custodian of this system');
      return this.proposeCustodians(em, admin, system, 'critical_system.custodian_add', custodians, [...custodians, accountId].sort(), reason);
    });
  }

  requestRemoveCustodian(admin: Staff, id: string, accountId: string, reason?: string | null): Promise<Gated<CriticalSystemViewDto>> {
    return this.dataSource.transaction(async (em) => {
      const system = await this.lock(em, id);
      const custodians = await this.custodianIds(em, id);
      if (!custodians.includes(accountId)) throw new NotFound('custodian', accountId);
      const remaining = custodians.filter((c) => c !== accountId);
      if (remaining.length < system.k) throw new Conflict(`removing this custodian would leave ${remaining.length}, fewer than k (${system.k})`);
      return this.proposeCustodians(em, admin, system, 'critical_system.custodian_remove', custodians, remaining, reason);
    });
  }

  /**
   * Carries out an approved request, unless the system changed underneath it (or what it relies on no longer
   * holds: k within the custodians, added accounts active): then the reason it cannot.
   */
  async applyRequested(em: EntityManager, request: ChangeRequest): Promise<string | undefined> {
    const system = await em.findOne(CriticalSystem, { where: { id: request.targetId }, lock: { mode: 'pessimistic_write' } });
    if (!system) return 'the critical system no longer exists';
    const custodianIds = await this.custodianIds(em, system.id);
    const stale = staleKeys(request.before, { ...system, custodianIds });
    if (stale.length) return `the system's ${stale.join(', ')} changed since the request was made: make a new request against the current values`;
    const actor: AuditActor = { kind: 'staff', id: request.requestedBy };
    if (request.kind === 'critical_system.update') {
      const changes = request.after as UpdateCriticalSystemDto;
      const refusal = kExceedsCustodians(changes.k, custodianIds);
      if (refusal) return `k ${refusal}`;
      await this.updateIn(em, actor, system, changes);
      return undefined;
    }
    const after = request.after.custodianIds as string[];
    if (after.length < system.k) return `it would leave ${after.length} custodians, fewer than k (${system.k})`;
    const added = after.filter((a) => !custodianIds.includes(a));
    const active = new Set((await em.find(Account, { where: { id: In(added), status: 'active' } })).map((a) => a.id));
    const gone = added.filter((a) => !active.has(a));
    if (gone.length) return `the account ${gone.join(', ')} is no longer active`;
    await this.setCustodians(em, actor, system, custodianIds, after);
    return undefined;
  }

  async get(id: string): Promise<CriticalSystemViewDto> {
    const system = await this.dataSource.getRepository(CriticalSystem).findOneBy({ id });
    if (!system) throw new NotFound('critical system', id);
    return this.view(this.dataSource.manager, system);
  }

  async list(): Promise<CriticalSystemViewDto[]> {
    const systems = await this.dataSource.getRepository(CriticalSystem).find({ order: { name: 'ASC' } });
    return Promise.all(systems.map((s) => this.view(this.dataSource.manager, s)));
  }

  async custodianIds(em: EntityManager, systemId: string): Promise<string[]> {
    return (await em.find(Custodian, { where: { systemId } })).map((c) => c.accountId).sort();
  }

  private async proposeCustodians(
    em: EntityManager,
    admin: Staff,
    system: CriticalSystem,
    kind: 'critical_system.custodian_add' | 'critical_system.custodian_remove',
    before: string[],
    after: string[],
    reason?: string | null,
  ): Promise<Gated<CriticalSystemViewDto>> {
    const target = { type: 'critical_system', id: system.id };
    const sensitive = custodianChangeRules(this.policy.changeApproval.sensitive);
    const pending = await this.gate.admit(em, admin, { kind, target, sensitive, before: { custodianIds: before }, after: { custodianIds: after }, reason });
    if (pending) return { pending };
    await this.setCustodians(em, { kind: 'staff', id: admin.id }, system, before, after);
    return { applied: await this.view(em, system) };
  }

  private async updateIn(em: EntityManager, actor: AuditActor, system: CriticalSystem, changes: UpdateCriticalSystemDto): Promise<CriticalSystemViewDto> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    Object.assign(system, defined, { updatedAt: this.clock.now() });
    await em.save(system);
    await this.audit.record(em, { actor, action: 'critical_system.updated', target: { type: 'critical_system', id: system.id }, payload: defined });
    return this.view(em, system);
  }

  /** From `current` to `next` custodians: each one added (stamped now) or removed is its own audit event. */
  private async setCustodians(em: EntityManager, actor: AuditActor, system: CriticalSystem, current: string[], next: string[]): Promise<void> {
    const now = this.clock.now();
    const target = { type: 'critical_system', id: system.id };
    for (const accountId of next.filter((a) => !current.includes(a))) {
      await em.insert(Custodian, { systemId: system.id, accountId, addedAt: now });
      await this.audit.record(em, { actor, action: 'critical_system.custodian_added', target, payload: { accountId } });
    }
    for (const accountId of current.filter((a) => !next.includes(a))) {
      await em.delete(Custodian, { systemId: system.id, accountId });
      await this.audit.record(em, { actor, action: 'critical_system.custodian_removed', target, payload: { accountId } });
    }
    await em.update(CriticalSystem, { id: system.id }, { updatedAt: now });
    system.updatedAt = now;
  }

  private async lock(em: EntityManager, id: string): Promise<CriticalSystem> {
    const system = await em.findOne(CriticalSystem, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!system) throw new NotFound('critical system', id);
    return system;
  }

  private async requireAccounts(em: EntityManager, ids: string[]): Promise<void> {
    const found = await em.find(Account, { where: { id: In(ids), status: 'active' } });
    const missing = ids.filter((id) => !found.some((a) => a.id === id));
    if (missing.length) throw new InvalidInput('custodianIds', `names accounts that do not exist or are deactivated: ${missing.join(', ')}`);
  }

  private async view(em: EntityManager, system: CriticalSystem): Promise<CriticalSystemViewDto> {
    const pending = await em.findOneBy(ChangeRequest, { targetType: 'critical_system', targetId: system.id, state: 'pending' });
    return {
      id: system.id,
      name: system.name,
      description: system.description,
      custodianIds: await this.custodianIds(em, system.id),
      k: system.k,
      windowSeconds: system.windowSeconds,
      grantTtlSeconds: system.grantTtlSeconds,
      createdAt: system.createdAt.toISOString(),
      updatedAt: system.updatedAt.toISOString(),
      pendingChangeRequestId: pending?.id ?? null,
    };
  }
}

/** Why k cannot be set to `k` with these custodians, or undefined when it can. */
function kExceedsCustodians(k: number | undefined, custodianIds: string[]): string | undefined {
  return k !== undefined && k > custodianIds.length ? `cannot exceed the number of custodians (${custodianIds.length})` : undefined;
}
