import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../../accounts/account.entity';
import { AuditService } from '../../audit/audit.service';
import { Clock } from '../../common/clock';
import { sha256Hex } from '../../common/crypto';
import { ChangeGate, Gated } from '../../change-requests/change-gate';
import { ChangeRequest } from '../../change-requests/change-request.entity';
import { Conflict, Forbidden, Gone, NotFound } from '../../common/errors';
import { Policy } from '../../config/policy';
import { updateReturning } from '../../database/sql';
import { Notifier } from '../../notifications/notifier';
import { Staff } from '../../staff/staff.entity';
import { agentRefusal } from '../separation-of-duties';
import { asSubject } from '../ticket-actor';
import { LINK_NOT_VALID } from '../ticket-links.service';
import { TicketTransitions } from '../ticket-transitions.service';
import { Ticket } from '../ticket.entity';
import { HOLDABLE_STATES } from './risk-signals';
import { RiskService } from './risk.service';

export interface HoldOutcome {
  accountId: string;
  heldTickets: string[];
  cancelledTickets: string[];
}

/**
 * The account-level "this wasn't me" (links sent by NotMeNotices): following one puts a recovery hold on the
 * account. Live tickets are held through the `subject_reported_not_me` risk signal, an approved one waiting out its
 * cooling-off is stopped, and every ticket opened later starts held, until an admin clears the hold with a reason.
 */
