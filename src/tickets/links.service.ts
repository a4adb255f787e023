import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Gone } from '../common/errors';
import { ProofingService } from './proofing/proofing.service';
import { asSubject } from './ticket-actor';
import { LINK_NOT_VALID, TicketLinks } from './ticket-links.service';
import { TicketTransitions } from './ticket-transitions.service';
import { Ticket } from './ticket.entity';

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
        throw new Gone(`this request can no longer be stopped: it is ${ticket.state}`);
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

  attest(token: string, decision: 'confirm' | 'reject'): Promise<Ticket> {
    return this.proofing.attest(token, decision);
  }
}
