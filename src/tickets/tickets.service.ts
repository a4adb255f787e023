import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { MAX_MANAGER_DEPTH } from '../accounts/accounts.service';
import { AuditEvent } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import { actorLabel } from '../audit/audit-actor';
import { Clock } from '../common/clock';
import { Conflict, Forbidden, NotFound, NotTicketOwner } from '../common/errors';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { Policy } from '../config/policy';
import { Notifier } from '../notifications/notifier';
import { Staff } from '../staff/staff.entity';
import { refuseUnfitTicketActor } from '../staff/staff-rules';
import { OpenTicketDto } from './dto/ticket.dto';
import { HELD_BY_SIGNAL_SQL, RiskService } from './risk/risk.service';
import { agentRefusal, cancellerRole, drillRunnerRefusal } from './separation-of-duties';
import { asStaff, asSystem, TicketActor } from './ticket-actor';
import { TicketLinks } from './ticket-links.service';
import { TicketTransitions } from './ticket-transitions.service';
import { Ticket, TicketChannel, TIER_RANK } from './ticket.entity';
import { allowedEvents, TERMINAL_STATES, TICKET_STATES, TicketState, TRANSITIONS } from './ticket.machine';

/** States someone is still working on: the default queue view. */
const LIVE_STATES: TicketState[] = ['open', 'proofing', 'awaiting_approval', 'approved', 'regenerating', 'failed'];
/** The same, as SQL the planner can match to the partial index tickets_live_queue_idx (a parameter it could not). */
const LIVE_STATES_SQL = `t.state IN (${LIVE_STATES.map((s) => `'${s}'`).join(', ')})`;

/** Live states a newer request for the same account withdraws (the `supersede` rows of the table). */
const SUPERSEDABLE_STATES: TicketState[] = TRANSITIONS.filter((t) => t.event === 'supersede').map((t) => t.from);

