import { formatDuration, formatTime } from '../../components/ui';
import { WAITING_STATES, type Ticket } from './ticket-words';

/** Less than this left before the SLA breaches: the ticket is shown as near breach. */
export const NEAR_BREACH_MS = 15 * 60_000;

/**
 * How long until the ticket's current wait breaches its SLA. Near breach and overdue are
 * said in words as well as colour; states nobody waits on have no SLA.
 */
export function SlaDue({ ticket }: { ticket: Pick<Ticket, 'state' | 'dueAt'> }) {
  if (!WAITING_STATES.includes(ticket.state)) return <span className="muted">No SLA running</span>;
  const left = new Date(ticket.dueAt).getTime() - Date.now();
  const title = `Due ${formatTime(ticket.dueAt)}`;
  if (left <= 0) {
    return (
      <span className="near-breach" title={title}>
        Overdue by {formatDuration(left)}
      </span>
    );
  }
  if (left < NEAR_BREACH_MS) {
    return (
      <span className="near-breach" title={title}>
        Near breach: {formatDuration(left)} left
      </span>
    );
  }
  return <span title={title}>{formatDuration(left)} left</span>;
}
