import { useNavigate } from 'react-router';
import { ErrorNote } from '../../components/ui';
import { useAction } from '../../components/use-load';
import type { Me } from '../../session/session';
import { ReasonForm, type ReasonAction } from './ReasonForm';
import { releaseTicket } from './ticket-api';
import type { Ticket } from './ticket-words';

/** The signed-in agent is the one working this ticket: only they run its steps, release, flag or deny it. */
export function isWorking(ticket: Ticket, me: Me): boolean {
  return me.roles.includes('agent') && ticket.state === 'proofing' && ticket.assignedTo === me.id;
}

/**
 * What an agent may do to this ticket: the events the state allows (`allowedEvents`) that an
 * agent fires (src/tickets/ticket.machine.ts: after approval only an admin or the subject cancels).
 */
export function agentActions(ticket: Ticket, me: Me): { release: boolean; withReason: ReasonAction[] } {
  const allowed = (event: Ticket['allowedEvents'][number]) => ticket.allowedEvents.includes(event);
  const working = isWorking(ticket, me);
  const withReason: ReasonAction[] = [];
  if (working && allowed('flag')) withReason.push({ event: 'flag', label: 'Flag as suspicious', tone: 'danger' });
  if (working && allowed('deny')) withReason.push({ event: 'deny', label: 'Deny', tone: 'danger' });
  if (me.roles.includes('agent') && allowed('cancel') && ticket.state !== 'approved') withReason.push({ event: 'cancel', label: 'Cancel ticket', tone: 'secondary' });
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
      {actions.withReason.length > 0 && <ReasonForm ticketId={ticket.id} name="Decide this ticket" label="Reason (recorded in the audit trail)" actions={actions.withReason} onDone={onChanged} />}
    </div>
  );
}
