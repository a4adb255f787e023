import { Badge, formatTime } from '../../components/ui';
import type { Me } from '../../session/session';
import { ReasonForm } from './ReasonForm';
import { HELD_TEXT } from './RiskSignals';
import type { ReasonEvent } from './ticket-api';
import { staffText, type Ticket } from './ticket-words';

/**
 * Why the signed-in approver may not sign this ticket, as far as the page can tell
 * (the server decides, and also refuses anyone who decided a proofing step).
 */
export function signRefusal(ticket: Ticket, me: Me): string | undefined {
  if (me.accountId !== null && me.accountId === ticket.account.id) return 'You cannot sign this ticket: it is for your own account.';
  if (ticket.assignedTo === me.id) return 'You cannot sign this ticket: you proofed it. Another approver must.';
  if (ticket.approvals.some((a) => a.approverId === me.id)) return 'You have already signed this ticket. Another approver must.';
  return undefined;
}

/** Why an approval does not count, in the words the badge uses. */
const NOT_COUNTED_TEXT: Record<Ticket['approvals'][number]['notCounted'][number], string> = {
  manager_not_independent: 'manager chain',
  approver_recently_privileged: 'new approver',
};

/** The approvals so far, then (for an approver, while the ticket awaits approval) approve or deny with a reason. */
export function Approvals({ ticket, me, onSigned }: { ticket: Ticket; me: Me; onSigned: (ticket: Ticket, event: ReasonEvent) => void }) {
  // An approval from the subject's manager chain, or from a new approver, is shown but does not count (notCounted).
  const approved = ticket.approvals.filter((a) => a.decision === 'approve' && a.independent).length;
  const canSign = me.roles.includes('approver') && ticket.allowedEvents.includes('approve');
  const refusal = signRefusal(ticket, me);
  return (
    <div className="desk-approvals">
      <p>
        <strong>
          {approved} of {ticket.approvalsRequired}
        </strong>{' '}
        distinct approvals needed
      </p>
      {ticket.approvals.length > 0 ? (
        <ul className="desk-list">
          {ticket.approvals.map((a) => (
            <li key={`${a.approverId}-${a.createdAt}`}>
              <Badge tone={a.decision === 'approve' ? 'ok' : 'danger'}>{a.decision === 'approve' ? 'Approved' : 'Denied'}</Badge>{' '}
              {staffText(a.approverId, me.id)}, {formatTime(a.createdAt)}: “{a.reason}”
              {!a.independent && (
                <>
                  {' '}
                  <Badge tone="warn">not counted: {a.notCounted.map((why) => NOT_COUNTED_TEXT[why]).join(', ')}</Badge>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No approver has signed yet.</p>
      )}
      {canSign && (
        <ReasonForm
          ticketId={ticket.id}
          name="Sign this ticket"
          label="Reason for your decision"
          actions={[
            // A hold stops approving, not denying (docs/tickets.md, Held tickets).
            { event: 'approve', label: 'Approve', disabled: refusal !== undefined || ticket.held },
            { event: 'deny', label: 'Deny', tone: 'danger', disabled: refusal !== undefined },
          ]}
          blocked={refusal ?? (ticket.held ? HELD_TEXT : undefined)}
          onDone={onSigned}
        />
      )}
    </div>
  );
}
