import { useNavigate } from 'react-router';
import { ErrorNote } from '../../components/ui';
import { useAction } from '../../components/use-load';
import type { Me } from '../../session/session';
import { ReasonForm, type ReasonAction } from './ReasonForm';
import { releaseTicket } from './ticket-api';
import { FINISHED_STATES, type Ticket } from './ticket-words';

/** The signed-in agent is the one working this ticket: only they run its steps, release, flag or deny it. */
export function isWorking(ticket: Ticket, me: Me): boolean {
  return me.roles.includes('agent') && ticket.state === 'proofing' && ticket.assignedTo === me.id;
}

/**
 * Who may cancel it (src/tickets/ticket.machine.ts): an admin, or its owner (the agent assigned to it, before a claim
 * the one who opened it) until it is approved; after approval only an admin or the subject.
 */
export function mayCancel(ticket: Ticket, me: Me): boolean {
  if (!ticket.allowedEvents.includes('cancel')) return false;
  if (me.roles.includes('admin')) return true;
  return me.roles.includes('agent') && ticket.owner === me.id && ticket.state !== 'approved';
}

/**
 * What this person may do to this ticket: the events the state allows (`allowedEvents`) that they fire, and for an
 * agent or approver who may not cancel a live ticket, a concern instead (recorded on it, security told).
 */
export function agentActions(ticket: Ticket, me: Me): { release: boolean; withReason: ReasonAction[] } {
  const allowed = (event: Ticket['allowedEvents'][number]) => ticket.allowedEvents.includes(event);
  const working = isWorking(ticket, me);
  const withReason: ReasonAction[] = [];
  if (working && allowed('flag')) withReason.push({ event: 'flag', label: 'Flag as suspicious', tone: 'danger' });
  if (working && allowed('deny')) withReason.push({ event: 'deny', label: 'Deny', tone: 'danger' });
  if (mayCancel(ticket, me)) withReason.push({ event: 'cancel', label: 'Cancel ticket', tone: 'secondary' });
  else if (!FINISHED_STATES.includes(ticket.state) && (me.roles.includes('agent') || me.roles.includes('approver'))) {
    withReason.push({ event: 'concern', label: 'Raise a concern', tone: 'secondary' });
  }
  return { release: working && allowed('release'), withReason };
}

export function AgentActions({ ticket, me, onChanged }: { ticket: Ticket; me: Me; onChanged: () => void }) {
  const navigate = useNavigate();
  const release = useAction(() => releaseTicket(ticket.id));
  const actions = agentActions(ticket, me);
  return (
    <div className="desk-agent-actions">
      {actions.release && (
        <div className="desk-release">
          <p className="muted">Cannot finish it now? Put it back in the queue for another agent.</p>
          <button type="button" className="secondary" disabled={release.busy} onClick={async () => (await release.run()) && navigate('/queue')}>
            Release to the queue
          </button>
          <ErrorNote error={release.error} />
        </div>
      )}
      {actions.withReason.length > 0 && (
        <ReasonForm
          ticketId={ticket.id}
          name="Decide this ticket"
          label="Reason (recorded in the audit trail)"
          actions={actions.withReason}
          onDone={onChanged}
        />
      )}
    </div>
  );
}
