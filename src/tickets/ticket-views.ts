import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { maskEmail, maskPhone } from '../accounts/masking';
import { Approval } from './approval.entity';
import { TicketDto } from './dto/ticket.dto';
import { isSystemVerified } from './proofing/step-catalogue';
import { HELD_STATES, RISK_SIGNALS } from './risk/risk-signals';
import { TicketSignal } from './risk/ticket-signal.entity';
import { ticketOwner } from './separation-of-duties';
import { TicketStep } from './ticket-step.entity';
import { Ticket } from './ticket.entity';
import { allowedEvents } from './ticket.machine';

/** Tickets as staff see them: channels masked, step status without secrets, approvals with reasons. */
@Injectable()
export class TicketViews {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async one(ticket: Ticket, em: EntityManager = this.dataSource.manager): Promise<TicketDto> {
    const [view] = await this.many([ticket], em);
    return view;
  }

  async many(tickets: Ticket[], em: EntityManager = this.dataSource.manager): Promise<TicketDto[]> {
    if (tickets.length === 0) return [];
    const ids = tickets.map((t) => t.id);
    // One after another: `em` may be a transaction's, and a connection runs one query at a time.
    const steps = await em.find(TicketStep, { where: { ticketId: In(ids) } });
    const approvals = await em.find(Approval, { where: { ticketId: In(ids) }, order: { createdAt: 'ASC' } });
    const accounts = await em.find(Account, { where: { id: In([...new Set(tickets.map((t) => t.accountId))]) } });
    // In the catalogue's order, so every ticket lists its signals the same way.
    const signals = (await em.find(TicketSignal, { where: { ticketId: In(ids) } })).sort(
      (a, b) => RISK_SIGNALS.indexOf(a.signal) - RISK_SIGNALS.indexOf(b.signal),
    );
    const concerns = (await em.query(
      `SELECT target_id, actor_id, payload->>'reason' AS reason, occurred_at FROM audit_events WHERE action = 'ticket.concern_raised' AND target_type = 'ticket' AND target_id = ANY($1) ORDER BY seq`,
      [ids],
    )) as { target_id: string; actor_id: string; reason: string; occurred_at: Date }[];
    const accountById = new Map(accounts.map((a) => [a.id, a]));
    return tickets.map((ticket) => {
      const account = accountById.get(ticket.accountId)!;
      const ownSteps = steps.filter((s) => s.ticketId === ticket.id);
      const ownSignals = signals.filter((s) => s.ticketId === ticket.id);
      return {
        id: ticket.id,
        state: ticket.state,
        account: {
          id: account.id,
          externalId: account.externalId,
          displayName: account.displayName,
          tier: account.tier,
          email: maskEmail(account.email),
          phone: maskPhone(account.phone),
        },
        tier: ticket.tier,
        channel: ticket.channel,
        reason: ticket.reason,
        callback: ticket.callback,
        notes: ticket.notes,
        assignedTo: ticket.assignedTo,
        owner: ticketOwner(ticket),
        concerns: concerns
          .filter((c) => c.target_id === ticket.id)
          .map((c) => ({ raisedBy: c.actor_id, reason: c.reason, raisedAt: c.occurred_at.toISOString() })),
        steps: ticket.requiredSteps.map((name) => {
          const step = ownSteps.find((s) => s.step === name);
          return {
            step: name,
            kind: isSystemVerified(name) ? ('system' as const) : ('attested' as const),
            status: step?.status ?? 'pending',
            attempts: step?.attempts ?? 0,
            sentTo: step?.sentTo ?? null,
            expiresAt: step?.expiresAt?.toISOString() ?? null,
            decidedAt: step?.decidedAt?.toISOString() ?? null,
            evidence: isSystemVerified(name) ? null : (step?.evidence ?? null),
          };
        }),
        approvalsRequired: ticket.approvalsRequired,
        approvals: approvals
          .filter((a) => a.ticketId === ticket.id)
          .map((a) => ({
            approverId: a.approverId,
            decision: a.decision,
            reason: a.reason,
            independent: a.independent,
            notCounted: a.notCounted,
            createdAt: a.createdAt.toISOString(),
          })),
        signals: ownSignals.map((s) => ({
          signal: s.signal,
          reason: s.reason,
          holds: s.holds,
          raisedAt: s.raisedAt.toISOString(),
          clearedAt: s.clearedAt?.toISOString() ?? null,
          clearedBy: s.clearedBy,
          clearReason: s.clearReason,
        })),
        // Closed or regenerating, a ticket is held by nothing: a hold stops a claim, an approval or a regeneration.
        held: HELD_STATES.includes(ticket.state) && ownSignals.some((s) => s.holds && !s.clearedAt),
        allowedEvents: allowedEvents(ticket.state),
        createdAt: ticket.createdAt.toISOString(),
        stateChangedAt: ticket.stateChangedAt.toISOString(),
        dueAt: ticket.dueAt.toISOString(),
        regenerateAfter: ticket.regenerateAfter?.toISOString() ?? null,
        ...(ticket.isDrill && ticket.debriefedAt && { drill: { debriefedAt: ticket.debriefedAt.toISOString() } }),
      };
    });
  }
}
