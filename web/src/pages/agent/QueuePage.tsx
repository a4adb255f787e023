import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Badge, ErrorNote, formatDuration, formatTime, LoadState, tierTone } from '../../components/ui';
import { useAction, useLoad } from '../../components/use-load';
import { useMe } from '../../session/session';
import { SignalSummary } from '../ticket/RiskSignals';
import { SlaDue } from '../ticket/SlaDue';
import { claimNext, loadCounts, loadTickets } from '../ticket/ticket-api';
import { FINISHED_STATES, QUEUE_STATES, STATE_LABEL, staffText, words, type Ticket, type TicketState } from '../ticket/ticket-words';

const POLL_MS = 5_000;
const TAKE_NEXT_KEY = 'n';

/** A key press meant for a field, not a shortcut. */
function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || target.closest('input, textarea, select') !== null);
}

/** The recovery queue: tickets by state with counts, and "take next" (also on the N key). */
export function QueuePage() {
  const [params, setParams] = useSearchParams();
  const state = (QUEUE_STATES as readonly string[]).includes(params.get('state') ?? '') ? (params.get('state') as TicketState) : 'open';
  const loaded = useLoad(
    async () => {
      const [counts, page] = await Promise.all([loadCounts(), loadTickets(state)]);
      return { counts, page };
    },
    [state],
    POLL_MS,
  );
  const counts = loaded.data?.counts;

  return (
    <>
      <header className="desk-page-head">
        <div>
          <h1>Recovery queue</h1>
          <p className="muted">Critical first, then nearest to its deadline. Refreshes every few seconds.</p>
        </div>
        <TakeNext onEmpty={() => void loaded.reload()} />
      </header>
      <div className="tabs desk-tabs" role="group" aria-label="Tickets by state">
        {QUEUE_STATES.map((s) => (
          <button
            key={s}
            type="button"
            className={s === FINISHED_STATES[0] ? 'desk-tab-finished' : undefined}
            aria-pressed={s === state}
            onClick={() => setParams(s === 'open' ? {} : { state: s })}
          >
            {STATE_LABEL[s]} <span className="desk-count">{counts ? counts[s] : '…'}</span>
          </button>
        ))}
      </div>
      <section className="panel" aria-label={`${STATE_LABEL[state]} tickets`}>
        <LoadState loaded={loaded} empty={({ page }) => page.items.length === 0 && `No ${STATE_LABEL[state].toLowerCase()} tickets.`}>
          {({ page }) => (
            <>
              <QueueTable tickets={page.items} />
              {page.nextCursor && counts && (
                <p className="muted desk-more">
                  Showing the first {page.items.length} of {counts[state]}, in queue order.
                </p>
              )}
            </>
          )}
        </LoadState>
      </section>
    </>
  );
}

function TakeNext({ onEmpty }: { onEmpty: () => void }) {
  const navigate = useNavigate();
  const [empty, setEmpty] = useState(false);
  // null: the queue is empty (204); undefined: refused, and take.error says why.
  const take = useAction(async () => (await claimNext()) ?? null);
  const run = async () => {
    setEmpty(false);
    const ticket = await take.run();
    if (ticket) void navigate(`/tickets/${ticket.id}`);
    if (ticket === null) {
      setEmpty(true);
      onEmpty();
    }
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== TAKE_NEXT_KEY || event.repeat || event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      event.preventDefault();
      if (!take.busy) void run();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  return (
    <div className="desk-take-next">
      <button type="button" disabled={take.busy} aria-keyshortcuts={TAKE_NEXT_KEY} onClick={() => void run()}>
        {take.busy ? 'Claiming…' : 'Take next'}
      </button>
      <small className="muted">
        or press <kbd>{TAKE_NEXT_KEY.toUpperCase()}</kbd>
      </small>
      {empty && (
        <p role="status" className="notice">
          Nothing to take: no open ticket is waiting for an agent (a held ticket waits for an admin).
        </p>
      )}
      <ErrorNote error={take.error} />
    </div>
  );
}

function waitingText(ticket: Ticket): string {
  const ms = Date.now() - new Date(ticket.createdAt).getTime();
  return ms < 60_000 ? 'Just now' : formatDuration(ms);
}

/** On a phone each row becomes a card (styles.css): the cells say what they are. */
function QueueTable({ tickets }: { tickets: Ticket[] }) {
  const me = useMe();
  return (
    <div className="desk-table-wrap">
      <table className="desk-queue">
        <thead>
          <tr>
            <th>Employee</th>
            <th>Tier</th>
            <th>Risk</th>
            <th className="hide-narrow">Request</th>
            <th>Waiting</th>
            <th>SLA</th>
            <th className="hide-narrow">Agent</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((ticket) => (
            <tr key={ticket.id}>
              <td>
                <Link to={`/tickets/${ticket.id}`}>{ticket.account.displayName}</Link>
                <div className="muted mono desk-small">{ticket.account.externalId}</div>
              </td>
              <td>
                <Badge tone={tierTone(ticket.tier)}>{words(ticket.tier)}</Badge>
              </td>
              <td>
                <SignalSummary ticket={ticket} />
              </td>
              <td className="hide-narrow">
                {words(ticket.reason)}
                <div className="muted desk-small">by {words(ticket.channel).toLowerCase()}</div>
              </td>
              <td data-label="Waiting" title={`Opened ${formatTime(ticket.createdAt)}`}>
                {waitingText(ticket)}
              </td>
              <td>
                <SlaDue ticket={ticket} />
              </td>
              <td className="hide-narrow">{staffText(ticket.assignedTo, me.id)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
