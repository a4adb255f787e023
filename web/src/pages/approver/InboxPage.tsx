import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, LoadState, tierTone } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { useMe, type Me } from '../../session/session';
import { Approvals } from '../ticket/Approvals';
import { ProofingSteps } from '../ticket/ProofingSteps';
import { HeldNotice, RiskSignals } from '../ticket/RiskSignals';
import { SlaDue } from '../ticket/SlaDue';
import { callbackText } from '../ticket/TicketSummary';
import { loadTickets, type ReasonEvent } from '../ticket/ticket-api';
import { staffText, words, type Ticket } from '../ticket/ticket-words';

const POLL_MS = 5_000;

function signedNotice(ticket: Ticket, event: ReasonEvent): string {
  const who = ticket.account.displayName;
  if (event === 'deny') return `You denied the recovery for ${who}.`;
  if (ticket.state === 'approved') return `You approved the recovery for ${who}: new codes will be issued to them.`;
  return `Your approval for ${who} is recorded; another approver must also sign.`;
}

/** Tickets waiting for an approver's signature, each with its proofing record. */
export function InboxPage() {
  const me = useMe();
  const [notice, setNotice] = useState<string>();
  const loaded = useLoad(() => loadTickets('awaiting_approval'), [], POLL_MS);
  const onSigned = (ticket: Ticket, event: ReasonEvent) => {
    setNotice(signedNotice(ticket, event));
    void loaded.reload();
  };
  return (
    <>
      <header className="desk-page-head">
        <div>
          <h1>Approvals</h1>
          <p className="muted">
            Recoveries an agent has proofed, waiting for your signature. Nobody signs a ticket they proofed, their own, or one they already signed.
          </p>
        </div>
      </header>
      {notice && (
        <p role="status" className="notice desk-notice">
          {notice}
        </p>
      )}
      <LoadState loaded={loaded} empty={(page) => page.items.length === 0 && 'Nothing is waiting for approval.'}>
        {(page) => (
          <>
            {page.items.map((ticket) => (
              <InboxItem key={ticket.id} ticket={ticket} me={me} onSigned={onSigned} />
            ))}
            {page.nextCursor && <p className="muted">Showing the {page.items.length} nearest to their deadline; sign these first.</p>}
          </>
        )}
      </LoadState>
    </>
  );
}

function InboxItem({ ticket, me, onSigned }: { ticket: Ticket; me: Me; onSigned: (ticket: Ticket, event: ReasonEvent) => void }) {
  return (
    <article className="panel desk-inbox-item" aria-label={`Recovery for ${ticket.account.displayName}`}>
      <header className="panel-head">
        <h2>
          <Link to={`/tickets/${ticket.id}`}>{ticket.account.displayName}</Link>
        </h2>
        <p className="desk-badges">
          <Badge tone={tierTone(ticket.tier)}>{words(ticket.tier)}</Badge>
          <span className="muted">
            {words(ticket.reason)}, by {words(ticket.channel).toLowerCase()}
          </span>
          <span className="muted">·</span>
          <SlaDue ticket={ticket} />
        </p>
      </header>
      <section aria-label="Risk signals" className="risk-inbox">
        <h3>Risk signals</h3>
        <RiskSignals ticket={ticket} myId={me.id} />
      </section>
      <div className="desk-inbox-grid">
        <section aria-label="Proofing record">
          <h3>Proofing record</h3>
          <dl className="desk-facts desk-facts-compact desk-record">
            <dt>Proofed by</dt>
            <dd>{staffText(ticket.assignedTo, me.id)}</dd>
            <dt>Employee</dt>
            <dd className="mono">{ticket.account.externalId}</dd>
            <dt>Callback as given</dt>
            <dd>{callbackText(ticket.callback)}</dd>
            <dt>Notes</dt>
            <dd>{ticket.notes ?? '—'}</dd>
          </dl>
          <ProofingSteps ticket={ticket} workable={false} onChanged={() => undefined} stepHeading="h4" />
        </section>
        <section aria-label="Decision">
          <h3>Decision</h3>
          <HeldNotice ticket={ticket} />
          <Approvals ticket={ticket} me={me} onSigned={onSigned} />
        </section>
      </div>
    </article>
  );
}
