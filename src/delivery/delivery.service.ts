import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor, SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { Gone } from '../common/errors';
import type { Env } from '../config/env.validation';
import { Policy } from '../config/policy';
import { Notifier } from '../notifications/notifier';
import { SealingKeys } from '../notifications/sealing-keys';
import { updateReturning } from '../database/sql';

/** One answer for unknown, used and expired links: the caller learns nothing about which. */
export const LINK_NOT_VALID = 'this delivery link is not valid: it was used already, has expired, or never existed';

/**
 * One-time envelopes: new codes sealed (AES-256-GCM) for the subject, reached
 * only through a random token sent to the subject's registered e-mail. Staff
 * never see the codes; redeeming erases them.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: SealingKeys,
    private readonly notifier: Notifier,
    private readonly audit: AuditService,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly config: ConfigService<Env, true>,
  ) {}

  /** Seals the codes and sends the link, inside the caller's transaction (the one that issues the set). */
  async createEnvelope(em: EntityManager, account: Account, setId: string, codes: string[]): Promise<string> {
    const [drill] = (await em.query(`SELECT 1 FROM code_sets s JOIN tickets t ON t.id = s.issuing_ticket_id WHERE s.id = $1 AND t.is_drill`, [
      setId,
    ])) as unknown[];
    if (drill) throw new Error('a drill ticket never creates a delivery');
    const token = randomToken('rdd');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.policy.delivery.ttlHours * 3_600_000);
    const [{ id }] = (await em.query(
      `INSERT INTO delivery_envelopes (account_id, set_id, token_hash, ciphertext, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [account.id, setId, sha256Hex(token), this.keys.envelopes.seal(JSON.stringify(codes), setId), now, expiresAt],
    )) as { id: string }[];
    const link = `${this.config.get('PUBLIC_URL', { infer: true })}/r/${token}`;
    await this.notifier.toSubject(em, account, 'delivery.link', { link, expiresAt: expiresAt.toISOString() }, `delivery.link:${id}`);
    await this.audit.record(em, {
      actor: SYSTEM,
      action: 'delivery.created',
      target: { type: 'account', id: account.id },
      payload: { envelopeId: id, setId, expiresAt: expiresAt.toISOString() },
    });
    return id;
  }

  /**
   * Returns the codes exactly once. The row lock in the CTE serialises
   * concurrent redeems; the second sees redeemed_at set and gets nothing.
   */
  async redeem(token: string): Promise<string[]> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const [row] = await updateReturning<{ id: string; account_id: string; set_id: string; ciphertext: Buffer }>(
        em,
        `WITH target AS (
           SELECT id, account_id, set_id, ciphertext FROM delivery_envelopes
           WHERE token_hash = $1 AND redeemed_at IS NULL AND erased_at IS NULL AND expires_at > $2
           FOR UPDATE)
         UPDATE delivery_envelopes d SET redeemed_at = $2, erased_at = $2, ciphertext = NULL
         FROM target WHERE d.id = target.id
         RETURNING target.id, target.account_id, target.set_id, target.ciphertext`,
        [sha256Hex(token), now],
      );
      if (!row) throw new Gone(LINK_NOT_VALID);
      await this.audit.record(em, {
        actor: { kind: 'subject', id: row.account_id },
        action: 'delivery.redeemed',
        target: { type: 'account', id: row.account_id },
        payload: { envelopeId: row.id, setId: row.set_id },
      });
      return JSON.parse(this.keys.envelopes.open(row.ciphertext, row.set_id)) as string[];
    });
  }

  /** A deactivated account's envelopes not yet redeemed are erased at once: a leaver's link must not open. */
  async voidPending(em: EntityManager, accountId: string, actor: AuditActor, reason: string): Promise<number> {
    const voided = await updateReturning<{ id: string }>(
      em,
      `UPDATE delivery_envelopes SET ciphertext = NULL, erased_at = $2
       WHERE account_id = $1 AND redeemed_at IS NULL AND erased_at IS NULL RETURNING id`,
      [accountId, this.clock.now()],
    );
    for (const envelope of voided) {
      await this.audit.record(em, {
        actor,
        action: 'delivery.voided',
        target: { type: 'account', id: accountId },
        payload: { envelopeId: envelope.id, reason },
      });
    }
    return voided.length;
  }

  /** For the sweep: erases every envelope past its expiry (the codes inside are then unrecoverable). */
  async eraseExpired(): Promise<number> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const erased = await updateReturning<{ id: string; account_id: string }>(
        em,
        `UPDATE delivery_envelopes SET ciphertext = NULL, erased_at = $1
         WHERE erased_at IS NULL AND expires_at <= $1 RETURNING id, account_id`,
        [now],
      );
      for (const envelope of erased) {
        await this.audit.record(em, {
          actor: SYSTEM,
          action: 'delivery.expired',
          target: { type: 'account', id: envelope.account_id },
          payload: { envelopeId: envelope.id },
        });
      }
      if (erased.length) this.logger.log({ count: erased.length }, 'expired delivery envelopes erased');
      return erased.length;
    });
  }
}
