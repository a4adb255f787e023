import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { Clock } from '../../common/clock';
import { InvalidTransition, ManagerChainViolation, SeparationOfDutyViolation } from '../../common/errors';
import { Authentication, authenticationRecord } from '../../staff/sign-in/step-up';
import { Staff } from '../../staff/staff.entity';
import { refuseUnfitTicketActor } from '../../staff/staff-rules';
import { RiskService } from '../risk/risk.service';
import { approvalRefusal, drillRunnerRefusal, managerChainRefusal } from '../separation-of-duties';
import { asStaff } from '../ticket-actor';
import { TicketTransitions } from '../ticket-transitions.service';
import { Ticket } from '../ticket.entity';
import { allowedEvents } from '../ticket.machine';

/**
 * Approvers sign tickets awaiting approval. The server enforces separation of
 * duties (not the proofing agent, not the subject, nobody in the subject's
 * reporting line, not twice) and counts DISTINCT independent approvers (rows
 * from before the reporting line was refused may say not independent); the ticket row lock makes concurrent
 * approvals count exactly, so the tier's quota fires `approve` once. Before an
 * approval the risk signals are evaluated again: a hold refuses it.
 */
@Injectable()
export class ApprovalsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: TicketTransitions,
    private readonly audit: AuditService,
    private readonly risk: RiskService,
    private readonly clock: Clock,
  ) {}

  sign(staff: Staff, ticketId: string, decision: 'approve' | 'deny', reason: string, authentication?: Authentication): Promise<Ticket> {
    return this.dataSource
      .transaction(async (em) => {
        refuseUnfitTicketActor(staff);
        const ticket = await this.transitions.lock(em, ticketId);
        if (ticket.state !== 'awaiting_approval') throw new InvalidTransition(ticket.state, decision, allowedEvents(ticket.state));
        const drill = drillRunnerRefusal(staff, ticket);
        if (drill) throw new SeparationOfDutyViolation(drill);
        const inLine = managerChainRefusal(staff, await this.risk.managerChainOf(em, ticket.accountId));
        if (inLine) throw new ManagerChainViolation(inLine);
        const refusal = approvalRefusal(staff, await this.people(em, ticket));
        if (refusal) throw new SeparationOfDutyViolation(refusal);
        if (decision === 'approve') {
          await this.risk.evaluate(em, ticket);
          // Returned, not thrown: a hold this evaluation just raised commits with this transaction, then the 409 goes out.
          if ((await this.transitions.facts(em, ticket)).heldBySignal) return this.transitions.heldRefusal(em, ticket, 'approve');
        }
        const notCounted = decision === 'approve' ? await this.risk.notCounted(em, ticket, staff) : [];
        const independent = notCounted.length === 0;
        await em.query(
          `INSERT INTO approvals (ticket_id, approver_id, decision, reason, created_at, independent, not_counted) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [ticket.id, staff.id, decision, reason, this.clock.now(), independent, notCounted],
        );
        await this.audit.record(em, {
          actor: { kind: 'staff', id: staff.id },
          action: 'ticket.signed',
          target: { type: 'ticket', id: ticket.id },
          payload: {
            decision,
            reason,
            ...(decision === 'approve' && { independent, ...(!independent && { notCounted }) }),
            ...(authentication && { authentication: authenticationRecord(authentication) }),
          },
        });
        const actor = asStaff(staff, 'approver');
        if (decision === 'deny') return this.transitions.fire(em, ticket, 'deny', actor, { detail: { reason } });
        if (!independent) await this.risk.evaluate(em, ticket); // raises manager_not_independent or approver_recently_privileged, naming this approval
        const facts = await this.transitions.facts(em, ticket);
        return facts.approvalsReached ? this.transitions.fire(em, ticket, 'approve', actor, { detail: { reason } }) : ticket;
      })
      .then((outcome) => {
        if (outcome instanceof InvalidTransition) throw outcome;
        return outcome;
      })
      .catch(async (error: unknown) => {
        // A refusal is itself a security event: recorded after the refused transaction rolled back.
        if (error instanceof SeparationOfDutyViolation || error instanceof ManagerChainViolation) {
          await this.audit.recordAlone({
            actor: { kind: 'staff', id: staff.id },
            action: 'ticket.approval_refused',
            target: { type: 'ticket', id: ticketId },
            payload: { decision, refusal: error.message },
          });
        }
        throw error;
      });
  }

  private async people(em: EntityManager, ticket: Ticket) {
    const steps = (await em.query(`SELECT decided_by FROM ticket_steps WHERE ticket_id = $1 AND decided_by IS NOT NULL`, [ticket.id])) as {
      decided_by: string;
    }[];
    const by = (kind: string) => steps.filter((s) => s.decided_by.startsWith(`${kind}:`)).map((s) => s.decided_by.slice(kind.length + 1));
    const signed = (await em.query(`SELECT approver_id FROM approvals WHERE ticket_id = $1`, [ticket.id])) as { approver_id: string }[];
    // Whoever cleared a hold, and whoever asked for it to be cleared through a change request.
    const cleared = (await em.query(
      `SELECT cleared_by FROM ticket_signals WHERE ticket_id = $1 AND cleared_by IS NOT NULL
       UNION SELECT requested_by FROM change_requests WHERE state = 'applied'
         AND ((kind = 'ticket.clear_hold' AND target_id = $1::text) OR (kind = 'account.clear_recovery_hold' AND target_id = $2::text))`,
      [ticket.id, ticket.accountId],
    )) as { cleared_by: string }[];
    return {
      accountId: ticket.accountId,
      openedBy: ticket.openedBy.startsWith('staff:') ? ticket.openedBy.slice('staff:'.length) : null,
      assignedTo: ticket.assignedTo,
      proofedBy: by('staff'),
      attestedBy: by('manager'),
      signedBy: signed.map((s) => s.approver_id),
      clearedHoldsBy: cleared.map((s) => s.cleared_by),
    };
  }
}
