import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import type { Env } from '../config/env.validation';
import { OutboxService } from './outbox.service';
import type { TemplateName } from './templates';

/** How long an account's "this wasn't me" link works: long enough for someone back from a holiday to see it. */
export const NOT_ME_LINK_DAYS = 30;

export interface NotMeNotice {
  account: Account;
  channel: 'email' | 'sms';
  /** Usually a registered channel; may be one that was just replaced (a notice to the old address). */
  to: string;
  /** A template that renders `notMeLink` as its "this wasn't me" button. */
  template: TemplateName;
  vars?: Record<string, string | number>;
  /** Idempotency key of the cause (e.g. `codes.enrolled:<setId>`); the channel is appended. */
  key: string;
}

/**
 * Sends a notice about an account with a one-time "this wasn't me" link. Following the link puts a recovery
 * hold on the account (tickets/risk/recovery-hold.service.ts). Only the link's SHA-256 is stored; the token
 * lives in the sealed outbox body and nowhere else.
 */
@Injectable()
export class NotMeNotices {
  constructor(
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly config: ConfigService<Env, true>,
  ) {}

  async send(em: EntityManager, notice: NotMeNotice): Promise<void> {
    const token = randomToken('rdn');
    const now = this.clock.now();
    await em.query(`INSERT INTO account_reports (account_id, token_hash, channel, template, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      notice.account.id,
      sha256Hex(token),
      notice.channel,
      notice.template,
      now,
      new Date(now.getTime() + NOT_ME_LINK_DAYS * 86_400_000),
    ]);
    await this.outbox.write(em, {
      channel: notice.channel,
      to: notice.to,
      template: notice.template,
      vars: { name: notice.account.displayName, ...notice.vars, notMeLink: `${this.config.get('PUBLIC_URL', { infer: true })}/n/${token}` },
      idempotencyKey: `${notice.key}:${notice.channel}`,
      intendedFor: 'subject',
    });
  }

  /** The same notice on every registered channel of the account. */
  async sendToRegistered(em: EntityManager, account: Account, template: TemplateName, vars: Record<string, string | number>, key: string): Promise<void> {
    await this.send(em, { account, channel: 'email', to: account.email, template, vars, key });
    await this.send(em, { account, channel: 'sms', to: account.phone, template, vars, key });
  }
}
