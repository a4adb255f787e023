import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ErrorNote, Field, LoadState } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { useMe } from '../../session/session';
import { isHolding, RiskSignals, SIGNAL_LABEL, type Signal } from '../ticket/RiskSignals';
import { TicketBadges, TicketSummary } from '../ticket/TicketSummary';
import type { Ticket } from '../ticket/ticket-words';
import { MoreButton, PageHead, RefreshButton, ResultNotice } from './admin-ui';
import { useKeysetList } from './use-keyset';
import { isChangeRequest, SecondAdminNote, type ChangeRequest } from './change-requests';

function clearSignal(ticketId: string, signal: Signal['signal'], reason: string): Promise<Ticket | ChangeRequest> {
  return unwrap(api.POST('/v1/tickets/{id}/signals/{signal}/clear', { params: { path: { id: ticketId, signal } }, body: { reason } }));
}

function clearedNotice(outcome: Ticket | ChangeRequest, signal: Signal['signal']): string {
  if (isChangeRequest(outcome))
    return `Waiting for a second admin: change request ${outcome.id} clears ${SIGNAL_LABEL[signal]} once another admin approves it (under Change requests).`;
  const ticket = outcome;
  const who = ticket.account.displayName;
  if (ticket.held) return `${SIGNAL_LABEL[signal]} cleared on the ticket for ${who}; another signal still holds it.`;
  return `Hold cleared on the ticket for ${who}: it can be claimed and approved again. You may not approve it yourself.`;
}

/** Admin: tickets a risk signal holds, oldest first, each hold with a form to clear it (with a reason). */
export function HeldPage() {
  const me = useMe();
  const [notice, setNotice] = useState<string>();
  const list = useKeysetList((cursor) => unwrap(api.GET('/v1/tickets/held', { params: { query: { cursor } } })), []);
  const cleared = (ticket: Ticket | ChangeRequest, signal: Signal['signal']) => {
    setNotice(clearedNotice(ticket, signal));
    void list.reload();
  };

  return (
    <div className="adm-page">
      <PageHead
        title="Held tickets"
        intro="Recovery tickets a risk signal holds: nobody can claim or approve them until an admin has looked and cleared the hold, with a reason that goes into the audit trail. An approved ticket whose subject changed since approval is never regenerated: cancel it. Oldest first."
        actions={<RefreshButton list={list} />}
      />
      <ResultNotice text={notice} />
      <LoadState loaded={list.loaded} empty={(items) => items.length === 0 && 'No ticket is held: nothing is waiting for an admin.'}>
        {(items) => items.map((ticket) => <HeldTicket key={ticket.id} ticket={ticket} myId={me.id} onCleared={cleared} />)}
      </LoadState>
      <MoreButton list={list} />
    </div>
  );
}

function HeldTicket({
  ticket,
  myId,
  onCleared,
}: {
  ticket: Ticket;
  myId: string;
  onCleared: (outcome: Ticket | ChangeRequest, signal: Signal['signal']) => void;
}) {
  return (
    <article className="panel risk-held-ticket" aria-label={`Held: ${ticket.account.displayName}`}>
      <header className="panel-head">
        <h2>{ticket.account.displayName}</h2>
        <TicketBadges ticket={ticket} />
      </header>
      <div className="risk-held-grid">
        <section aria-label="Request">
          <h3>Request</h3>
          <TicketSummary ticket={ticket} myId={myId} />
        </section>
        <section aria-label="Risk signals">
          <h3>Risk signals</h3>
          <RiskSignals
            ticket={ticket}
            myId={myId}
            action={(signal) =>
              signal.signal === 'changed_since_approval' ? (
                // Never cleared: what was approved is not what is on file. The ticket page has the admin's cancel.
                <p>
                  <Link to={`/tickets/${ticket.id}`}>Open the ticket to cancel it</Link>; a new request is proofed and approved against what is on file now.
                </p>
              ) : (
                isHolding(signal) && <ClearForm ticket={ticket} signal={signal.signal} onCleared={onCleared} />
              )
            }
          />
        </section>
      </div>
    </article>
  );
}

/** Clears one hold; the server's refusal (own account, already cleared, closed ticket) is shown here. */
function ClearForm({
  ticket,
  signal,
  onCleared,
}: {
  ticket: Ticket;
  signal: Signal['signal'];
  onCleared: (outcome: Ticket | ChangeRequest, signal: Signal['signal']) => void;
}) {
  const [reason, setReason] = useState('');
  const clear = useAction(() => clearSignal(ticket.id, signal, reason.trim()));
  const fieldError = clear.error?.fieldMessages.reason;
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const updated = await clear.run();
    if (updated) onCleared(updated, signal);
  };
  return (
    <form className="risk-clear-form" aria-label={`Clear: ${SIGNAL_LABEL[signal]}`} onSubmit={submit}>
      <Field
        label="Reason for clearing"
        hint="Recorded in the audit trail, e.g. how you confirmed the change with the employee."
        name="reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        required
        minLength={3}
        maxLength={1000}
        error={fieldError}
      />
      <SecondAdminNote show />
      <button type="submit" disabled={clear.busy}>
        {clear.busy ? 'Clearing…' : 'Clear hold'}
      </button>
      <ErrorNote error={fieldError ? undefined : clear.error} />
    </form>
  );
}
