import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor, actorLabel, SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { VerificationService } from '../codes/verification.service';
import { Clock } from '../common/clock';
import { AccountLocked, CodeNotAccepted, Conflict, DomainError, Forbidden, Gone, NotFound } from '../common/errors';
import { Policy } from '../config/policy';
import { Notifier } from '../notifications/notifier';
import { CriticalSystemsService } from './critical-systems.service';
import { custodianCodeFacts, custodianCodesRefusal, CustodianCodesRule } from './custodian-codes';
import { UnlockSessionDto } from './dto/unlock.dto';
import { GrantSigner } from './grant-signer';
import { CriticalSystem, Grant, Presentation, UnlockSession } from './unlock.entities';

/**
 * Two-person (k-person) integrity. A presentation is serialised on the session
 * row: checks from the session and the custodian list come first and never
 * touch the code; then the code is verified and consumed through the same
 * one-hash, single-use, lockout-counted path as sign-in, in the same
 * transaction as the presentation. k distinct custodians unlock it, once.
 */
@Injectable()
export class UnlockService {
  private readonly logger = new Logger(UnlockService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly systems: CriticalSystemsService,
    private readonly verification: VerificationService,
    private readonly signer: GrantSigner,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  open(actor: AuditActor, systemId: string): Promise<UnlockSessionDto> {
    return this.dataSource.transaction(async (em) => {
      const system = await em.findOneBy(CriticalSystem, { id: systemId });
      if (!system) throw new NotFound('critical system', systemId);
      const now = this.clock.now();
      const session = em.create(UnlockSession, {
        systemId,
        state: 'open',
        k: system.k,
        openedBy: actorLabel(actor),
        openedAt: now,
        expiresAt: new Date(now.getTime() + system.windowSeconds * 1000),
        unlockedAt: null,
      });
      await em.insert(UnlockSession, session);
      await this.audit.record(em, {
        actor,
        action: 'unlock.session_opened',
        target: { type: 'unlock_session', id: session.id },
        payload: { systemId, k: session.k, expiresAt: session.expiresAt.toISOString() },
      });
      for (const custodian of await this.custodians(em, systemId)) {
        await this.notifier.toSubject(
          em,
          custodian,
          'unlock.opened',
          { system: system.name, at: now.toISOString(), k: system.k, windowSeconds: system.windowSeconds },
          `unlock.opened:${session.id}:${custodian.id}`,
        );
      }
      return this.view(em, session);
    });
  }

  async present(actor: AuditActor, sessionId: string, accountId: string, code: string): Promise<UnlockSessionDto> {
    let refusal: DomainError | undefined;
    const result = await this.dataSource
      .transaction(async (em) => {
        const session = await em.findOne(UnlockSession, { where: { id: sessionId }, lock: { mode: 'pessimistic_write' } });
        if (!session) throw new NotFound('unlock session', sessionId);
        const now = this.clock.now();
        const refuse = async (error: DomainError, reason: string) => {
          refusal = error;
          await this.audit.record(em, { actor, action: 'unlock.refused', target: { type: 'unlock_session', id: sessionId }, payload: { accountId, reason } });
          return this.view(em, session);
        };

        if (session.state === 'open' && session.expiresAt <= now) await this.expire(em, session);
        if (session.state === 'expired') return refuse(new Gone('the unlock window has closed; open a new session'), 'window closed');
        if (session.state === 'unlocked') return refuse(new Conflict('this session is already unlocked', { state: 'unlocked' }), 'already unlocked');
        if (!(await this.systems.custodianIds(em, session.systemId)).includes(accountId)) {
          return refuse(new Forbidden('this account is not a custodian of this system'), 'not a custodian');
        }
        if (await em.existsBy(Presentation, { sessionId, accountId })) {
          return refuse(new Conflict('this custodian has already presented in this session; another custodian must'), 'same custodian twice');
        }

        const facts = await custodianCodeFacts(em, session.systemId, accountId);
        const why = facts && custodianCodesRefusal(facts, now, this.policy.unlock.custodianCodeMinAgeDays);
        if (why) {
          // Presenting codes that are not (yet) the custodian's own is how one person would sign for k: security hears of it.
          const system = await em.findOneByOrFail(CriticalSystem, { id: session.systemId });
          const vars = { system: system.name, sessionId, accountId, why };
          await this.notifier.toSecurity(em, 'security.custodian_codes_refused', vars, `unlock.codes_refused:${sessionId}:${accountId}:${now.getTime()}`);
          return refuse(new CustodianCodesRule(why), 'custodian codes rule');
        }

        const verdict = await this.verification.verify(actor, accountId, code, em);
        if (!verdict.valid) return refuse(new CodeNotAccepted('the code was not accepted'), 'code not accepted');

        await em.insert(Presentation, { sessionId, accountId, presentedAt: now });
        await this.audit.record(em, { actor, action: 'unlock.presented', target: { type: 'unlock_session', id: sessionId }, payload: { accountId } });
        const presented = await em.countBy(Presentation, { sessionId });
        if (presented < session.k) return this.view(em, session);
        return this.unlock(em, session);
      })
      .catch(async (error: unknown) => {
        if (error instanceof AccountLocked) {
          await this.audit.recordAlone({
            actor,
            action: 'unlock.refused',
            target: { type: 'unlock_session', id: sessionId },
            payload: { accountId, reason: 'account locked' },
          });
        }
        throw error;
      });
    if (refusal) throw refusal; // after the commit that recorded it (and any counted failure)
    return result;
  }

  async get(sessionId: string): Promise<UnlockSessionDto> {
    const session = await this.dataSource.getRepository(UnlockSession).findOneBy({ id: sessionId });
    if (!session) throw new NotFound('unlock session', sessionId);
    return this.view(this.dataSource.manager, session);
  }

  /** For the sweep: sessions past their window are expired (a late presentation fails anyway). */
  async expireOverdue(): Promise<number> {
    const ids = (await this.dataSource.query(`SELECT id FROM unlock_sessions WHERE state = 'open' AND expires_at <= $1 LIMIT 500`, [this.clock.now()])) as {
      id: string;
    }[];
    let expired = 0;
    for (const { id } of ids) {
      await this.dataSource.transaction(async (em) => {
        const session = await em.findOne(UnlockSession, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (session?.state === 'open' && session.expiresAt <= this.clock.now()) {
          await this.expire(em, session);
          expired += 1;
        }
      });
    }
    return expired;
  }

  private async expire(em: EntityManager, session: UnlockSession): Promise<void> {
    session.state = 'expired';
    await em.update(UnlockSession, { id: session.id }, { state: 'expired' });
    await this.audit.record(em, {
      actor: SYSTEM,
      action: 'unlock.session_expired',
      target: { type: 'unlock_session', id: session.id },
      payload: { systemId: session.systemId },
    });
  }

  private async unlock(em: EntityManager, session: UnlockSession): Promise<UnlockSessionDto> {
    const system = await em.findOneByOrFail(CriticalSystem, { id: session.systemId });
    const now = this.clock.now();
    const custodianIds = (await em.find(Presentation, { where: { sessionId: session.id } })).map((p) => p.accountId).sort();
    const grant = em.create(Grant, {
      sessionId: session.id,
      systemId: system.id,
      custodianIds,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + system.grantTtlSeconds * 1000),
      revokedAt: null,
      revokedBy: null,
    });
    await em.insert(Grant, grant);
    session.state = 'unlocked';
    session.unlockedAt = now;
    await em.update(UnlockSession, { id: session.id }, { state: 'unlocked', unlockedAt: now });
    await this.audit.record(em, {
      actor: SYSTEM,
      action: 'unlock.unlocked',
      target: { type: 'unlock_session', id: session.id },
      payload: { systemId: system.id, grantId: grant.id, custodianIds, expiresAt: grant.expiresAt.toISOString() },
    });
    const custodians = await this.custodians(em, system.id);
    const names = custodians
      .filter((c) => custodianIds.includes(c.id))
      .map((c) => c.displayName)
      .join(' and ');
    for (const custodian of custodians) {
      await this.notifier.toSubject(
        em,
        custodian,
        'unlock.unlocked',
        { system: system.name, at: now.toISOString(), custodians: names, expiresAt: grant.expiresAt.toISOString() },
        `unlock.unlocked:${session.id}:${custodian.id}`,
      );
    }
    await this.notifier.toSecurity(
      em,
      'security.unlock_granted',
      { system: system.name, grantId: grant.id, custodians: names, openedBy: session.openedBy, expiresAt: grant.expiresAt.toISOString() },
      `unlock.granted:${grant.id}`,
    );
    this.logger.log({ sessionId: session.id, grantId: grant.id }, 'critical system unlocked');
    const token = this.signer.sign({
      jti: grant.id,
      iss: 'recovery-desk',
      sub: system.id,
      sid: session.id,
      custodians: custodianIds,
      iat: Math.floor(now.getTime() / 1000),
      exp: Math.floor(grant.expiresAt.getTime() / 1000),
    });
    return { ...(await this.view(em, session)), grant: token };
  }

  private async custodians(em: EntityManager, systemId: string): Promise<Account[]> {
    return em.find(Account, { where: { id: In(await this.systems.custodianIds(em, systemId)) } });
  }

  private async view(em: EntityManager, session: UnlockSession): Promise<UnlockSessionDto> {
    const presented = await em.find(Presentation, { where: { sessionId: session.id }, order: { presentedAt: 'ASC' } });
    const grant = await em.findOneBy(Grant, { sessionId: session.id });
    return {
      id: session.id,
      systemId: session.systemId,
      state: session.state,
      k: session.k,
      expiresAt: session.expiresAt.toISOString(),
      unlockedAt: session.unlockedAt?.toISOString() ?? null,
      presented: presented.map((p) => ({ accountId: p.accountId, presentedAt: p.presentedAt.toISOString() })),
      grantId: grant?.id ?? null,
    };
  }
}
