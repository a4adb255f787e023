import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { AuditActor, actorLabel } from '../audit/audit-actor';
import { CodesService } from '../codes/codes.service';
import { DeliveryService } from '../delivery/delivery.service';
import { Notifier } from '../notifications/notifier';
import { TicketTransitions } from './ticket-transitions.service';
import { Ticket } from './ticket.entity';

/**
 * What a deactivation does, whoever deactivates (an admin, a directory over SCIM): the active codes are revoked,
 * live tickets are cancelled through the transition table, undelivered envelopes are voided and security is
 * told, in the transaction that deactivates. Re-activation brings none of it back: the revoked set stays revoked.
 */
@Injectable()
export class LeaversService implements OnModuleInit {
  constructor(
    private readonly accounts: AccountsService,
    private readonly codes: CodesService,
    private readonly delivery: DeliveryService,
    private readonly transitions: TicketTransitions,
    private readonly notifier: Notifier,
  ) {}

  onModuleInit(): void {
    this.accounts.onDeactivation((em, actor, account, reason) => this.offboard(em, actor, account, reason));
  }

  async offboard(em: EntityManager, actor: AuditActor, account: Account, reason: string): Promise<void> {
    const revoked = await this.codes.revokeActiveSet(em, account.id, actor, reason);
    // A ticket already regenerating cannot be cancelled; its regeneration refuses a deactivated account and fails.
    const live = await em
      .createQueryBuilder(Ticket, 't')
      .setLock('pessimistic_write')
      .where('t.account_id = :id AND t.state IN (:...states)', { id: account.id, states: ['open', 'proofing', 'awaiting_approval', 'approved'] })
      .orderBy('t.created_at')
      .getMany();
    for (const ticket of live) {
      await this.transitions.fire(em, ticket, 'cancel', { role: 'system', audit: actor }, { detail: { reason }, why: reason });
    }
    const voided = await this.delivery.voidPending(em, account.id, actor, reason);
    await this.notifier.toSecurity(
      em,
      'security.account_deactivated',
      {
        accountId: account.id,
        externalId: account.externalId,
        by: actorLabel(actor),
        codesRevoked: revoked ? 1 : 0,
        ticketsCancelled: live.length,
        deliveriesVoided: voided,
      },
      `account.deactivated:${account.id}:${account.updatedAt.getTime()}`,
    );
  }
}
