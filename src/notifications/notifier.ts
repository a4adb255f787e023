import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Policy } from '../config/policy';
import { NewMessage, OutboxService } from './outbox.service';
import { TemplateName } from './templates';

type Vars = Record<string, string | number>;

/** Who gets told: the subject on their REGISTERED channels, and the security contact. Never an address a caller gave. */
@Injectable()
export class Notifier {
  constructor(
    private readonly outbox: OutboxService,
    private readonly policy: Policy,
  ) {}

  async toSubject(
    em: EntityManager,
    account: Pick<Account, 'displayName' | 'email' | 'phone'>,
    template: TemplateName,
    vars: Vars,
    key: string,
    channels: ('email' | 'sms')[] = ['email'],
    about?: { ticketId: string; as?: 'subject' | 'manager' },
  ): Promise<void> {
    for (const channel of channels) {
      await this.outbox.write(em, {
        ...this.messageToSubject(account, template, vars, key, channel),
        ticketId: about?.ticketId,
        intendedFor: about?.as ?? 'subject',
      });
    }
  }

  /** The message toSubject writes on one channel, for a statement that writes it itself (OutboxService.messageInsert). */
  messageToSubject(
    account: Pick<Account, 'displayName' | 'email' | 'phone'>,
    template: TemplateName,
    vars: Vars,
    key: string,
    channel: 'email' | 'sms',
  ): NewMessage {
    return {
      channel,
      to: channel === 'email' ? account.email : account.phone,
      template,
      vars: { name: account.displayName, ...vars },
      idempotencyKey: `${key}:${channel}`,
      intendedFor: 'subject',
    };
  }

  /**
   * An alert to the security contact. With the ticket it is about, so that a drill ticket's alerts go to its
   * drill's sink (the drill runners are the security team; a drill must not start a real incident).
   */
  async toSecurity(em: EntityManager, template: TemplateName, vars: Vars, key: string, ticketId?: string): Promise<void> {
    await this.outbox.write(em, {
      channel: 'email',
      to: this.policy.securityContact,
      template,
      vars,
      idempotencyKey: `${key}:security`,
      ticketId,
      intendedFor: 'security',
    });
  }
}
