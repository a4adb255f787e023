import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { types } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { Account } from '../accounts/account.entity';
import { maskEmail, maskPhone } from '../accounts/masking';
import type { Approval } from './approval.entity';
import { TicketDto } from './dto/ticket.dto';
import { isSystemVerified } from './proofing/step-catalogue';
import { HELD_STATES, RISK_SIGNALS } from './risk/risk-signals';
import type { TicketSignal } from './risk/ticket-signal.entity';
import { ticketOwner } from './separation-of-duties';
import type { TicketStep } from './ticket-step.entity';
import { Ticket } from './ticket.entity';
import { preparedQuery } from '../database/sql';
import { allowedEvents } from './ticket.machine';

/**
 * Timestamps travel inside the JSON as PostgreSQL's own text output (`::text`, the session's DateStyle and TimeZone)
 * and are read by the parser pg uses for a timestamptz column: the same Date, to the millisecond, as the entities had.
 */
const parseTimestamptz = types.getTypeParser(types.builtins.TIMESTAMPTZ) as (text: string) => Date;
const iso = (text: string): string => parseTimestamptz(text).toISOString();
const isoOrNull = (text: string | null | undefined): string | null => (text == null ? null : iso(text));

type Stamped<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] extends Date ? string : string | null };
type StepRow = Stamped<Pick<TicketStep, 'step' | 'status' | 'attempts' | 'sentTo' | 'expiresAt' | 'decidedAt' | 'evidence'>, 'expiresAt' | 'decidedAt'>;
type ApprovalRow = Stamped<Pick<Approval, 'approverId' | 'decision' | 'reason' | 'independent' | 'notCounted' | 'createdAt'>, 'createdAt'>;
type SignalRow = Stamped<Pick<TicketSignal, 'signal' | 'reason' | 'holds' | 'raisedAt' | 'clearedAt' | 'clearedBy' | 'clearReason'>, 'raisedAt' | 'clearedAt'>;
interface ViewRow {
  id: string;
  account: Pick<Account, 'id' | 'externalId' | 'displayName' | 'tier' | 'email' | 'phone'>;
  /** json_agg over no rows is NULL. */
  steps: StepRow[] | null;
  approvals: ApprovalRow[] | null;
  signals: SignalRow[] | null;
  concerns: { raisedBy: string; reason: string; raisedAt: string }[] | null;
}

/** Everything a view adds to its ticket rows, one row per ticket of `from`: the account, steps, approvals, signals and concerns. */
const viewSql = (from: string) => `
SELECT t.id,
  (SELECT json_build_object('id', a.id, 'externalId', a.external_id, 'displayName', a.display_name, 'tier', a.tier, 'email', a.email, 'phone', a.phone)
     FROM accounts a WHERE a.id = t.account_id) AS account,
  (SELECT json_agg(json_build_object('step', s.step, 'status', s.status, 'attempts', s.attempts, 'sentTo', s.sent_to,
            'expiresAt', s.expires_at::text, 'decidedAt', s.decided_at::text, 'evidence', s.evidence))
     FROM ticket_steps s WHERE s.ticket_id = t.id) AS steps,
  (SELECT json_agg(json_build_object('approverId', p.approver_id, 'decision', p.decision, 'reason', p.reason, 'independent', p.independent,
            'notCounted', p.not_counted, 'createdAt', p.created_at::text) ORDER BY p.created_at)
     FROM approvals p WHERE p.ticket_id = t.id) AS approvals,
  (SELECT json_agg(json_build_object('signal', g.signal, 'reason', g.reason, 'holds', g.holds, 'raisedAt', g.raised_at::text,
            'clearedAt', g.cleared_at::text, 'clearedBy', g.cleared_by, 'clearReason', g.clear_reason))
     FROM ticket_signals g WHERE g.ticket_id = t.id) AS signals,
  (SELECT json_agg(json_build_object('raisedBy', e.actor_id, 'reason', e.payload->>'reason', 'raisedAt', e.occurred_at::text) ORDER BY e.seq)
     FROM audit_events e WHERE e.target_id = t.id::text AND e.target_type = 'ticket' AND e.action = 'ticket.concern_raised') AS concerns
FROM ${from} AS t(id, account_id)`;

/** Several tickets: a page of the queue. */
const VIEW_MANY_SQL = viewSql('unnest($1::uuid[], $2::uuid[])');
/**
 * One ticket: the answer to every act on a ticket. Its own statement because PostgreSQL plans the one above afresh on
 * every call (a plan for arrays of unknown length looks dearer than one for the arrays it is given, so the plan is
 * never reused), and planning cost more than running it: 0.30 ms against 0.07 ms per call under the tickets
 * benchmark's HTTP loop (pg_stat_statements with track_planning). This one's generic plan is the custom one.
 */
const VIEW_ONE_SQL = viewSql('(VALUES ($1::uuid, $2::uuid))');

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
    // One round trip, so it runs as well on a transaction's manager (one query at a time) as on the pool's.
    const rows =
      tickets.length === 1
        ? await preparedQuery<ViewRow>(em, VIEW_ONE_SQL, [tickets[0].id, tickets[0].accountId])
        : await preparedQuery<ViewRow>(em, VIEW_MANY_SQL, [tickets.map((t) => t.id), tickets.map((t) => t.accountId)]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return tickets.map((ticket) => {
      const row = byId.get(ticket.id)!;
      const account = row.account;
      const ownSteps = row.steps ?? [];
      // In the catalogue's order, so every ticket lists its signals the same way.
      const ownSignals = (row.signals ?? []).sort((a, b) => RISK_SIGNALS.indexOf(a.signal) - RISK_SIGNALS.indexOf(b.signal));
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
        concerns: (row.concerns ?? []).map((c) => ({ raisedBy: c.raisedBy, reason: c.reason, raisedAt: iso(c.raisedAt) })),
        steps: ticket.requiredSteps.map((name) => {
          const step = ownSteps.find((s) => s.step === name);
          return {
            step: name,
            kind: isSystemVerified(name) ? ('system' as const) : ('attested' as const),
            status: step?.status ?? 'pending',
            attempts: step?.attempts ?? 0,
            sentTo: step?.sentTo ?? null,
            expiresAt: isoOrNull(step?.expiresAt),
            decidedAt: isoOrNull(step?.decidedAt),
            evidence: isSystemVerified(name) ? null : (step?.evidence ?? null),
          };
        }),
        approvalsRequired: ticket.approvalsRequired,
        approvals: (row.approvals ?? []).map((a) => ({
          approverId: a.approverId,
          decision: a.decision,
          reason: a.reason,
          independent: a.independent,
          notCounted: a.notCounted,
          createdAt: iso(a.createdAt),
        })),
        signals: ownSignals.map((s) => ({
          signal: s.signal,
          reason: s.reason,
          holds: s.holds,
          raisedAt: iso(s.raisedAt),
          clearedAt: isoOrNull(s.clearedAt),
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
