import { parse } from 'cookie';
import type { ConfigService } from '@nestjs/config';
import type { CookieOptions, Request } from 'express';
import type { Env } from '../../config/env.validation';

// The __Host- prefix (Secure, no Domain, Path=/) pins a cookie to exactly this origin; browsers allow it only when Secure.
export const SESSION_COOKIE = (secure: boolean) => (secure ? '__Host-rd_session' : 'rd_session');
export const SIGN_IN_COOKIE = (secure: boolean) => (secure ? '__Host-rd_sign_in' : 'rd_sign_in');

/** Never readable from page script, never sent by another site's requests. */
export const sessionCookieOptions = (secure: boolean): CookieOptions => ({ httpOnly: true, secure, sameSite: 'strict', path: '/' });

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parse(header)[name] : undefined;
}

/** Secure cookies in production, and whenever the public address is https. */
export function secureCookies(config: ConfigService<Env, true>): boolean {
  return config.get('NODE_ENV', { infer: true }) === 'production' || config.get('PUBLIC_URL', { infer: true })!.startsWith('https:');
}
