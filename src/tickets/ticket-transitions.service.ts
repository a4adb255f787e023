import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { Account } from '../accounts/account.entity';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { Forbidden, InvalidTransition, NotFound, TicketHeld } from '../common/errors';
import { Policy } from '../config/policy';
import { afterCommit } from '../database/after-commit';
import { Notifier } from '../notifications/notifier';
import { refuseUnfitTicketActor } from '../staff/staff-rules';
import { RegenerationQueue } from './regeneration.queue';
import { heldMessage } from './risk/risk-signals';
import type { TicketActor } from './ticket-actor';
import { Ticket } from './ticket.entity';
import { allowedEvents, decide, Effect, GuardFacts, TicketEvent, TicketState } from './ticket.machine';
import { preparedQuery, SqlPart } from '../database/sql';
import { openTransaction } from '../database/transaction';
import { TicketLinks } from './ticket-links.service';

export interface FireOptions {
  /** Extra, non-secret detail for the audit event (a reason, the step that failed …). */
  detail?: Record<string, unknown>;
  /** Why security is alerted, for effects that alert. */
  why?: string;
  /**
   * The guard facts lockWithFacts() read with the lock, when nothing was written on the ticket's behalf since: fire()
   * then does not read them again. A caller that wrote a step, an approval or a signal after the lock leaves it out.
   */
  facts?: GuardFacts;
}

interface CountRow {
  approvals: number;
  open_steps: number;
  holds: number;
}

/** rd_lock_ticket's counts, as a CountRow. */
const COUNTS = 'l.approvals, l.open_steps, l.holds';

/** A ticket locked by lockWithFacts(), with the guard facts read after the lock. */
export interface Locked {
  ticket: Ticket;
  facts: GuardFacts;
}

const MINUTE = 60_000;

/**
 * Applies the transition table. Every state change of every ticket goes
 * through fire(): row locked, (state, event, actor) looked up, guard checked,
 * state written with its audit event and effects, in the caller's transaction.
 */
@Injectable()
export class TicketTransitions {
  private columns?: ColumnMetadata[];
  private readonly columnLists = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly links: TicketLinks,
    private readonly regeneration: RegenerationQueue,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /** Locks the ticket row for the rest of the caller's transaction. */
  async lock(em: EntityManager, ticketId: string): Promise<Ticket> {
    inTransaction(em);
    // Raw SQL: the query builder's findOne cost more CPU than the round trip on every transition.
    const [row] = await preparedQuery<Record<string, unknown>>(em, `SELECT ${this.ticketColumns()} FROM tickets t WHERE t.id = $1 FOR UPDATE`, [ticketId]);
    if (!row) throw new NotFound('ticket', ticketId);
    return this.hydrate(row);
  }

  /**
   * Locks the ticket row as lock() does and reads, after the lock, the guard facts fire() needs: one round trip
   * (rd_lock_ticket, migration 1764003400000) instead of two. For a caller that fires straight after the lock.
   */
  async lockWithFacts(em: EntityManager, ticketId: string): Promise<Locked> {
    const locked = await this.lockedWithFacts(em, `SELECT ${this.ticketColumns('(l.ticket)')}, ${COUNTS} FROM rd_lock_ticket($1) l`, [ticketId]);
    if (!locked) throw new NotFound('ticket', ticketId);
    return locked;
  }

  /**
   * The same for a ticket a query picks: `candidate.sql` is a WITH clause whose last query, `candidate`, selects the id
   * of at most one ticket it has locked (SKIP LOCKED, say). Undefined when it picks none.
   */
  lockCandidateWithFacts(em: EntityManager, candidate: SqlPart): Promise<Locked | undefined> {
    const sql = `${candidate.sql} SELECT ${this.ticketColumns('(l.ticket)')}, ${COUNTS} FROM candidate, rd_lock_ticket(candidate.id) l`;
    return this.lockedWithFacts(em, sql, candidate.params);
  }

  private async lockedWithFacts(em: EntityManager, sql: string, params: unknown[]): Promise<Locked | undefined> {
    inTransaction(em);
    const [row] = await preparedQuery<Record<string, unknown> & CountRow>(em, sql, params);
    if (!row) return undefined;
    const ticket = this.hydrate(row);
    return { ticket, facts: this.factsOf(ticket, row) };
  }

