import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../../accounts/account.entity';
import type { AccountTier } from '../../accounts/account.entity';
import { AccountsService, MAX_MANAGER_DEPTH } from '../../accounts/accounts.service';
import { SYSTEM } from '../../audit/audit-actor';
import { AuditService } from '../../audit/audit.service';
import { ChangeGate, Gated } from '../../change-requests/change-gate';
import { ChangeRequest } from '../../change-requests/change-request.entity';
import { Clock } from '../../common/clock';
import { Conflict, Forbidden, NotFound } from '../../common/errors';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { Policy } from '../../config/policy';
import { Notifier } from '../../notifications/notifier';
import type { TemplateName } from '../../notifications/templates';
import { Staff } from '../../staff/staff.entity';
import type { ProofingStep } from '../proofing/step-catalogue';
import { agentRefusal, drillRunnerRefusal } from '../separation-of-duties';
import { TicketTransitions } from '../ticket-transitions.service';
import { Ticket } from '../ticket.entity';
import { DAY, isFreshApprover, NotCountedReason, notCountedReasons, TierChange, tierInWindow } from './history-signals';
import {
  ApprovalFacts,
  changedSinceApproval,
  evaluateRisk,
  HELD_STATES,
  HOLDABLE_STATES,
  managerChain,
  RaisedSignal,
  requiredSteps,
  RiskFacts,
  RiskSignalCode,
  STEP_RAISING_SIGNALS,
} from './risk-signals';
import { TicketSignal } from './ticket-signal.entity';

/** SQL: ticket `t` has a signal that holds it and no admin has cleared (the held list; take-next skips these). */
export const HELD_BY_SIGNAL_SQL = 'EXISTS (SELECT 1 FROM ticket_signals s WHERE s.ticket_id = t.id AND s.holds AND s.cleared_at IS NULL)';

const MINUTE = 60_000;

/**
 * Loads the facts risk-signals.ts evaluates and records what it raises, in the
 * caller's transaction (which holds the ticket row): the signal row, its audit
 * event, the steps a recent channel change adds, and security's alerts. Called
 * when a ticket opens, when its last step passes, and when an approver signs.
 */
