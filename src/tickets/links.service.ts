import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Gone } from '../common/errors';
import { ProofingService } from './proofing/proofing.service';
import { asSubject } from './ticket-actor';
import { LINK_NOT_VALID, TicketLinks } from './ticket-links.service';
import { TicketTransitions } from './ticket-transitions.service';
import { CallbackDetails, Ticket, TicketChannel, TicketReason } from './ticket.entity';

/** What a manager is asked to confirm: who the caller claimed to be, when, how, and how they said to reach them. */
export interface AttestationRequest {
  subjectName: string;
  requestedAt: Date;
  channel: TicketChannel;
  reason: TicketReason;
  callback: CallbackDetails;
  expiresAt: Date;
}

/** What people without staff tokens do through their one-time links. */
@Injectable()
export class LinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly links: TicketLinks,
    private readonly transitions: TicketTransitions,
    private readonly proofing: ProofingService,
  ) {}

  /** "This was not me": the subject stops the recovery (also during cooling-off) and security is alerted. */
  cancelBySubject(token: string): Promise<Ticket> {
    return this.dataSource.transaction(async (em) => {
      const ticketId = await this.links.consume(em, token, 'cancel');
      if (!ticketId) throw new Gone(LINK_NOT_VALID);
      const ticket = await this.transitions.lock(em, ticketId);
      if (!['open', 'proofing', 'awaiting_approval', 'approved'].includes(ticket.state)) {
        throw new Gone(LINK_NOT_VALID); // like an unknown link: an old link tells its holder nothing of the outcome
      }
      const wasApproved = ticket.state === 'approved';
      await this.transitions.fire(em, ticket, 'cancel', asSubject(ticket.accountId), {
        detail: { by: 'subject link' },
        why: 'the subject says they did not ask for this recovery',
      });
      if (!wasApproved) {
        // Only the approved→cancelled row alerts on its own; a "not me" is always worth an alert.
        await this.transitions.alert(em, ticket, 'the subject says they did not ask for this recovery');
      }
      return ticket;
    });
  }

  /** The request behind a manager's link, for the page that asks them; reading it does not use the link. */
  async attestationRequest(token: string): Promise<AttestationRequest> {
    const em = this.dataSource.manager;
    const link = await this.links.peek(em, token, 'attest');
    const ticket = link && (await em.findOneBy(Ticket, { id: link.ticketId }));
    if (!link || !ticket) throw new Gone(LINK_NOT_VALID);
    if (ticket.state !== 'proofing') throw new Gone(LINK_NOT_VALID);
    const account = await em.findOneByOrFail(Account, { id: ticket.accountId });
    return {
      subjectName: account.displayName,
      requestedAt: ticket.createdAt,
      channel: ticket.channel,
      reason: ticket.reason,
      callback: ticket.callback,
      expiresAt: link.expiresAt,
    };
  }

  attest(token: string, decision: 'confirm' | 'reject'): Promise<Ticket> {
    return this.proofing.attest(token, decision);
  }
}
