import { Badge, formatTime, tierTone } from '../../components/ui';
import { SlaDue } from './SlaDue';
import { STATE_LABEL, staffText, stateTone, words, type Ticket } from './ticket-words';

/** The caller's callback details exactly as given: shown to staff, never used to send anything. */
export function callbackText(callback: Ticket['callback']): string {
  return [callback.name, callback.phone, callback.email].filter(Boolean).join(' · ') || 'None given';
}

/** The ticket's state, tier and id, under its heading. */
export function TicketBadges({ ticket }: { ticket: Ticket }) {
  return (
    <p className="desk-badges">
      <Badge tone={stateTone(ticket.state)}>{STATE_LABEL[ticket.state]}</Badge>
      <Badge tone={tierTone(ticket.tier)}>{words(ticket.tier)}</Badge>
      <span className="muted mono">Ticket {ticket.id}</span>
    </p>
  );
}

/** Who the ticket is for (registered channels masked, as the API sends them) and what the caller asked. */
export function TicketSummary({ ticket, myId }: { ticket: Ticket; myId: string }) {
  const { account } = ticket;
  return (
    <dl className="desk-facts">
      <dt>Employee</dt>
      <dd>
        {account.displayName} <span className="muted mono">{account.externalId}</span>
      </dd>
      <dt>Tier</dt>
      <dd>
        <Badge tone={tierTone(ticket.tier)}>{words(ticket.tier)}</Badge>
      </dd>
      <dt>Registered e-mail</dt>
      <dd className="mono">{account.email}</dd>
      <dt>Registered phone</dt>
      <dd className="mono">{account.phone}</dd>
      <dt>Came in by</dt>
      <dd>{words(ticket.channel)}</dd>
      <dt>Reason</dt>
      <dd>{words(ticket.reason)}</dd>
      <dt>Callback as given</dt>
      <dd>
        {callbackText(ticket.callback)} <span className="muted">(unverified: never contact it)</span>
      </dd>
      <dt>Notes</dt>
      <dd>{ticket.notes ?? '—'}</dd>
      <dt>Opened</dt>
      <dd>{formatTime(ticket.createdAt)}</dd>
      <dt>SLA</dt>
      <dd>
        <SlaDue ticket={ticket} />
      </dd>
      <dt>Agent</dt>
      <dd>{staffText(ticket.assignedTo, myId)}</dd>
      {ticket.state === 'approved' && (
        <>
          <dt>Cooling-off until</dt>
          <dd>{formatTime(ticket.regenerateAfter)}</dd>
        </>
      )}
    </dl>
  );
}