@Injectable()
export class RecoveryHold {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly risk: RiskService,
    private readonly transitions: TicketTransitions,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    private readonly gate: ChangeGate,
    private readonly policy: Policy,
  ) {}

  /** Uses the link once (unknown, used and expired links get one answer) and holds the account. */
  reportNotMe(token: string): Promise<HoldOutcome> {
    return this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      const [report] = await updateReturning<{ id: string; account_id: string; template: string }>(
        em,
        `UPDATE account_reports SET reported_at = $2 WHERE token_hash = $1 AND reported_at IS NULL AND expires_at > $2 RETURNING id, account_id, template`,
        [sha256Hex(token), now],
      );
      if (!report) throw new Gone(LINK_NOT_VALID);
      // The account row serialises this with a ticket being opened (which holds it): that ticket either sees the report or is held here.
      await em.findOne(Account, { where: { id: report.account_id }, lock: { mode: 'pessimistic_write' } });
      const outcome = await this.holdTickets(em, report.account_id);
      await this.audit.record(em, {
        actor: { kind: 'subject', id: report.account_id },
        action: 'account.reported_not_me',
        target: { type: 'account', id: report.account_id },
        payload: { reportId: report.id, template: report.template, heldTickets: outcome.heldTickets, cancelledTickets: outcome.cancelledTickets },
      });
      await this.notifier.toSecurity(
        em,
        'security.account_reported_not_me',
        { accountId: report.account_id, template: report.template, heldTickets: outcome.heldTickets.length, cancelledTickets: outcome.cancelledTickets.length },
        `not-me:${report.id}`,
      );
      return outcome;
    });
  }

  /**
   * An admin (never for their own account) releases the hold, with a reason: the reports and the tickets' signals
   * alike. Sensitive (changeApproval.sensitive.holdCleared): with two or more admins it becomes a change request.
   */
  clear(staff: Staff, accountId: string, reason: string): Promise<Gated<{ clearedReports: number; clearedTickets: string[] }>> {
    return this.dataSource.transaction(async (em) => {
      await this.lockHeld(em, staff, accountId);
      const pending = await this.gate.admit(em, staff, {
        kind: 'account.clear_recovery_hold',
        target: { type: 'account-hold', id: accountId },
        sensitive: this.policy.changeApproval.sensitive.holdCleared ? ['holdCleared'] : [],
        before: { held: true },
        after: { held: false, clearReason: reason },
        reason,
      });
      return pending ? { pending } : { applied: await this.release(em, staff, accountId, reason) };
    });
  }

  /** Carries out an approved request: the reviewer releases the hold, unless it is gone or the reviewer may not. */
  async applyRequested(em: EntityManager, request: ChangeRequest, reviewer: Staff): Promise<string | undefined> {
    try {
      await this.lockHeld(em, reviewer, request.targetId);
    } catch (error) {
      if (error instanceof Conflict || error instanceof NotFound) return error.message;
      throw error;
    }
    await this.release(em, reviewer, request.targetId, String(request.after.clearReason));
    return undefined;
  }

  private async lockHeld(em: EntityManager, staff: Staff, accountId: string): Promise<void> {
    const account = await em.findOne(Account, { where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
    if (!account) throw new NotFound('account', accountId);
    const refusal = agentRefusal(staff, accountId);
    if (refusal) throw new Forbidden(refusal);
    if (!(await this.isHeld(em, accountId))) throw new Conflict('this account has no recovery hold to clear');
  }

  private async release(em: EntityManager, staff: Staff, accountId: string, reason: string): Promise<{ clearedReports: number; clearedTickets: string[] }> {
    const now = this.clock.now();
    const reports = await updateReturning<{ id: string }>(
      em,
      `UPDATE account_reports SET cleared_at = $2, cleared_by = $3, clear_reason = $4
       WHERE account_id = $1 AND reported_at IS NOT NULL AND cleared_at IS NULL RETURNING id`,
      [accountId, now, staff.id, reason],
    );
    if (reports.length === 0) throw new Conflict('this account has no recovery hold to clear');
    const tickets = await updateReturning<{ ticket_id: string }>(
      em,
      `UPDATE ticket_signals s SET cleared_at = $2, cleared_by = $3, clear_reason = $4
       FROM tickets t WHERE t.id = s.ticket_id AND t.account_id = $1 AND s.signal = 'subject_reported_not_me' AND s.cleared_at IS NULL
       RETURNING s.ticket_id`,
      [accountId, now, staff.id, reason],
    );
    const actor = { kind: 'staff' as const, id: staff.id };
    for (const { ticket_id } of tickets) {
      await this.audit.record(em, {
        actor,
        action: 'ticket.signal_cleared',
        target: { type: 'ticket', id: ticket_id },
        payload: { signal: 'subject_reported_not_me', reason },
      });
    }
    await this.audit.record(em, {
      actor,
      action: 'account.recovery_hold_cleared',
      target: { type: 'account', id: accountId },
      payload: { reportIds: reports.map((r) => r.id), ticketIds: tickets.map((t) => t.ticket_id), reason },
    });
    return { clearedReports: reports.length, clearedTickets: tickets.map((t) => t.ticket_id) };
  }

  /** Whether an uncleared report holds the account (for a check outside the ticket flow, e.g. enrolment). */
  async isHeld(em: EntityManager, accountId: string): Promise<boolean> {
    const rows = (await em.query(`SELECT 1 FROM account_reports WHERE account_id = $1 AND reported_at IS NOT NULL AND cleared_at IS NULL LIMIT 1`, [
      accountId,
    ])) as unknown[];
    return rows.length > 0;
  }

  private async holdTickets(em: EntityManager, accountId: string): Promise<HoldOutcome> {
    const outcome: HoldOutcome = { accountId, heldTickets: [], cancelledTickets: [] };
    const live = (await em.query(`SELECT id FROM tickets WHERE account_id = $1 AND state = ANY($2) AND NOT is_drill ORDER BY created_at`, [
      accountId,
      [...HOLDABLE_STATES, 'approved'],
    ])) as { id: string }[];
    for (const { id } of live) {
      const ticket: Ticket = await this.transitions.lock(em, id);
      if (ticket.state === 'approved') {
        // Past the point a hold stops: the subject's word stops the cooling-off, as the ticket's own link would.
        await this.transitions.fire(em, ticket, 'cancel', asSubject(accountId), {
          detail: { by: 'account not-me link' },
          why: 'the subject says a change to their account was not them',
        });
        outcome.cancelledTickets.push(id);
      } else if (HOLDABLE_STATES.includes(ticket.state)) {
        await this.risk.evaluate(em, ticket); // raises subject_reported_not_me: held, security alerted for the ticket
        outcome.heldTickets.push(id);
      }
    }
    return outcome;
  }
}
