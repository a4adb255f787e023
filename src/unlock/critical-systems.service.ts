import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AlreadyExists, Conflict, InvalidInput, NotFound } from '../common/errors';
import { refuseNulls } from '../common/validation';
import { CreateCriticalSystemDto, CriticalSystemViewDto, UpdateCriticalSystemDto } from './dto/unlock.dto';
import { CriticalSystem, Custodian } from './unlock.entities';

export const DEFAULTS = { k: 2, windowSeconds: 300, grantTtlSeconds: 900 } as const;

/** Critical systems and their custodians (admin). Every change is audited; custodians never fall below k. */
@Injectable()
export class CriticalSystemsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
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
      await em.insert(Custodian, input.custodianIds.map((accountId) => ({ systemId: system.id, accountId })));
      await this.audit.record(em, {
        actor,
        action: 'critical_system.created',
        target: { type: 'critical_system', id: system.id },
        payload: { name: system.name, k, windowSeconds: system.windowSeconds, grantTtlSeconds: system.grantTtlSeconds, custodianIds: input.custodianIds },
      });
      return this.view(em, system);
    });
  }

  update(actor: AuditActor, id: string, changes: UpdateCriticalSystemDto): Promise<CriticalSystemViewDto> {
    refuseNulls(changes, ['name', 'k', 'windowSeconds', 'grantTtlSeconds']);
    return this.dataSource.transaction(async (em) => {
      const system = await this.lock(em, id);
      const custodians = await this.custodianIds(em, id);
      if (changes.k !== undefined && changes.k > custodians.length) {
        throw new InvalidInput('k', `cannot exceed the number of custodians (${custodians.length})`);
      }
      Object.assign(system, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)), { updatedAt: this.clock.now() });
      await em.save(system);
      await this.audit.record(em, { actor, action: 'critical_system.updated', target: { type: 'critical_system', id }, payload: { ...changes } });
      return this.view(em, system);
    });
  }

  addCustodian(actor: AuditActor, id: string, accountId: string): Promise<CriticalSystemViewDto> {
    return this.dataSource.transaction(async (em) => {
      const system = await this.lock(em, id);
      await this.requireAccounts(em, [accountId]);
      const [row] = (await em.query(`INSERT INTO critical_system_custodians (system_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING account_id`, [id, accountId])) as unknown[];
      if (!row) throw new AlreadyExists('this account is already a custodian of this system');
      await this.audit.record(em, { actor, action: 'critical_system.custodian_added', target: { type: 'critical_system', id }, payload: { accountId } });
      return this.view(em, system);
    });
  }

  removeCustodian(actor: AuditActor, id: string, accountId: string): Promise<CriticalSystemViewDto> {
    return this.dataSource.transaction(async (em) => {
      const system = await this.lock(em, id);
      const custodians = await this.custodianIds(em, id);
      if (!custodians.includes(accountId)) throw new NotFound('custodian', accountId);
      if (custodians.length - 1 < system.k) {
        throw new Conflict(`removing this custodian would leave ${custodians.length - 1}, fewer than k (${system.k})`);
      }
      await em.delete(Custodian, { systemId: id, accountId });
      await this.audit.record(em, { actor, action: 'critical_system.custodian_removed', target: { type: 'critical_system', id }, payload: { accountId } });
      return this.view(em, system);
    });
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
    };
  }
}
