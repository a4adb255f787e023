import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor, actorLabel } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { ChangeGate, Gated } from '../change-requests/change-gate';
import { ChangeRequest } from '../change-requests/change-request.entity';
import { pick, staffCreateRules, staffTokenRules, staffUpdateRules, staleKeys } from '../change-requests/sensitive-changes';
import { InvalidInput, NotFound, StaffRuleBroken, StaffRuleRefused } from '../common/errors';
import { Policy } from '../config/policy';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { refuseNulls } from '../common/validation';
import { Notifier } from '../notifications/notifier';
import { alertedRoles, regrant } from './role-grants';
import { brokenStaffRule, ownAccountRefusal, ownRecordRefusal, RuleAnswer, StaffRecord } from './staff-rules';
import { StaffRole } from '../common/auth/staff-roles';
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
    private readonly gate: ChangeGate,
    private readonly policy: Policy,
    private readonly notifier: Notifier,
  ) {}

  create(actor: AuditActor, input: NewStaff): Promise<Staff> {
    return this.dataSource.transaction((em) => this.createIn(em, actor, input));
  }

  /** An admin adds a member: at once, or a pending change request when it starts with a privileged role. */
  async requestCreate(admin: Staff, input: NewStaff, reason?: string | null): Promise<Gated<Staff>> {
    const own = ownAccountRefusal(admin, undefined, input.accountId);
    if (own) await this.refuseOwnChange(admin, own, ['accountId']);
    return this.dataSource.transaction(async (em) => {
      if (input.accountId) await this.requireAccount(em, input.accountId);
      refuseBrokenRule({ roles: input.roles, accountId: input.accountId ?? null });
      const after = { name: input.name, roles: input.roles, accountId: input.accountId ?? null };
      const sensitive = staffCreateRules(input.roles, this.policy.changeApproval.sensitive);
      // A new member has no id yet: its name is the target, so two requests for one name cannot both wait.
      const target = { type: 'staff', id: `new:${input.name}` };
      const pending = await this.gate.admit(em, admin, { kind: 'staff.create', target, sensitive, before: {}, after, reason });
      return pending ? { pending } : { applied: await this.createIn(em, { kind: 'staff', id: admin.id }, input) };
    });
  }

  /** An admin changes a member: at once, or a pending change request when it grants a privileged role or re-activates. */
  async requestUpdate(admin: Staff, id: string, changes: StaffChanges, reason?: string | null): Promise<Gated<Staff>> {
    refuseNulls(changes, ['roles', 'active']);
    const keys = changedKeys(changes);
    const own = ownRecordRefusal(admin.id, id, keys) ?? ownAccountRefusal(admin, id, changes.accountId);
    if (own) await this.refuseOwnChange(admin, own, keys);
    return this.dataSource.transaction(async (em) => {
      const staff = await em.findOne(Staff, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!staff) throw new NotFound('staff member', id);
      if (changes.accountId) await this.requireAccount(em, changes.accountId);
      refuseBrokenRule(changed(staff, changes));
      const sensitive = staffUpdateRules(staff, changes, this.policy.changeApproval.sensitive);
      const proposal = {
        kind: 'staff.update' as const,
        target: { type: 'staff', id },
        sensitive,
        before: pick(staff, keys),
        after: pick(changes, keys),
        reason,
      };
      const pending = await this.gate.admit(em, admin, proposal);
      return pending ? { pending } : { applied: await this.updateIn(em, { kind: 'staff', id: admin.id }, staff, changes) };
    });
  }

  /**
   * An admin issues a token. To a privileged member it needs a second admin: the first call becomes a pending
   * request; once another admin approved it, the same admin's next call issues the token (shown to them once,
   * as every token is) and uses the approval up.
   */
  requestToken(
    admin: Staff,
    id: string,
    options: { expiresInDays?: number; label?: string },
    reason?: string | null,
  ): Promise<Gated<{ record: StaffToken; token: string }>> {
    return this.dataSource.transaction(async (em) => {
      const staff = await em.findOne(Staff, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!staff) throw new NotFound('staff member', id);
      const actor: AuditActor = { kind: 'staff', id: admin.id };
      const sensitive = staffTokenRules(staff, this.policy.changeApproval.sensitive);
      if (sensitive.length && (await this.usePermit(em, admin, id))) return { applied: await this.issueToken(actor, id, options, em) };
      const after = { token: 'issued to the requester once approved', ...options };
      const proposal = {
        kind: 'staff.token' as const,
        target: { type: 'staff', id },
        sensitive,
        before: { roles: staff.roles, active: staff.active },
        after,
        reason,
      };
      const pending = await this.gate.admit(em, admin, proposal);
      return pending ? { pending } : { applied: await this.issueToken(actor, id, options, em) };
    });
  }

  /** Carries out an approved request, unless the member changed underneath it: then the reason it cannot. */
  async applyRequested(em: EntityManager, request: ChangeRequest): Promise<string | undefined> {
    const actor: AuditActor = { kind: 'staff', id: request.requestedBy };
    if (request.kind === 'staff.create') {
      const input = request.after as unknown as NewStaff;
      const broken = brokenStaffRule({ roles: input.roles, accountId: input.accountId ?? null });
      if (broken) return `staff rule ${broken.rule}: ${broken.why}`;
      await this.createIn(em, actor, input);
      return undefined;
    }
    const staff = await em.findOne(Staff, { where: { id: request.targetId }, lock: { mode: 'pessimistic_write' } });
    if (!staff) return 'the staff member no longer exists';
    const stale = staleKeys(request.before, staff);
    if (stale.length) return `the member's ${stale.join(', ')} changed since the request was made: make a new request against the current values`;
    // staff.token: the approval is the permit; the requester's next issue call uses it (usePermit).
    if (request.kind !== 'staff.update') return undefined;
    const changes = request.after as StaffChanges;
    const broken = ownRecordRefusal(request.requestedBy, staff.id, changedKeys(changes)) ?? brokenStaffRule(changed(staff, changes));
    if (broken) return `staff rule ${broken.rule}: ${broken.why}`;
    await this.updateIn(em, actor, staff, changes);
    return undefined;
  }

  /**
   * A member asked to change their own roles, accountId or active flag (or to link someone to their own account): recorded and security alerted in a
   * transaction of its own (the refusal must not roll the alert back), then refused.
   */
  private async refuseOwnChange(admin: Staff, answer: RuleAnswer, keys: string[]): Promise<never> {
    const at = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      await this.audit.record(em, {
        actor: { kind: 'staff', id: admin.id },
        action: 'staff.self_change_refused',
        target: { type: 'staff', id: admin.id },
        payload: { rule: answer.rule, changed: keys },
      });
      const vars = { staffId: admin.id, staffName: admin.name, changed: keys.join(', '), rule: answer.rule, at: at.toISOString() };
      await this.notifier.toSecurity(em, 'security.self_change_refused', vars, `self-change:${admin.id}:${at.getTime()}`);
    });
    throw new StaffRuleRefused(answer.rule, answer.why);
  }

  /** Uses up an approved token request this admin made for this member, if there is one (conditional update: once). */
  private async usePermit(em: EntityManager, admin: Staff, staffId: string): Promise<boolean> {
    const [rows] = (await em.query(
      `UPDATE change_requests SET state = 'used' WHERE id = (
         SELECT id FROM change_requests WHERE kind = 'staff.token' AND target_type = 'staff' AND target_id = $1 AND requested_by = $2 AND state = 'applied'
         ORDER BY reviewed_at LIMIT 1 FOR UPDATE) RETURNING id`,
      [staffId, admin.id],
    )) as [{ id: string }[], number];
    return rows.length > 0;
  }

  private async createIn(em: EntityManager, actor: AuditActor, input: NewStaff): Promise<Staff> {
    if (input.accountId) await this.requireAccount(em, input.accountId);
    const { grants } = regrant([], input.roles, {}, this.clock.now());
    refuseBrokenRule({ roles: input.roles, accountId: input.accountId ?? null });
    const staff = await em.save(
      em.create(Staff, { name: input.name, roles: input.roles, rolesGrantedAt: grants, accountId: input.accountId ?? null, active: true }),
    );
    await this.audit.record(em, {
      actor,
      action: 'staff.created',
      target: { type: 'staff', id: staff.id },
      payload: { name: staff.name, roles: staff.roles, accountId: staff.accountId },
    });
    await this.alertGrants(em, actorLabel(actor), staff, input.roles);
    return staff;
  }

  update(actor: AuditActor, id: string, changes: StaffChanges): Promise<Staff> {
    refuseNulls(changes, ['roles', 'active']);
    return this.dataSource.transaction(async (em) => {
      const staff = await em.findOne(Staff, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!staff) throw new NotFound('staff member', id);
      if (changes.accountId) await this.requireAccount(em, changes.accountId);
      return this.updateIn(em, actor, staff, changes);
    });
  }

  private async updateIn(em: EntityManager, actor: AuditActor, staff: Staff, changes: StaffChanges): Promise<Staff> {
    const own = ownRecordRefusal(actor.kind === 'staff' ? actor.id : undefined, staff.id, changedKeys(changes));
    if (own) throw new StaffRuleRefused(own.rule, own.why);
    refuseBrokenRule(changed(staff, changes));
    const before = { roles: staff.roles, accountId: staff.accountId, active: staff.active };
    Object.assign(staff, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    // A re-activated member holds its roles afresh: a dormant approver woken by an admin waits out the freshness
    // period again, and security hears of the approver or admin role as of any grant.
    const reactivated = !before.active && staff.active;
    const { grants, added } = regrant(reactivated ? [] : before.roles, staff.roles, staff.rolesGrantedAt, this.clock.now());
    staff.rolesGrantedAt = grants;
    await em.save(staff);
    await this.audit.record(em, {
      actor,
      action: 'staff.updated',
      target: { type: 'staff', id: staff.id },
      payload: { before, after: { roles: staff.roles, accountId: staff.accountId, active: staff.active } },
    });
    await this.alertGrants(em, actorLabel(actor), staff, added);
    return staff;
  }

  /**
   * Roles granted from outside (the identity provider's groups at sign-in): recorded with their grant times, and
   * security hears of an approver or admin role as for any other grant.
   */
  async syncRoles(em: EntityManager, staff: Staff, roles: StaffRole[]): Promise<void> {
    const { grants, added } = regrant(staff.roles, roles, staff.rolesGrantedAt, this.clock.now());
    staff.roles = roles;
    staff.rolesGrantedAt = grants;
    await em.update(Staff, { id: staff.id }, { roles, rolesGrantedAt: grants });
    await this.alertGrants(em, 'identity provider groups', staff, added);
  }

  /**
   * The security contact hears of every approver or admin role granted, whoever granted it (an applied change
   * request, the bootstrap window's single admin, the command line, the identity provider): one rogue admin
   * minting approvers must not pass as routine.
   */
  private async alertGrants(em: EntityManager, grantedBy: string, staff: Staff, granted: readonly StaffRole[]): Promise<void> {
    const roles = alertedRoles(granted);
    if (roles.length === 0) return;
    const at = staff.rolesGrantedAt[roles[0]] ?? this.clock.now().toISOString();
    await this.notifier.toSecurity(
      em,
      'security.privilege_granted',
      { staffId: staff.id, staffName: staff.name, roles: roles.join(' and '), grantedBy, at, freshDays: this.policy.risk.approverFreshDays },
      `privilege-granted:${staff.id}:${roles.join('+')}:${at}`,
    );
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
    return toPage(
      rows,
      limit,
      (s) => [s.createdAt.toISOString(), s.id],
      (s) => s,
    );
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
      // The first admin of an empty database is announced on the start-up line instead (bootstrap.service.ts).
      if (alertedRoles(staff.roles).length > 0 && actor.kind !== 'system') {
        await this.notifier.toSecurity(
          tx,
          'security.privileged_token_issued',
          {
            tokenId: record.id,
            label: record.label ?? 'no label',
            staffId: staff.id,
            staffName: staff.name,
            roles: alertedRoles(staff.roles).join(' and '),
            issuedBy: actorLabel(actor),
          },
          `privileged-token-issued:${record.id}`,
        );
      }
      if (staff.roles.includes('service')) {
        // A service token can call its operations for every account: security hears of each one issued.
        await this.notifier.toSecurity(
          tx,
          'security.service_token_issued',
          {
            tokenId: record.id,
            label: record.label ?? 'no label',
            staffName: staff.name,
            issuedBy: actorLabel(actor),
            scopes: scopes.join(', '),
            networks: allowedCidrs?.join(', ') ?? 'any',
          },
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

/** The fields a change sets (absent and undefined ones leave the member as it is). */
const changedKeys = (changes: StaffChanges): string[] => Object.keys(changes).filter((key) => changes[key as keyof StaffChanges] !== undefined);

/** The member's roles and account as they would be after the change. */
const changed = (staff: Staff, changes: StaffChanges): StaffRecord => ({
  roles: changes.roles ?? staff.roles,
  accountId: changes.accountId !== undefined ? changes.accountId : staff.accountId,
});

function refuseBrokenRule(record: StaffRecord): void {
  const broken = brokenStaffRule(record);
  if (broken) throw new StaffRuleBroken(broken.rule, broken.why);
}

/** A service member's token must name its scopes (and may name its networks); other tokens carry neither. */
function tokenLimits(
  staff: Staff,
  options: { scopes?: ServiceScope[]; allowedCidrs?: string[] | null },
): { scopes: ServiceScope[]; allowedCidrs: string[] | null } {
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