@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: TicketTransitions,
    private readonly links: TicketLinks,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly risk: RiskService,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /**
   * Opens a ticket in the queue and tells the subject on every registered channel, with a "not me" link. An agent
   * taking a call and an intake integration (phone system, chat, web form) both come through here.
   */
  async open(staff: Staff, input: OpenTicketDto): Promise<Ticket> {
    return this.dataSource.transaction(async (em) => {
      const account = await em.findOne(Account, { where: { id: input.accountId }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw new NotFound('account', input.accountId);
      if (account.status !== 'active') throw new Conflict('this account is deactivated');
      refuseUnfitTicketActor(staff);
      const refusal = agentRefusal(staff, account.id);
      if (refusal) throw new Forbidden(refusal);
      return this.openNewest(em, account, input, { kind: 'staff', id: staff.id });
    });
  }

  async liveTicketId(em: EntityManager, accountId: string): Promise<string | undefined> {
    return (await this.liveTicket(em, accountId))?.id;
  }

  /** The account's ticket someone is still working on, locked for the caller's transaction. */
  liveTicket(em: EntityManager, accountId: string): Promise<Ticket | null> {
    return em.findOne(Ticket, { where: { accountId, state: In(LIVE_STATES) }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * The newest request wins: a live ticket not yet regenerating is withdrawn (`supersede`, through the table) and
   * the new one opened, naming each other in the audit trail. A ticket whose codes are being reissued (or whose
   * reissue failed and waits for an admin) still refuses with 409 naming it. A drill ticket never refuses a real
   * request: it is superseded in any live state, and the drill ends inconclusive (src/drills/scoring.ts).
   */
  async openNewest(
    em: EntityManager,
    account: Account,
    input: Omit<OpenTicketDto, 'accountId' | 'channel'> & { channel: TicketChannel },
    opener: TicketActor['audit'],
  ): Promise<Ticket> {
    const live = await this.liveTicket(em, account.id);
    const id = randomUUID();
    if (live) {
      if (!live.isDrill && !SUPERSEDABLE_STATES.includes(live.state))
        throw new Conflict(`this account already has a recovery ticket in progress (${live.id})`, { ticketId: live.id });
      await this.transitions.fire(em, live, 'supersede', asSystem(), { detail: { supersededBy: id } });
    }
    return this.openIn(em, account, input, opener, false, id);
  }

  /** Inside a transaction holding the account row; also used when exposure opens a reissue ticket. */
  async openIn(
    em: EntityManager,
    account: Account,
    input: Omit<OpenTicketDto, 'accountId' | 'channel'> & { channel: TicketChannel },
    opener: TicketActor['audit'],
    isDrill = false,
    id: string = randomUUID(),
  ): Promise<Ticket> {
    // A tier lowered within the window does not lower the recovery: the highest tier held in it applies (tier_recently_lowered).
    const tier = await this.risk.ticketTier(em, account);
    const rules = this.policy.tiers[tier];
    const now = this.clock.now();
    const ticket = em.create(Ticket, {
      id,
      accountId: account.id,
      state: 'open',
      tier,
      tierRank: TIER_RANK[tier],
      channel: input.channel,
      reason: input.reason,
      callback: { ...input.callback },
      notes: input.notes ?? null,
      requiredSteps: rules.steps,
      approvalsRequired: rules.approvers,
      coolingOffMinutes: rules.coolingOffMinutes,
      openedBy: actorLabel(opener),
      assignedTo: null,
      createdAt: now,
      stateChangedAt: now,
      dueAt: new Date(now.getTime() + this.policy.sla.unclaimedMinutes * 60_000),
      regenerateAfter: null,
      version: 1,
      isDrill,
      debriefedAt: null,
    });
    await em.insert(Ticket, ticket);
    for (const step of rules.steps) {
      await em.query(`INSERT INTO ticket_steps (ticket_id, step, status) VALUES ($1, $2, 'pending')`, [ticket.id, step]);
    }
    await em.query(`UPDATE reissue_requests SET ticket_id = $2 WHERE account_id = $1 AND ticket_id IS NULL`, [account.id, ticket.id]);
    await this.audit.record(em, {
      actor: opener,
      action: 'ticket.opened',
      target: { type: 'ticket', id: ticket.id },
      payload: { accountId: account.id, tier: ticket.tier, channel: ticket.channel, reason: ticket.reason, requiredSteps: ticket.requiredSteps },
    });
    const cancelLink = await this.links.issueCancelLink(em, ticket);
    await this.notifier.toSubject(
      em,
      account,
      'ticket.opened',
      { channel: ticket.channel, at: now.toISOString(), cancelLink },
      `ticket.opened:${ticket.id}`,
      ['email', 'sms'],
      {
        ticketId: ticket.id,
      },
    );
    // Drill or real, the same evaluation: the signals (and the steps they add) are part of what staff see.
    await this.risk.evaluate(em, ticket);
    return ticket;
  }

  async get(id: string): Promise<Ticket> {
    const ticket = await this.dataSource.getRepository(Ticket).findOneBy({ id });
    if (!ticket) throw new NotFound('ticket', id);
    return ticket;
  }

  /** The queue: critical first, then nearest to its SLA; keyset-paged on that same order. */
  async list(state: TicketState | undefined, limit: number, cursor?: string): Promise<Page<Ticket>> {
    const query = this.dataSource
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .where(state ? 't.state = :state' : LIVE_STATES_SQL, { state })
      .orderBy('t.tier_rank')
      .addOrderBy('t.due_at')
      .addOrderBy('t.id');
    if (cursor) {
      const [rank, due, id] = decodeCursor(cursor, 3);
      query.andWhere('(t.tier_rank, t.due_at, t.id) > (:rank, :due, :id)', { rank, due, id });
    }
    const rows = await query.take(limit + 1).getMany();
    return toPage(
      rows,
      limit,
      (t) => [t.tierRank, t.dueAt.toISOString(), t.id],
      (t) => t,
    );
  }

  /** How many tickets are in each state (one GROUP BY; drill tickets count like any other). */
  async countByState(): Promise<Record<TicketState, number>> {
    const rows = (await this.dataSource.query(`SELECT state, count(*)::int AS n FROM tickets GROUP BY state`)) as { state: TicketState; n: number }[];
    const counts = Object.fromEntries(TICKET_STATES.map((state) => [state, 0])) as Record<TicketState, number>;
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }

  /**
   * Claims the next unassigned ticket; SKIP LOCKED so concurrent agents never get the same one. A ticket a risk
   * signal holds is skipped (the claim row's guard would refuse it anyway), so it waits for an admin, not an agent.
   * So is a ticket whose subject is in the agent's reporting line below them (managerChainRefusal): another agent takes it.
   */
  claimNext(staff: Staff): Promise<Ticket | undefined> {
    refuseUnfitTicketActor(staff); // before the queue is looked at: an empty answer would say something too
    return this.dataSource.transaction(async (em) => {
      // Never the agent's own ticket, nor one whose subject reports to the agent's account, however far down the line.
      // The row is locked here (SKIP LOCKED: never waits); rd_lock_ticket, as lockWithFacts() would, then reads it as it
      // is now with the guard facts, in a statement of its own after the lock.
      const next = await this.transitions.lockCandidateWithFacts(em, {
        sql: `WITH RECURSIVE reports(id, depth) AS (
           SELECT id, 1 FROM accounts WHERE $1::uuid IS NOT NULL AND manager_id = $1
           UNION SELECT a.id, r.depth + 1 FROM accounts a JOIN reports r ON a.manager_id = r.id WHERE r.depth < $3),
         candidate AS MATERIALIZED (SELECT t.id FROM tickets t WHERE state = 'open' AND account_id IS DISTINCT FROM $1 AND NOT (is_drill AND $2)
           AND account_id NOT IN (SELECT id FROM reports)
           AND NOT ${HELD_BY_SIGNAL_SQL}
         ORDER BY tier_rank, due_at, id LIMIT 1 FOR UPDATE OF t SKIP LOCKED)`,
        params: [staff.accountId, staff.roles.includes('drill_runner'), MAX_MANAGER_DEPTH],
      });
      if (!next) return undefined;
      return this.transitions.fire(em, next.ticket, 'claim', asStaff(staff, 'agent'), { facts: next.facts });
    });
  }

  /** Events an agent fires on a ticket they are working (release, deny, flag). */
  async agentEvent(staff: Staff, ticketId: string, event: 'release' | 'deny' | 'flag', reason?: string): Promise<Ticket> {
    return this.dataSource.transaction(async (em) => {
      const { ticket, facts } = await this.transitions.lockWithFacts(em, ticketId);
      if (ticket.state === 'proofing' && ticket.assignedTo !== staff.id) throw new Forbidden('only the agent working this ticket can do that');
      const drillRefusal = drillRunnerRefusal(staff, ticket);
      if (drillRefusal) throw new Forbidden(drillRefusal);
      return this.transitions.fire(em, ticket, event, asStaff(staff, 'agent'), {
        facts,
        detail: reason ? { reason } : undefined,
        why: event === 'flag' ? `flagged as suspicious by the agent: ${reason}` : undefined,
      });
    });
  }

  /** Cancelling belongs to the ticket's owner or an admin (cancellerRole); the subject cancels through their link. */
  cancel(staff: Staff, ticketId: string, reason: string): Promise<Ticket> {
    return this.dataSource.transaction(async (em) => {
      const { ticket, facts } = await this.transitions.lockWithFacts(em, ticketId);
      const role = cancellerRole(staff, ticket);
      if (!role && allowedEvents(ticket.state).includes('cancel')) {
        throw new NotTicketOwner(
          'only the agent working this ticket (before anyone claims it, the one who opened it), an admin or the subject can cancel it: raise a concern instead',
          { concerns: `/v1/tickets/${ticket.id}/concerns` },
        );
      }
      return this.transitions.fire(em, ticket, 'cancel', asStaff(staff, role ?? 'agent'), { facts, detail: { reason } });
    });
  }

  /**
   * Another agent's word on a ticket they may not cancel: recorded on the ticket (its timeline and `concerns`) and
   * sent to the security contact, who can reach the owner. Not a state change, so not a row of the table.
   */
  raiseConcern(staff: Staff, ticketId: string, reason: string): Promise<Ticket> {
    return this.dataSource.transaction(async (em) => {
      const ticket = await this.transitions.lock(em, ticketId);
      if (TERMINAL_STATES.includes(ticket.state))
        throw new Conflict(`a ${ticket.state} ticket is closed: there is nothing left to raise a concern about`, { state: ticket.state });
      const refusal = drillRunnerRefusal(staff, ticket);
      if (refusal) throw new Forbidden(refusal);
      const owner = ticket.assignedTo ? `staff:${ticket.assignedTo}` : ticket.openedBy;
      await this.audit.record(em, {
        actor: { kind: 'staff', id: staff.id },
        action: 'ticket.concern_raised',
        target: { type: 'ticket', id: ticket.id },
        payload: { reason, state: ticket.state, owner },
      });
      const vars = { raisedBy: staff.id, ticketId: ticket.id, accountId: ticket.accountId, state: ticket.state, owner, reason };
      await this.notifier.toSecurity(em, 'security.ticket_concern', vars, `concern:${ticket.id}:${staff.id}:${this.clock.now().getTime()}`, ticket.id);
      return ticket;
    });
  }

  retry(staff: Staff, ticketId: string): Promise<Ticket> {
    return this.transitions.fireAlone(ticketId, 'retry', asStaff(staff, 'admin'));
  }

  /** The ticket's history, from the audit trail. */
  async timeline(ticketId: string): Promise<AuditEvent[]> {
    await this.get(ticketId);
    return this.dataSource.getRepository(AuditEvent).find({ where: { targetType: 'ticket', targetId: ticketId }, order: { seq: 'ASC' } });
  }
}