  /** Every selectable column of a ticket, as `t.column` (or another row's), for a statement whose rows go through hydrate(). */
  ticketColumns(row = 't'): string {
    let list = this.columnLists.get(row);
    if (!list) {
      list = this.selectColumns()
        .map((column) => (row === 't' ? `t.${column.databaseName}` : `${row}.${column.databaseName} AS ${column.databaseName}`))
        .join(', ');
      this.columnLists.set(row, list);
    }
    return list;
  }

  /** A ticket from a row of ticketColumns(), each value converted as TypeORM converts it when it loads an entity. */
  hydrate(row: Record<string, unknown>): Ticket {
    const ticket = new Ticket();
    const driver = this.dataSource.driver;
    for (const column of this.selectColumns()) column.setEntityValue(ticket, driver.prepareHydratedValue(row[column.databaseName], column));
    return ticket;
  }

  /** The ticket's selectable columns, looked up once (every transition hydrates a row). */
  private selectColumns(): ColumnMetadata[] {
    return (this.columns ??= this.dataSource.getMetadata(Ticket).columns.filter((column) => column.isSelect));
  }

  /** Opens its own transaction: lock, fire, commit. */
  fireAlone(ticketId: string, event: TicketEvent, actor: TicketActor, options: FireOptions = {}): Promise<Ticket> {
    return this.dataSource.transaction(async (em) => {
      const { ticket, facts } = await this.lockWithFacts(em, ticketId);
      return this.fire(em, ticket, event, actor, { ...options, facts });
    });
  }

  async fire(em: EntityManager, ticket: Ticket, event: TicketEvent, actor: TicketActor, options: FireOptions = {}): Promise<Ticket> {
    if (actor.staff) refuseUnfitTicketActor(actor.staff);
    const decision = decide(ticket.state, event, actor.role, options.facts ?? (await this.facts(em, ticket)));
    if (!decision.ok) {
      if (decision.reason === 'actor_not_allowed') throw new Forbidden(`a ${actor.role} cannot ${event} a ${ticket.state} ticket`);
      if (decision.reason === 'guard_failed' && decision.failedGuards.includes('not:heldBySignal')) throw await this.heldRefusal(em, ticket, event);
      throw new InvalidTransition(ticket.state, event, decision.allowedEvents);
    }
    const { transition } = decision;
    const now = this.clock.now();
    const from = ticket.state;
    ticket.state = transition.to;
    ticket.stateChangedAt = now;
    ticket.version += 1;
    ticket.dueAt = this.dueAt(transition.to, now, ticket.dueAt);
    for (const effect of transition.effects ?? []) this.applyToRow(effect, ticket, actor, now);
    // The row and its audit event in one statement: one round trip fewer on every transition.
    await this.audit.recordWith(
      em,
      {
        actor: actor.audit,
        action: `ticket.${event}`,
        target: { type: 'ticket', id: ticket.id },
        payload: { from, to: ticket.state, accountId: ticket.accountId, ...options.detail },
      },
      {
        sql: `UPDATE tickets SET state = $2, state_changed_at = $3, version = $4, due_at = $5, assigned_to = $6, regenerate_after = $7 WHERE id = $1`,
        params: [ticket.id, ticket.state, now, ticket.version, ticket.dueAt, ticket.assignedTo, ticket.regenerateAfter],
      },
    );
    for (const effect of transition.effects ?? []) await this.performEffect(em, effect, ticket, options);
    return ticket;
  }

  /** A possible-social-engineering alert to the security contact (one per ticket version). */
  async alert(em: EntityManager, ticket: Ticket, why: string): Promise<void> {
    await this.notifier.toSecurity(
      em,
      'security.possible_social_engineering',
      { ticketId: ticket.id, accountId: ticket.accountId, why },
      `alert:${ticket.id}:${ticket.version}`,
      ticket.id,
    );
  }

  async facts(em: EntityManager, ticket: Ticket): Promise<GuardFacts> {
    const [counts] = await preparedQuery<CountRow>(em, `SELECT c.approvals, c.open_steps, c.holds FROM rd_ticket_counts($1) c`, [ticket.id]);
    return this.factsOf(ticket, counts);
  }

