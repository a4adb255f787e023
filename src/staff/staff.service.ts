import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor, actorLabel } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { InvalidInput, NotFound } from '../common/errors';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { refuseNulls } from '../common/validation';
import { Notifier } from '../notifications/notifier';
import { StaffRole } from './roles';
import { parseCidr, ServiceScope, SERVICE_SCOPES } from './service-scopes';
import { Staff } from './staff.entity';
import { StaffToken } from './staff-token.entity';

export const DEFAULT_TOKEN_DAYS = 90;
const DAY_MS = 86_400_000;

export interface NewStaff {
  name: string;
  roles: StaffRole[];
  accountId?: string | null;
}

export interface StaffChanges {
  roles?: StaffRole[];
  accountId?: string | null;
  active?: boolean;
}

@Injectable()
export class StaffService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  create(actor: AuditActor, input: NewStaff): Promise<Staff> {
    return this.dataSource.transaction(async (em) => {
      if (input.accountId) await this.requireAccount(em, input.accountId);
      const staff = await em.save(
        em.create(Staff, { name: input.name, roles: input.roles, accountId: input.accountId ?? null, active: true }),
      );
      await this.audit.record(em, {
        actor,
        action: 'staff.created',
        target: { type: 'staff', id: staff.id },
        payload: { name: staff.name, roles: staff.roles, accountId: staff.accountId },
      });
      return staff;
    });
  }

  update(actor: AuditActor, id: string, changes: StaffChanges): Promise<Staff> {
    refuseNulls(changes, ['roles', 'active']);
    return this.dataSource.transaction(async (em) => {
      const staff = await em.findOne(Staff, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!staff) throw new NotFound('staff member', id);
      if (changes.accountId) await this.requireAccount(em, changes.accountId);
      const before = { roles: staff.roles, accountId: staff.accountId, active: staff.active };
      Object.assign(staff, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
      await em.save(staff);
      await this.audit.record(em, {
        actor,
        action: 'staff.updated',
        target: { type: 'staff', id },
        payload: { before, after: { roles: staff.roles, accountId: staff.accountId, active: staff.active } },
      });
      return staff;
    });
  }

  async get(id: string): Promise<Staff> {
    const staff = await this.dataSource.getRepository(Staff).findOneBy({ id });
    if (!staff) throw new NotFound('staff member', id);
    return staff;
  }

  async list(limit: number, cursor?: string): Promise<Page<Staff>> {
    const query = this.dataSource.getRepository(Staff).createQueryBuilder('s').orderBy('s.created_at').addOrderBy('s.id');
    if (cursor) {
      const [createdAt, id] = decodeCursor(cursor, 2);
      query.where('(s.created_at, s.id) > (:createdAt, :id)', { createdAt, id });
    }
    const rows = await query.take(limit + 1).getMany();
    return toPage(rows, limit, (s) => [s.createdAt.toISOString(), s.id], (s) => s);
  }

  /** Issues a bearer token; the plain token is returned here once and never stored. */
  issueToken(
    actor: AuditActor,
    staffId: string,
    options: { expiresInDays?: number | null; label?: string | null; token?: string; scopes?: ServiceScope[]; allowedCidrs?: string[] | null } = {},
    em?: EntityManager,
  ): Promise<{ record: StaffToken; token: string }> {
    const run = async (tx: EntityManager) => {
      const staff = await tx.findOneBy(Staff, { id: staffId });
      if (!staff) throw new NotFound('staff member', staffId);
      const { scopes, allowedCidrs } = tokenLimits(staff, options);
      const token = options.token ?? randomToken('rds');
      const now = this.clock.now();
      const days = options.expiresInDays === undefined ? DEFAULT_TOKEN_DAYS : options.expiresInDays;
      const record = tx.create(StaffToken, {
        staffId,
        tokenHash: sha256Hex(token),
        label: options.label ?? null,
        createdAt: now,
        expiresAt: days === null ? null : new Date(now.getTime() + days * DAY_MS),
        revokedAt: null,
        scopes,
        allowedCidrs,
      });
      await tx.insert(StaffToken, record);
      await this.audit.record(tx, {
        actor,
        action: 'staff.token_issued',
        target: { type: 'staff', id: staffId },
        payload: { tokenId: record.id, label: record.label, expiresAt: record.expiresAt?.toISOString() ?? null, scopes, allowedCidrs },
      });
      if (staff.roles.includes('service')) {
        // A service token can call its operations for every account: security hears of each one issued.
        await this.notifier.toSecurity(
          tx,
          'security.service_token_issued',
          { tokenId: record.id, label: record.label ?? 'no label', staffName: staff.name, issuedBy: actorLabel(actor), scopes: scopes.join(', '), networks: allowedCidrs?.join(', ') ?? 'any' },
          `service-token-issued:${record.id}`,
        );
      }
      return { record, token };
    };
    return em ? run(em) : this.dataSource.transaction(run);
  }

  async listTokens(staffId: string): Promise<StaffToken[]> {
    await this.get(staffId);
    return this.dataSource.getRepository(StaffToken).find({ where: { staffId }, order: { createdAt: 'DESC' } });
  }

  revokeToken(actor: AuditActor, staffId: string, tokenId: string): Promise<StaffToken> {
    return this.dataSource.transaction(async (em) => {
      const token = await em.findOne(StaffToken, { where: { id: tokenId, staffId }, lock: { mode: 'pessimistic_write' } });
      if (!token) throw new NotFound('token', tokenId);
      if (token.revokedAt) return token; // revoking twice is harmless and records nothing new
      token.revokedAt = this.clock.now();
      await em.update(StaffToken, { id: tokenId }, { revokedAt: token.revokedAt });
      await this.audit.record(em, {
        actor,
        action: 'staff.token_revoked',
        target: { type: 'staff', id: staffId },
        payload: { tokenId },
      });
      return token;
    });
  }

  private async requireAccount(em: EntityManager, accountId: string): Promise<void> {
    if (!(await em.existsBy(Account, { id: accountId }))) {
      throw new InvalidInput('accountId', 'does not name an existing account');
    }
  }
}

/** A service member's token must name its scopes (and may name its networks); other tokens carry neither. */
function tokenLimits(staff: Staff, options: { scopes?: ServiceScope[]; allowedCidrs?: string[] | null }): { scopes: ServiceScope[]; allowedCidrs: string[] | null } {
  const scopes = [...new Set(options.scopes ?? [])];
  const cidrs = options.allowedCidrs ?? null;
  if (!staff.roles.includes('service')) {
    if (scopes.length > 0 || cidrs !== null) throw new InvalidInput('scopes', 'and allowedCidrs are for service members’ tokens only');
    return { scopes: [], allowedCidrs: null };
  }
  if (scopes.length === 0) throw new InvalidInput('scopes', `are required for a service member’s token: one or more of ${SERVICE_SCOPES.join(', ')}`);
  const unknown = scopes.filter((s) => !SERVICE_SCOPES.includes(s));
  if (unknown.length > 0) throw new InvalidInput('scopes', `must be among ${SERVICE_SCOPES.join(', ')} (not ${unknown.join(', ')})`);
  if (cidrs !== null) {
    if (cidrs.length === 0) throw new InvalidInput('allowedCidrs', 'must name at least one network, or be left out to allow any address');
    const bad = cidrs.filter((c) => !parseCidr(c));
    if (bad.length > 0) throw new InvalidInput('allowedCidrs', `must be networks such as 10.0.0.0/8 or 2001:db8::/32 (not ${bad.join(', ')})`);
  }
  return { scopes, allowedCidrs: cidrs && cidrs.map((c) => c.trim()) };
}
