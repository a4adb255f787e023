import { Empty } from '../../components/ui';
import { STATE_LABEL, STEP_LABEL, staffText, words, type StepName, type TicketState, type TimelineEvent } from './ticket-words';

const ACTION_LABEL: Record<string, string> = {
  'ticket.opened': 'Opened',
  'ticket.claim': 'Claimed',
  'ticket.release': 'Released to the queue',
  'ticket.step_started': 'Step started',
  'ticket.step_attempt_failed': 'Wrong code read back',
  'ticket.step_passed': 'Step passed',
  'ticket.step_failed_check': 'Step failed',
  'ticket.steps_passed': 'All steps passed',
  'ticket.step_failed': 'Denied by a failed check',
  'ticket.flag': 'Flagged as suspicious',
  'ticket.signed': 'Signed by an approver',
  'ticket.approval_refused': 'Signature refused',
  'ticket.approve': 'Approved',
  'ticket.deny': 'Denied',
  'ticket.cancel': 'Cancelled',
  'ticket.expire': 'Expired',
  'ticket.start_regeneration': 'Regeneration started',
  'ticket.complete': 'Completed: new codes sealed for the subject',
  'ticket.fail': 'Regeneration failed',
  'ticket.retry': 'Retried',
  'ticket.signal_raised': 'Risk signal raised',
  'ticket.signal_cleared': 'Hold cleared by an admin',
  'ticket.hold': 'Held: the subject changed since approval',
  'ticket.concern_raised': 'Concern raised',
};

/** To the second: several events often share a minute. */
function whenText(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' });
}

function actionText(action: string): string {
  return ACTION_LABEL[action] ?? words(action.replace(/^ticket\./, ''));
}

function actorText(event: TimelineEvent, myId: string): string {
  return event.actorKind === 'staff' ? staffText(event.actorId, myId) : words(event.actorKind);
}

/** The parts of an event's payload worth reading; ids and evidence stay out. */
function detailText({ action, payload }: TimelineEvent): string {
  const { from, to, step, sentTo, decision, reason, refusal, attempts, channel } = payload as Record<string, string | number | undefined>;
  if (action === 'ticket.opened') return [channel && `By ${words(String(channel)).toLowerCase()}`, reason && words(String(reason))].filter(Boolean).join(' · ');
  return [
    from && to && `${STATE_LABEL[from as TicketState] ?? from} → ${STATE_LABEL[to as TicketState] ?? to}`,
    step && (STEP_LABEL[step as StepName] ?? step),
    sentTo && `to ${sentTo === 'sms' ? 'the registered phone' : sentTo === 'email' ? 'the registered e-mail' : words(String(sentTo))}`,
    decision && words(String(decision)),
    attempts && `attempt ${attempts}`,
    reason && `“${reason}”`,
    refusal && `refused: ${refusal}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The ticket's history from the audit trail, oldest first. */
export function Timeline({ events, myId }: { events: TimelineEvent[]; myId: string }) {
  if (events.length === 0) return <Empty>No events yet.</Empty>;
  return (
    <ol className="desk-timeline">
      {events.map((event) => (
        <li key={event.seq}>
          <time dateTime={event.occurredAt}>{whenText(event.occurredAt)}</time>
          <div>
            <strong>{actionText(event.action)}</strong> <span className="muted">by {actorText(event, myId)}</span>
            <div className="desk-timeline-detail">{detailText(event) || '—'}</div>
          </div>
        </li>
      ))}
    </ol>
  );
}