  private factsOf(ticket: Ticket, counts: CountRow): GuardFacts {
    return {
      needsApproval: ticket.approvalsRequired > 0,
      approvalsReached: counts.approvals >= ticket.approvalsRequired,
      allStepsPassed: counts.open_steps === 0,
      coolingOffElapsed: !ticket.regenerateAfter || ticket.regenerateAfter <= this.clock.now(),
      heldBySignal: counts.holds > 0,
    };
  }

  /** The 409 for an event refused because a risk signal holds the ticket: it names the signals. */
  async heldRefusal(em: EntityManager, ticket: Ticket, event: TicketEvent): Promise<TicketHeld> {
    const rows = (await em.query(`SELECT signal FROM ticket_signals WHERE ticket_id = $1 AND holds AND cleared_at IS NULL ORDER BY signal`, [ticket.id])) as {
      signal: string;
    }[];
    return new TicketHeld(ticket.state, event, allowedEvents(ticket.state), heldMessage(rows.map((r) => r.signal)));
  }

  /**
   * The subject, reached on the channels the approval relied on once there is one: a channel changed during
   * cooling-off (perhaps by whoever wants the codes) never hears of the ticket; the approved one does.
   */
  private async subjectAsApproved(em: EntityManager, ticket: Ticket): Promise<Account> {
    const account = await em.findOneByOrFail(Account, { id: ticket.accountId });
    const facts = ticket.approvedFacts;
    return facts ? { ...account, email: facts.email, phone: facts.phone } : account;
  }

  /** When the state now entered breaches its SLA; states nobody waits on keep the old value. */
  private dueAt(state: TicketState, now: Date, current: Date): Date {
    const minutes = { open: this.policy.sla.unclaimedMinutes, proofing: this.policy.sla.proofingMinutes, awaiting_approval: this.policy.sla.approvalMinutes }[
      state as 'open' | 'proofing' | 'awaiting_approval'
    ];
    return minutes ? new Date(now.getTime() + minutes * MINUTE) : current;
  }

  private applyToRow(effect: Effect, ticket: Ticket, actor: TicketActor, now: Date): void {
    if (effect === 'assign_actor') ticket.assignedTo = actor.staff?.id ?? null;
    if (effect === 'unassign') ticket.assignedTo = null;
    if (effect === 'schedule_regeneration') ticket.regenerateAfter = new Date(now.getTime() + ticket.coolingOffMinutes * MINUTE);
  }

  private async performEffect(em: EntityManager, effect: Effect, ticket: Ticket, options: FireOptions): Promise<void> {
    switch (effect) {
      case 'schedule_regeneration': {
        const delay = ticket.regenerateAfter!.getTime() - this.clock.now().getTime();
        afterCommit(em, () => this.regeneration.enqueue(ticket.id, delay));
        return;
      }
      case 'alert_security':
        await this.alert(em, ticket, options.why ?? `ticket ${ticket.state}`);
        return;
      case 'fix_approved_facts': {
        const account = await em.findOneByOrFail(Account, { id: ticket.accountId });
        ticket.approvedFacts = {
          tier: account.tier,
          email: account.email,
          phone: account.phone,
          managerId: account.managerId,
          approvedAt: this.clock.now().toISOString(),
        };
        await em.update(Ticket, { id: ticket.id }, { approvedFacts: ticket.approvedFacts });
        return;
      }
      case 'notify_subject_approved': {
        const account = await this.subjectAsApproved(em, ticket);
        const cancelLink = await this.links.issueCancelLink(em, ticket);
        await this.notifier.toSubject(
          em,
          account,
          'ticket.approved',
          { after: ticket.regenerateAfter!.toISOString(), cancelLink },
          `ticket.approved:${ticket.id}:${ticket.version}`,
          ticket.coolingOffMinutes > 0 ? ['email', 'sms'] : ['email'],
          { ticketId: ticket.id },
        );
        return;
      }
      case 'notify_subject_outcome': {
        const account = await this.subjectAsApproved(em, ticket);
        await this.notifier.toSubject(em, account, 'ticket.closed', { outcome: ticket.state }, `ticket.closed:${ticket.id}`, ['email'], {
          ticketId: ticket.id,
        });
        return;
      }
      case 'assign_actor':
      case 'unassign':
        return; // applied to the row above
    }
  }
}

/** A ticket row is locked only inside the transaction that goes on to change it: the lock ends with that transaction. */
function inTransaction(em: EntityManager): void {
  openTransaction(em, 'a ticket is locked inside the transaction that changes it');
}
