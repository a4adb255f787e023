import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { randomToken, sha256Hex } from '../../common/crypto';
import { Unauthenticated } from '../../common/errors';
import type { Env } from '../../config/env.validation';
import { Staff } from '../staff.entity';
import type { SignInChecks } from './oidc-client.service';
import type { Authentication } from './step-up';

/** A sign-in under way is good for this long (the person is at the provider's login page). */
const SIGN_IN_TTL_MS = 10 * 60_000;
/** last_seen_at is written at most this often per session, not on every request. */
const TOUCH_EVERY_MS = 30_000;

export interface ResolvedSession {
  id: string;
  staff: Staff;
  authentication: Authentication;
  expiresAt: Date;
}

/** The token the console echoes in X-CSRF-Token: derived from the session cookie, so nothing more is stored. */
export const csrfTokenOf = (cookie: string) => sha256Hex(`csrf:${cookie}`);

/**
 * Console sessions, in PostgreSQL so every API process sees the same ones. The
 * browser holds a random 256-bit id in an HttpOnly cookie; the table holds only
 * its SHA-256. A session ends after SESSION_IDLE_MINUTES without a request, after
 * SESSION_MAX_HOURS in any case, at sign-out, or when its staff member is deactivated.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: ConfigService<Env, true>,
    private readonly clock: Clock,
  ) {}

  async start(em: EntityManager, staffId: string, auth: Authentication): Promise<{ cookie: string; expiresAt: Date }> {
    const cookie = randomToken('rdss');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.get('SESSION_MAX_HOURS', { infer: true }) * 3_600_000);
    await em.query(
      `INSERT INTO staff_sessions (session_hash, staff_id, amr, acr, authenticated_at, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
      [sha256Hex(cookie), staffId, auth.amr, auth.acr, auth.authenticatedAt, now, expiresAt],
    );
    return { cookie, expiresAt };
  }

  async resolve(cookie: string): Promise<ResolvedSession> {
    const now = this.clock.now();
    const idleMs = this.config.get('SESSION_IDLE_MINUTES', { infer: true }) * 60_000;
    const [row] = (await this.dataSource.query(
      `SELECT id, staff_id, amr, acr, authenticated_at, last_seen_at, expires_at, ended_at FROM staff_sessions WHERE session_hash = $1`,
      [sha256Hex(cookie)],
    )) as {
      id: string;
      staff_id: string;
      amr: string[];
      acr: string | null;
      authenticated_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      ended_at: Date | null;
    }[];
    // One message for unknown, ended and timed-out sessions.
    const ended = 'your session has ended (signed out, idle too long or too old); sign in again';
    if (!row || row.ended_at || row.expires_at <= now || now.getTime() - row.last_seen_at.getTime() > idleMs) throw new Unauthenticated(ended);
    const staff = await this.dataSource.getRepository(Staff).findOneBy({ id: row.staff_id });
    if (!staff?.active) throw new Unauthenticated('your staff account is deactivated');
    if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
      await this.dataSource.query(`UPDATE staff_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`, [row.id, now]);
    }
    return {
      id: row.id,
      staff,
      expiresAt: new Date(Math.min(row.expires_at.getTime(), now.getTime() + idleMs)),
      authentication: { method: 'oidc', authenticatedAt: row.authenticated_at, amr: row.amr, acr: row.acr },
    };
  }

  async end(sessionId: string): Promise<void> {
    await this.dataSource.query(`UPDATE staff_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL`, [sessionId, this.clock.now()]);
  }

  /** Remembers a sign-in leaving for the provider; the browser keeps the returned cookie. */
  async beginSignIn(checks: SignInChecks, returnTo: string): Promise<string> {
    const cookie = randomToken('rdsi');
    const now = this.clock.now();
    await this.dataSource.query(`DELETE FROM staff_sign_ins WHERE created_at < $1`, [new Date(now.getTime() - SIGN_IN_TTL_MS)]);
    await this.dataSource.query(
      `INSERT INTO staff_sign_ins (cookie_hash, state, nonce, code_verifier, return_to, step_up, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [sha256Hex(cookie), checks.state, checks.nonce, checks.codeVerifier, returnTo, checks.stepUp, now],
    );
    return cookie;
  }

  /** The sign-in this browser began, taken once: a replayed callback finds nothing. */
  async takeSignIn(cookie: string | undefined): Promise<{ checks: SignInChecks; returnTo: string } | undefined> {
    if (!cookie) return undefined;
    const [rows] = (await this.dataSource.query(
      `DELETE FROM staff_sign_ins WHERE cookie_hash = $1 AND created_at > $2 RETURNING state, nonce, code_verifier, return_to, step_up`,
      [sha256Hex(cookie), new Date(this.clock.now().getTime() - SIGN_IN_TTL_MS)],
    )) as [{ state: string; nonce: string; code_verifier: string; return_to: string; step_up: boolean }[], number];
    const row = rows[0];
    return row && { checks: { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, stepUp: row.step_up }, returnTo: row.return_to };
  }
}
