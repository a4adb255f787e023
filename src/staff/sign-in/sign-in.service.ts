import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IdTokenClaims } from 'openid-client';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { SYSTEM } from '../../audit/audit-actor';
import { AuditService } from '../../audit/audit.service';
import { Clock } from '../../common/clock';
import { Env, parseRoleMap } from '../../config/env.validation';
import { StaffService } from '../staff.service';
import { StaffRole, STAFF_ROLES } from '../../common/auth/staff-roles';
import { Staff } from '../staff.entity';
import { brokenStaffRule } from '../staff-rules';
import { SignInRefused } from './oidc-client.service';
import { SessionsService } from './sessions.service';
import type { Authentication } from './step-up';

/** The person is known to the provider but may not use the desk: the page says why. */
export class SignInNotAllowed extends SignInRefused {
  constructor(
    message: string,
    /** The staff member refused, when the desk knows who it is (deactivated, no mapped role). */
    readonly staffId?: string,
  ) {
    super(message);
  }
}

/** Roles the person's directory groups map to, in STAFF_ROLES order. */
export function rolesOfGroups(groups: unknown, roleMap: [string, StaffRole][]): StaffRole[] {
  const names = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : typeof groups === 'string' ? [groups] : [];
  const mapped = new Set(roleMap.filter(([group]) => names.includes(group)).map(([, role]) => role));
  return STAFF_ROLES.filter((role) => mapped.has(role));
}

/**
 * Turns a validated ID token into a console session. A staff member is found by the
 * issuer and `sub`; the first time, by the verified e-mail of the employee account the
 * staff member is linked to (the link is then fixed and audited). Roles follow the
 * person's groups at every sign-in. Unknown, deactivated and unmapped people are refused.
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger(SignInService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: ConfigService<Env, true>,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly staff: StaffService,
  ) {}

  async signIn(claims: IdTokenClaims): Promise<{ cookie: string; staff: Staff }> {
    const issuer = claims.iss;
    const roles = rolesOfGroups(
      claims[this.config.get('OIDC_GROUPS_CLAIM', { infer: true })],
      parseRoleMap(this.config.get('OIDC_ROLE_MAP', { infer: true })!),
    );
    try {
      return await this.dataSource.transaction(async (em) => {
        const staff =
          (await em.findOne(Staff, { where: { oidcIssuer: issuer, oidcSubject: claims.sub }, lock: { mode: 'pessimistic_write' } })) ??
          (await this.linkByEmail(em, claims));
        if (!staff.active) throw new SignInNotAllowed('your staff account on the recovery desk is deactivated; ask a desk admin', staff.id);
        if (roles.length === 0)
          throw new SignInNotAllowed(
            'none of your directory groups gives a role on the recovery desk; ask your identity team to add you to a help-desk group',
            staff.id,
          );
        // The directory's groups are one more path that sets roles: the staff rules hold there too.
        const broken = brokenStaffRule({ roles, accountId: staff.accountId });
        if (broken)
          throw new SignInNotAllowed(
            `your directory groups give roles the desk's staff rules refuse (${broken.rule}): ${broken.why}; ask a desk admin`,
            staff.id,
          );
        if (roles.join() !== [...staff.roles].sort((a, b) => STAFF_ROLES.indexOf(a) - STAFF_ROLES.indexOf(b)).join()) {
          await this.audit.record(em, {
            actor: { kind: 'staff', id: staff.id },
            action: 'staff.roles_synced',
            target: { type: 'staff', id: staff.id },
            payload: { before: staff.roles, after: roles, from: 'identity provider groups' },
          });
          await this.staff.syncRoles(em, staff, roles);
        }
        const authentication = this.authenticationOf(claims);
        const { cookie } = await this.sessions.start(em, staff.id, authentication);
        await this.audit.record(em, {
          actor: { kind: 'staff', id: staff.id },
          action: 'staff.signed_in',
          target: { type: 'staff', id: staff.id },
          payload: { method: 'oidc', amr: authentication.amr, acr: authentication.acr, authenticatedAt: authentication.authenticatedAt!.toISOString() },
        });
        return { cookie, staff };
      });
    } catch (error) {
      if (error instanceof SignInNotAllowed) this.logger.warn(`sign-in refused for ${issuer} sub ${claims.sub}: ${error.message}`);
      // A known member turned away is a security event: recorded after the refused transaction rolled back.
      if (error instanceof SignInNotAllowed && error.staffId) {
        await this.audit.recordAlone({
          actor: SYSTEM,
          action: 'staff.sign_in_refused',
          target: { type: 'staff', id: error.staffId },
          payload: { issuer, subject: claims.sub, reason: error.message },
        });
      }
      throw error;
    }
  }

  /** First sign-in: the one unlinked staff member whose employee account has this verified e-mail. */
  private async linkByEmail(em: EntityManager, claims: IdTokenClaims): Promise<Staff> {
    const unknown = new SignInNotAllowed('you are not a staff member of the recovery desk; ask a desk admin to add you');
    if (typeof claims.email !== 'string' || claims.email_verified !== true) throw unknown;
    const candidates = (await em
      .createQueryBuilder(Staff, 's')
      .setLock('pessimistic_write')
      .innerJoin('accounts', 'a', 'a.id = s.account_id')
      .where('lower(a.email) = lower(:email)', { email: claims.email })
      .andWhere({ oidcSubject: IsNull() })
      .getMany()) as Staff[];
    if (candidates.length !== 1) throw unknown;
    const [staff] = candidates;
    await em.update(Staff, { id: staff.id }, { oidcIssuer: claims.iss, oidcSubject: claims.sub });
    await this.audit.record(em, {
      actor: { kind: 'staff', id: staff.id },
      action: 'staff.identity_linked',
      target: { type: 'staff', id: staff.id },
      payload: { issuer: claims.iss, subject: claims.sub, matchedBy: 'verified e-mail', email: claims.email },
    });
    return staff;
  }

  /**
   * auth_time measured against the token's own iat (both on the provider's clock), placed on
   * ours: clock skew between the provider and the desk does not make a sign-in look fresher.
   */
  private authenticationOf(claims: IdTokenClaims): Authentication {
    const age = Math.max(0, claims.iat - (claims.auth_time ?? claims.iat));
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [];
    return { method: 'oidc', authenticatedAt: new Date(this.clock.now().getTime() - age * 1000), amr, acr: typeof claims.acr === 'string' ? claims.acr : null };
  }
}