@Injectable()
export class RiskService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: TicketTransitions,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly gate: ChangeGate,
  ) {}

  /** Evaluates the ticket's signals now and records the new ones. Says whether one of them now holds the ticket. */
  async evaluate(em: EntityManager, ticket: Ticket): Promise<{ newHold: boolean }> {
    const facts = await this.facts(em, ticket);
    const stored = await em.find(TicketSignal, { where: { ticketId: ticket.id } });
    // Raised again on the same basis it is the same signal (and a cleared hold stays cleared); new evidence raises it afresh.
    const fresh = evaluateRisk(facts, this.policy.risk).filter((s) => !stored.some((r) => r.signal === s.signal && r.basis === s.basis));
    for (const signal of fresh) {
      const addedSteps = STEP_RAISING_SIGNALS.includes(signal.signal) && facts.canAddSteps ? await this.addSteps(em, ticket, fresh) : [];
      await this.record(em, ticket, signal, addedSteps, facts.now);
      await this.alert(em, ticket, signal, facts);
    }
    return { newHold: fresh.some((s) => s.holds) };
  }

  /**
   * Why this approver's approval would not count on this ticket (empty: it counts): an approver role younger than
   * risk.approverFreshDays on a privileged or critical one. (The subject's reporting line is refused outright
   * before an approval is recorded: manager_chain.)
   */
  async notCounted(_em: EntityManager, ticket: Ticket, approver: Staff): Promise<NotCountedReason[]> {
    const grantedAt = approver.rolesGrantedAt.approver ? new Date(approver.rolesGrantedAt.approver) : null;
    const fresh = isFreshApprover(grantedAt, this.clock.now(), this.policy.risk.approverFreshDays);
    return notCountedReasons(ticket.tier, false, fresh);
  }

  /** The tier a ticket for this account opens with: the highest it held within risk.tierLoweredWindowDays. */
  async ticketTier(em: EntityManager, account: Account): Promise<AccountTier> {
    const now = this.clock.now();
    return tierInWindow(account.tier, await this.tierChanges(em, account.id, now), now, this.policy.risk.tierLoweredWindowDays).tier;
  }

  private async tierChanges(em: EntityManager, accountId: string, now: Date): Promise<TierChange[]> {
    const since = new Date(now.getTime() - this.policy.risk.tierLoweredWindowDays * DAY);
    const rows = (await em.query(`SELECT changed_at, tier_before FROM account_changes WHERE account_id = $1 AND 'tier' = ANY (changed) AND changed_at >= $2`, [
      accountId,
      since,
    ])) as {
      changed_at: Date;
      tier_before: AccountTier;
    }[];
    return rows.map((r) => ({ at: r.changed_at, before: r.tier_before }));
  }

  /** The last change of `field` on an account (account_changes), or null. */
  private async lastChange(em: EntityManager, accountId: string | null, field: 'managerId' | 'email'): Promise<Date | null> {
    if (!accountId) return null;
    const [row] = (await em.query(`SELECT max(changed_at) AS at FROM account_changes WHERE account_id = $1 AND $2 = ANY (changed)`, [accountId, field])) as {
      at: Date | null;
    }[];
    return row?.at ?? null;
  }

  /**
   * At regeneration, in the transaction that holds the ticket and the account rows: the account against what the
   * approval relied on. A difference is recorded as changed_since_approval (audited) and returned; the caller holds
   * the ticket through the table, whose effect alerts security.
   */
  async changedSinceApproval(em: EntityManager, ticket: Ticket, onFile: ApprovalFacts): Promise<RaisedSignal | undefined> {
    if (!ticket.approvedFacts) return undefined; // approved before approvals fixed their facts: nothing to compare with
    const signal = changedSinceApproval(ticket.approvedFacts, onFile);
    if (signal) await this.record(em, ticket, signal, [], this.clock.now());
    return signal;
  }

  /** The subject's managers, nearest first, up the reporting line (bounded, loop-safe). */
  async managerChainOf(em: EntityManager, accountId: string): Promise<string[]> {
    const line = await this.accounts.reportingLine(em, accountId);
    return managerChain(accountId, new Map(line.map((row) => [row.id, row.managerId])), MAX_MANAGER_DEPTH);
  }

  /**
   * An admin releases a hold, with a reason; recorded on the signal and in the audit trail. A sensitive change
   * (changeApproval.sensitive.holdCleared): with two or more admins it becomes a change request instead.
   */
  clear(staff: Staff, ticketId: string, signal: RiskSignalCode, reason: string): Promise<Gated<Ticket>> {
    return this.dataSource.transaction(async (em) => {
      const { ticket, row } = await this.holdToClear(em, staff, ticketId, signal);
      const pending = await this.gate.admit(em, staff, {
        kind: 'ticket.clear_hold',
        target: { type: 'ticket', id: ticketId },
        sensitive: this.policy.changeApproval.sensitive.holdCleared ? ['holdCleared'] : [],
        before: { signal, basis: row.basis, clearedAt: null },
        after: { signal, clearReason: reason },
        reason,
      });
      if (pending) return { pending };
      await this.release(em, staff, ticket, row, reason);
      return { applied: ticket };
    });
  }

  /** Carries out an approved request to clear a hold (the reviewer releases it), unless the hold is no longer the one asked about. */
  async applyRequested(em: EntityManager, request: ChangeRequest, reviewer: Staff): Promise<string | undefined> {
    const signal = request.before.signal as RiskSignalCode;
    try {
      const { ticket, row } = await this.holdToClear(em, reviewer, request.targetId, signal);
      if (row.basis !== request.before.basis) return `${signal} was raised again on new evidence since the request was made: make a new request`;
      await this.release(em, reviewer, ticket, row, String(request.after.clearReason));
      return undefined;
    } catch (error) {
      if (error instanceof Conflict || error instanceof NotFound) return error.message;
      throw error;
    }
  }

  private async holdToClear(em: EntityManager, staff: Staff, ticketId: string, signal: RiskSignalCode): Promise<{ ticket: Ticket; row: TicketSignal }> {
    const ticket = await this.transitions.lock(em, ticketId);
    const refusal = drillRunnerRefusal(staff, ticket) ?? agentRefusal(staff, ticket.accountId);
    if (refusal) throw new Forbidden(refusal);
    const row = await em.findOne(TicketSignal, { where: { ticketId, signal } });
    if (!row) throw new NotFound(`risk signal ${signal} on ticket`, ticketId);
    if (!row.holds) throw new Conflict(`${signal} does not hold this ticket: there is nothing to clear`);
    if (signal === 'changed_since_approval')
      throw new Conflict('changed_since_approval is never cleared: what was approved is not what is on file; cancel the ticket and open a new one');
    if (row.clearedAt) throw new Conflict(`${signal} was already cleared at ${row.clearedAt.toISOString()}`);
    if (!HOLDABLE_STATES.includes(ticket.state)) throw new Conflict(`a ${ticket.state} ticket has no hold left to clear`, { state: ticket.state });
    return { ticket, row };
  }

  private async release(em: EntityManager, staff: Staff, ticket: Ticket, row: TicketSignal, reason: string): Promise<void> {
    await em.update(TicketSignal, { id: row.id }, { clearedAt: this.clock.now(), clearedBy: staff.id, clearReason: reason });
    await this.audit.record(em, {
      actor: { kind: 'staff', id: staff.id },
      action: 'ticket.signal_cleared',
      target: { type: 'ticket', id: ticket.id },
      payload: { signal: row.signal, reason },
    });
  }

  /**
   * Tickets an uncleared holding signal holds while a hold still matters (before approval or closing): the
   * admins' work list. Oldest first, keyset-paged on (created_at, id).
   */
  async held(limit: number, cursor?: string): Promise<Page<Ticket>> {
    const query = this.dataSource
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .where('t.state IN (:...states)', { states: HELD_STATES })
      .andWhere(HELD_BY_SIGNAL_SQL)
      .orderBy('t.created_at')
      .addOrderBy('t.id');
    if (cursor) {
      const [createdAt, id] = decodeCursor(cursor, 2);
      query.andWhere('(t.created_at, t.id) > (:createdAt, :id)', { createdAt, id });
    }
    const rows = await query.take(limit + 1).getMany();
    return toPage(
      rows,
      limit,
      (t) => [t.createdAt.toISOString(), t.id],
      (t) => t,
    );
  }

  private async facts(em: EntityManager, ticket: Ticket): Promise<RiskFacts> {
    const now = this.clock.now();
    const { accountVelocity, deskVelocity } = this.policy.risk;
    const account = await em.findOneByOrFail(Account, { id: ticket.accountId });
    // Bounded above by now as well: a ticket stamped later (a moved test clock, skew between API processes) is not this window's.
    // Real tickets, and this one: drills never raise a real ticket's velocity, and a drill sees what a real call would.
    const [counts] = (await em.query(
      `SELECT
         (SELECT count(*)::int FROM tickets WHERE account_id = $1 AND created_at > $2 AND created_at <= $4 AND (NOT is_drill OR id = $5)) AS account_tickets,
         (SELECT count(*)::int FROM tickets WHERE tier IN ('privileged', 'critical') AND created_at > $3 AND created_at <= $4 AND (NOT is_drill OR id = $5)) AS desk_tickets`,
      [
        ticket.accountId,
        new Date(now.getTime() - accountVelocity.windowDays * DAY),
        new Date(now.getTime() - deskVelocity.windowMinutes * MINUTE),
        now,
        ticket.id,
      ],
    )) as { account_tickets: number; desk_tickets: number }[];
    const approvals = (await em.query(`SELECT approver_id, not_counted FROM approvals WHERE ticket_id = $1 AND decision = 'approve' ORDER BY created_at`, [
      ticket.id,
    ])) as {
      approver_id: string;
      not_counted: NotCountedReason[];
    }[];
    const [report] = (await em.query(
      `SELECT id, reported_at FROM account_reports WHERE account_id = $1 AND reported_at IS NOT NULL AND cleared_at IS NULL ORDER BY reported_at, id LIMIT 1`,
      [ticket.accountId],
    )) as { id: string; reported_at: Date }[];
    return {
      now,
      tier: ticket.tier,
      canAddSteps: ticket.state === 'open' || ticket.state === 'proofing',
      channelsChangedAt: account.channelsChangedAt,
      onFile: { phone: account.phone, email: account.email },
      callback: ticket.callback ?? {},
      accountTickets: counts.account_tickets,
      deskPrivilegedTickets: counts.desk_tickets,
      approvalsRequired: ticket.approvalsRequired,
      approvals: approvals.map((a) => ({ approverId: a.approver_id, notCounted: a.not_counted })),
      accountTier: account.tier,
      tierChanges: await this.tierChanges(em, account.id, now),
      managerChangedAt: await this.lastChange(em, account.id, 'managerId'),
      managerEmailChangedAt: await this.lastChange(em, account.managerId, 'email'),
      notMeReport: report ? { id: report.id, reportedAt: report.reported_at } : null,
    };
  }

  /** The next tier's steps a recent channel change asks for, added to the ticket (never removed). */
  private async addSteps(em: EntityManager, ticket: Ticket, signals: RaisedSignal[]): Promise<ProofingStep[]> {
    const added = requiredSteps(ticket.tier, this.policy.tiers, signals).filter((step) => !ticket.requiredSteps.includes(step));
    if (added.length === 0) return [];
    ticket.requiredSteps = [...ticket.requiredSteps, ...added];
    await em.update(Ticket, { id: ticket.id }, { requiredSteps: ticket.requiredSteps });
    for (const step of added)
      await em.query(`INSERT INTO ticket_steps (ticket_id, step, status) VALUES ($1, $2, 'pending') ON CONFLICT DO NOTHING`, [ticket.id, step]);
    return added;
  }

  private async record(em: EntityManager, ticket: Ticket, signal: RaisedSignal, addedSteps: ProofingStep[], now: Date): Promise<void> {
    await em.query(
      `INSERT INTO ticket_signals (ticket_id, signal, reason, holds, basis, detail, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (ticket_id, signal) DO UPDATE SET reason = EXCLUDED.reason, holds = EXCLUDED.holds, basis = EXCLUDED.basis, detail = EXCLUDED.detail,
         raised_at = EXCLUDED.raised_at, cleared_at = NULL, cleared_by = NULL, clear_reason = NULL`,
      [ticket.id, signal.signal, signal.reason, signal.holds, signal.basis, signal.detail, now],
    );
    await this.audit.record(em, {
      actor: SYSTEM,
      action: 'ticket.signal_raised',
      target: { type: 'ticket', id: ticket.id },
      payload: { signal: signal.signal, reason: signal.reason, holds: signal.holds, ...signal.detail, ...(addedSteps.length > 0 && { addedSteps }) },
    });
  }

  /**
   * Security hears of a hold at once, and of a burst of tickets once per window (the idempotency key names the
   * window, so a hundred tickets in one burst send one mail). Written with the ticket's id: a drill ticket's
   * alerts go to its drill's sink, like every other message about it.
   */
  private async alert(em: EntityManager, ticket: Ticket, signal: RaisedSignal, facts: RiskFacts): Promise<void> {
    const now = facts.now.getTime();
    const { accountVelocity, deskVelocity } = this.policy.risk;
    const alerts: { template: TemplateName; why: string; key: string }[] = [];
    if (signal.holds)
      alerts.push({ template: 'security.possible_social_engineering', why: signal.reason, key: `risk:${ticket.id}:${signal.signal}:${signal.basis}` });
    if (signal.signal === 'reset_velocity') {
      const scopes = signal.detail.scopes as string[];
      if (scopes.includes('account')) {
        const window = Math.floor(now / (accountVelocity.windowDays * DAY));
        const why = `${facts.accountTickets} recovery tickets for one account in ${accountVelocity.windowDays} days (policy: at most ${accountVelocity.maxTickets})`;
        alerts.push({ template: 'security.reset_velocity', why, key: `risk:reset_velocity:account:${ticket.accountId}:${window}` });
      }
      if (scopes.includes('desk')) {
        const window = Math.floor(now / (deskVelocity.windowMinutes * MINUTE));
        const why = `${facts.deskPrivilegedTickets} tickets for privileged and critical accounts across the desk in ${deskVelocity.windowMinutes} minutes (policy: at most ${deskVelocity.maxPrivilegedTickets})`;
        alerts.push({ template: 'security.reset_velocity', why, key: `risk:reset_velocity:desk:${window}` });
      }
    }
    for (const { template, why, key } of alerts) {
      await this.notifier.toSecurity(em, template, { ticketId: ticket.id, accountId: ticket.accountId, why }, key, ticket.id);
    }
  }
}
