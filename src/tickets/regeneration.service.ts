import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { SYSTEM } from '../audit/audit-actor';
import { displayCode } from '../codes/code-format';
import { CodesService } from '../codes/codes.service';
import { Clock } from '../common/clock';
import { FaultInjection } from '../common/fault-injection';
import { DeliveryService } from '../delivery/delivery.service';
import { Notifier } from '../notifications/notifier';
import { RiskService } from './risk/risk.service';
import { asSystem } from './ticket-actor';
import { TicketTransitions } from './ticket-transitions.service';
import { Ticket } from './ticket.entity';

export type RegenerationOutcome = { outcome: 'completed' | 'skipped' | 'held' } | { outcome: 'not_yet'; notBefore: Date };

const SKIPPED = { outcome: 'skipped' } as const;

/**
 * Reissues an approved ticket's codes. Idempotent: the set is hashed outside
 * any transaction, then ONE transaction re-checks the ticket, revokes every
 * active set, inserts the new one, seals it into the subject's envelope and
 * completes the ticket. A retried or duplicated job finds the ticket completed
 * and does nothing; the one-set-per-ticket index backs that up. A subject whose
 * channels, manager or tier changed since the approval gets nothing: the ticket
 * is held (changed_since_approval) and security told.
 */
@Injectable()
export class RegenerationService {
  private readonly logger = new Logger(RegenerationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: TicketTransitions,
    private readonly codes: CodesService,
    private readonly delivery: DeliveryService,
    private readonly notifier: Notifier,
    private readonly risk: RiskService,
    private readonly faults: FaultInjection,
    private readonly clock: Clock,
  ) {}

  async regenerate(ticketId: string): Promise<RegenerationOutcome> {
    const ticket = await this.dataSource.getRepository(Ticket).findOneBy({ id: ticketId });
    if (!ticket || (ticket.state !== 'approved' && ticket.state !== 'regenerating')) return SKIPPED;
    if (ticket.state === 'approved') {
      if (ticket.regenerateAfter && ticket.regenerateAfter > this.clock.now()) return { outcome: 'not_yet', notBefore: ticket.regenerateAfter };
      const started = await this.dataSource.transaction(async (em) => {
        const { ticket: locked, facts } = await this.transitions.lockWithFacts(em, ticketId);
        if (locked.state !== 'approved') return locked.state === 'regenerating';
        if (facts.heldBySignal) return false; // waits for an admin's cancel
        await this.transitions.fire(em, locked, 'start_regeneration', asSystem(), { facts });
        return true;
      });
      if (!started) return SKIPPED;
    }

    const prepared = await this.codes.prepareSet();
    await this.faults.pauseAt('regeneration.after_hash');

    return this.dataSource.transaction(async (em): Promise<RegenerationOutcome> => {
      const locked = await this.transitions.lock(em, ticketId);
      if (locked.state !== 'regenerating') return SKIPPED; // completed by a duplicate, or cancelled
      if (locked.isDrill) {
        // A drill that got this far has already failed; it ends like a real one (same work, same timing)
        // without revoking, issuing or delivering anything, and without a word to the real subject.
        await this.transitions.fire(em, locked, 'complete', asSystem());
        return { outcome: 'completed' };
      }
      const account = await em.findOneOrFail(Account, { where: { id: locked.accountId }, lock: { mode: 'pessimistic_write' } });
      // What was approved is what is delivered: with the account row locked, nothing can change between this check and the envelope.
      const changed = await this.risk.changedSinceApproval(em, locked, account);
      if (changed) {
        await this.transitions.fire(em, locked, 'hold', asSystem(), {
          detail: { signal: changed.signal, changed: changed.detail.changed },
          why: changed.reason,
        });
        this.logger.warn({ ticketId, changed: changed.detail.changed }, 'regeneration held: the subject changed since approval');
        return { outcome: 'held' };
      }
      await this.codes.revokeActiveSet(em, account.id, SYSTEM, `reissued by recovery ticket ${locked.id}`);
      const set = await this.codes.issueSet(em, account, prepared, SYSTEM, locked.id);
      await this.delivery.createEnvelope(em, account, set.id, prepared.codes.map(displayCode));
      await this.transitions.fire(em, locked, 'complete', asSystem());
      this.logger.log({ ticketId }, 'codes regenerated');
      return { outcome: 'completed' };
    });
  }

  /** After the last retry: the ticket is `failed`, security is told, an admin can retry it. */
  async markFailed(ticketId: string, error: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const ticket = await this.transitions.lock(em, ticketId);
      if (ticket.state !== 'regenerating') return;
      await this.transitions.fire(em, ticket, 'fail', asSystem(), { detail: { error: error.slice(0, 300) } });
      await this.notifier.toSecurity(em, 'security.regeneration_failed', { ticketId }, `regeneration.failed:${ticketId}:${ticket.version}`, ticketId);
    });
  }
}
