import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiFoundResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentStaff } from '../current-staff.decorator';
import { Public, Roles } from '../../common/auth/roles.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { NotFound } from '../../common/errors';
import type { Env } from '../../config/env.validation';
import type { AuthenticatedRequest } from '../auth.guard';
import { StaffDto } from '../dto/staff.dto';
import { STAFF_ROLES } from '../../common/auth/staff-roles';
import { Staff } from '../staff.entity';
import { readCookie, secureCookies, SESSION_COOKIE, SIGN_IN_COOKIE, sessionCookieOptions } from './cookies';
import { OidcClient, SignInRefused } from './oidc-client.service';
import { csrfTokenOf, SessionsService } from './sessions.service';
import { SignInNotAllowed, SignInService } from './sign-in.service';

class OidcOptionDto {
  @ApiProperty({ example: 'Okta' }) providerName: string;
  @ApiProperty({ example: '/v1/auth/oidc/login' }) signInUrl: string;
}

class SignInOptionsDto {
  @ApiProperty({ type: OidcOptionDto, nullable: true, description: 'Sign-in through the company identity provider, when configured' })
  oidc: OidcOptionDto | null;
}

class SessionDto {
  @ApiProperty({ type: StaffDto }) me: StaffDto;
  @ApiProperty({ enum: ['oidc', 'staff_token'] }) method: 'oidc' | 'staff_token';
  @ApiProperty({ nullable: true, type: String, description: 'Send back as X-CSRF-Token on every state-changing request (sessions only)' })
  csrfToken: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the person last authenticated at the provider' })
  authenticatedAt: string | null;
  @ApiProperty({ type: [String] }) amr: string[];
  @ApiProperty({ nullable: true, type: String }) acr: string | null;
}

class SignOutDto {
  @ApiProperty({ nullable: true, type: String, description: "The provider's logout page (RP-initiated logout), when it has one" })
  logoutUrl: string | null;
}

class SignInQueryDto {
  @ApiPropertyOptional({ description: 'Console path to return to after signing in', example: '/tickets/…' })
  returnTo?: string;
  @ApiPropertyOptional({ description: '1: a fresh, strong sign-in for a step-up act (prompt=login, max_age, acr_values)' })
  stepUp?: string;
}

/** Only a path of this console: never another site, never the API. */
function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]{0,500}$/.test(value) && !value.startsWith('/v1/') ? value : '/';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function refusalPage(reason: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused · Recovery desk</title></head><body><main><h1>Sign-in refused</h1><p role="alert">${escapeHtml(reason)}</p><p><a href="/">Back to sign-in</a></p></main></body></html>`;
}

/**
 * Staff sign-in through the company's OpenID provider (authorization code + PKCE, state,
 * nonce) and the console session it opens; staff tokens keep working beside it.
 */
@ApiTags('sign-in')
@Controller('v1/auth')
export class SignInController {
  constructor(
    private readonly oidc: OidcClient,
    private readonly signIns: SignInService,
    private readonly sessions: SessionsService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  @Get('options')
  @Public()
  @ApiOperation({ summary: 'How staff can sign in', operationId: 'getSignInOptions' })
  @ApiOkResponse({ type: SignInOptionsDto })
  options(): SignInOptionsDto {
    return { oidc: this.oidc.enabled ? { providerName: this.oidc.providerName, signInUrl: '/v1/auth/oidc/login' } : null };
  }

  @Get('oidc/login')
  @Public()
  @ApiOperation({ summary: 'Start signing in at the identity provider', operationId: 'startOidcSignIn' })
  @ApiQuery({ type: SignInQueryDto })
  @ApiFoundResponse({ description: 'Redirect to the provider; a short-lived HttpOnly cookie ties its answer to this browser' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'The provider could not be reached' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No identity provider is configured (OIDC_ISSUER unset)' })
  async login(@Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) throw new NotFound('sign-in provider', 'oidc (OIDC_ISSUER is not set)');
    const { url, checks } = await this.oidc.authorizationUrl(query.stepUp === '1');
    const cookie = await this.sessions.beginSignIn(checks, safeReturnTo(query.returnTo));
    // Lax, not Strict: the provider's redirect back is a cross-site top-level navigation.
    res.cookie(SIGN_IN_COOKIE(this.secure), cookie, { ...sessionCookieOptions(this.secure), sameSite: 'lax', maxAge: 10 * 60_000 });
    res.redirect(302, url);
  }

  @Get('oidc/callback')
  @Public()
  @ApiOperation({ summary: "The identity provider's answer: opens a console session", operationId: 'finishOidcSignIn' })
  @ApiFoundResponse({ description: 'Signed in: the session cookie is set and the browser returns to the console' })
  @ApiUnauthorizedResponse({ description: 'Refused: an HTML page says why (unknown, deactivated, no role, invalid answer)' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No identity provider is configured (OIDC_ISSUER unset)' })
  async callback(@Req() req: Request, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) throw new NotFound('sign-in provider', 'oidc (OIDC_ISSUER is not set)');
    res.clearCookie(SIGN_IN_COOKIE(this.secure), sessionCookieOptions(this.secure));
    try {
      const pending = await this.sessions.takeSignIn(readCookie(req, SIGN_IN_COOKIE(this.secure)));
      if (!pending) throw new SignInRefused('this sign-in was already used, has expired or was started in another browser; start again');
      const claims = await this.oidc.callback(query, pending.checks);
      const { cookie } = await this.signIns.signIn(claims);
      res.cookie(SESSION_COOKIE(this.secure), cookie, sessionCookieOptions(this.secure));
      res.redirect(302, pending.returnTo);
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      res
        .status(error instanceof SignInNotAllowed ? 403 : 401)
        .type('html')
        .send(refusalPage(error.message));
    }
  }

  @Get('session')
  @Roles(...STAFF_ROLES)
  @ApiOperation({ summary: 'The caller, how they signed in, and the CSRF token of their session', operationId: 'getSession' })
  @ApiOkResponse({ type: SessionDto })
  session(@CurrentStaff() staff: Staff, @Req() req: AuthenticatedRequest): SessionDto {
    const auth = req.authentication!;
    return {
      me: StaffDto.from(staff),
      method: auth.method,
      csrfToken: req.sessionCookie ? csrfTokenOf(req.sessionCookie) : null,
      authenticatedAt: auth.authenticatedAt?.toISOString() ?? null,
      amr: auth.amr,
      acr: auth.acr,
    };
  }

  @Post('sign-out')
  @HttpCode(200)
  @Roles(...STAFF_ROLES)
  @ApiOperation({ summary: 'End this console session (and say where to end it at the provider)', operationId: 'signOut' })
  @ApiOkResponse({ type: SignOutDto })
  async signOut(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<SignOutDto> {
    if (!req.sessionId) return { logoutUrl: null }; // a staff token is revoked by an admin, not signed out
    await this.sessions.end(req.sessionId);
    res.clearCookie(SESSION_COOKIE(this.secure), sessionCookieOptions(this.secure));
    return { logoutUrl: await this.oidc.logoutUrl() };
  }

  private get secure(): boolean {
    return secureCookies(this.config);
  }
}
