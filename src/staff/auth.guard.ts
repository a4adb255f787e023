import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { PUBLIC_KEY, ROLES_KEY } from '../common/auth/roles.decorator';
import { STEP_UP_KEY } from '../common/auth/step-up.decorator';
import { Clock } from '../common/clock';
import { constantTimeEqual, sha256Hex } from '../common/crypto';
import { Forbidden, StepUpRequired, Unauthenticated } from '../common/errors';
import type { Env } from '../config/env.validation';
import { StaffRole } from '../common/auth/staff-roles';
import { readCookie, secureCookies, SESSION_COOKIE } from './sign-in/cookies';
import { csrfTokenOf, SessionsService } from './sign-in/sessions.service';
import { Authentication, StepUpPolicy, stepUpRefusal } from './sign-in/step-up';
import { Staff } from './staff.entity';
import { StaffToken } from './staff-token.entity';
import { StaffTokenCache } from './staff-token-cache';

export interface AuthenticatedRequest extends Request {
  staff?: Staff;
  /** The bearer token the request authenticated with (its row: scopes, allowed networks), when it used one. */
  staffToken?: StaffToken;
  authentication?: Authentication;
  /** Set for a console session (not for a staff token): its row id and the cookie it came from. */
  sessionId?: string;
  sessionCookie?: string;
}

const BEARER = /^Bearer ([\x21-\x7e]{16,512})$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const commaList = (value: string | undefined) => (value ? value.split(',').filter(Boolean) : []);

/**
 * The server's enforcement of who may call what. Global: a route is either
 * @Public() or names its @Roles(); a route with neither is refused, so a
 * forgotten decorator fails closed. A caller is a staff token (Authorization:
 * Bearer) or a console session (HttpOnly cookie, plus Origin and X-CSRF-Token on
 * every state-changing request); @RequiresStepUp() routes also need a recent,
 * strong sign-in.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly stepUpPolicy: StepUpPolicy;

  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly sessions: SessionsService,
    private readonly config: ConfigService<Env, true>,
    private readonly tokens: StaffTokenCache,
  ) {
    this.stepUpPolicy = {
      oidcEnabled: Boolean(config.get('OIDC_ISSUER', { infer: true })),
      maxAgeSeconds: config.get('STEP_UP_MAX_AGE_SECONDS', { infer: true }),
      amr: commaList(config.get('STEP_UP_AMR', { infer: true })),
      acr: commaList(config.get('STEP_UP_ACR', { infer: true })),
    };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const cookie = request.headers.authorization ? undefined : readCookie(request, SESSION_COOKIE(secureCookies(this.config)));
    if (cookie) {
      const session = await this.sessions.resolve(cookie);
      if (!SAFE_METHODS.has(request.method)) this.requireSameOrigin(request, cookie);
      Object.assign(request, { staff: session.staff, authentication: session.authentication, sessionId: session.id, sessionCookie: cookie });
    } else {
      const token = await this.authenticate(request.headers.authorization);
      Object.assign(request, { staff: token.staff, staffToken: token });
      request.authentication = { method: 'staff_token', authenticatedAt: null, amr: [], acr: null };
    }
    const staff = request.staff!;

    const required = this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!required.some((role) => staff.roles.includes(role))) {
      throw new Forbidden(
        required.length === 0
          ? 'this route is not open to any role'
          : `this route needs the role ${required.join(' or ')}; this token has ${staff.roles.join(', ')}`,
      );
    }
    if (this.reflector.getAllAndOverride<boolean>(STEP_UP_KEY, targets)) {
      const refusal = stepUpRefusal(request.authentication!, this.stepUpPolicy, this.clock.now());
      if (refusal) {
        throw new StepUpRequired(refusal, {
          maxAgeSeconds: this.stepUpPolicy.maxAgeSeconds,
          amr: this.stepUpPolicy.amr,
          acr: this.stepUpPolicy.acr,
          signInUrl: this.stepUpPolicy.oidcEnabled ? '/v1/auth/oidc/login?stepUp=1' : null,
        });
      }
    }
    return true;
  }

  /**
   * CSRF: the browser sends the cookie on its own, so a state-changing request must also come
   * from this origin (Origin header) and carry the session's token, which only our page can read.
   */
  private requireSameOrigin(request: Request, cookie: string): void {
    const origin = request.headers.origin;
    const ours = [new URL(this.config.get('PUBLIC_URL', { infer: true })!).origin, `${request.protocol}://${request.headers.host}`];
    if (!origin || !ours.includes(origin))
      throw new Forbidden('cross-site request refused: a state-changing request must come from the console itself (Origin)');
    const token = request.headers['x-csrf-token'];
    if (typeof token !== 'string' || !constantTimeEqual(token, csrfTokenOf(cookie))) {
      throw new Forbidden('cross-site request refused: missing or wrong X-CSRF-Token for this session');
    }
  }

  /**
   * The token's row and its staff member. A token this process verified before is answered from memory
   * (StaffTokenCache, emptied whenever staff or staff_tokens change); expiry is checked on every request either way.
   */
  async authenticate(header: string | undefined): Promise<StaffToken & { staff: Staff }> {
    if (!header) throw new Unauthenticated('missing bearer token: send Authorization: Bearer <staff token>, or sign in to the console');
    const match = BEARER.exec(header);
    if (!match) throw new Unauthenticated('malformed Authorization header: expected Bearer <staff token>');

    const hash = sha256Hex(match[1]);
    const now = this.clock.now();
    let token = this.tokens.get(hash, now.getTime());
    if (!token) {
      const generation = this.tokens.begin();
      const row = await this.dataSource
        .getRepository(StaffToken)
        .createQueryBuilder('t')
        .innerJoinAndSelect('t.staff', 'staff')
        .where('t.token_hash = :hash', { hash })
        .getOne();
      // One message for unknown, expired and revoked: the caller learns nothing about other people's tokens.
      if (!row?.staff || row.revokedAt) throw new Unauthenticated('token is unknown, expired or revoked');
      if (!row.staff.active) throw new Unauthenticated('token belongs to a deactivated staff member');
      token = row as StaffToken & { staff: Staff };
      this.tokens.put(hash, token, generation, now.getTime());
    }
    if (token.expiresAt && token.expiresAt <= now) throw new Unauthenticated('token is unknown, expired or revoked');
    // A copy per request: whatever a handler does to its caller's record never reaches the next request.
    const staff = Object.assign(Object.create(Staff.prototype) as Staff, token.staff, { roles: [...token.staff.roles] });
    return Object.assign(Object.create(StaffToken.prototype) as StaffToken, token, { staff });
  }
}
