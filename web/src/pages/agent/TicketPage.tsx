import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { formatTime, LoadState, Panel } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { useMe, type Me } from '../../session/session';
import { AgentActions, agentActions, isWorking } from '../ticket/AgentActions';
import { Approvals } from '../ticket/Approvals';
import { ProofingSteps } from '../ticket/ProofingSteps';
import { HeldNotice, RiskSignals } from '../ticket/RiskSignals';
import { Timeline } from '../ticket/Timeline';
import { TicketBadges, TicketSummary } from '../ticket/TicketSummary';
import { loadTicket, loadTimeline } from '../ticket/ticket-api';
import { FINISHED_STATES, staffText, type Ticket, type TimelineEvent } from '../ticket/ticket-words';

/** A manager's answer, an approval or the regeneration job may change the ticket while it is open on screen. */
const POLL_MS = 4_000;

/** Concerns other staff raised (they may not cancel it): the owner and admins read them here. */
function Concerns({ concerns, myId }: { concerns: Ticket['concerns']; myId: string }) {
  return (
    <ul className="desk-concerns">
      {concerns.map((c) => (
        <li key={`${c.raisedBy}-${c.raisedAt}`}>
          <strong>{staffText(c.raisedBy, myId)}</strong> <span className="muted">{formatTime(c.raisedAt)}</span>
          <p>{c.reason}</p>
        </li>
      ))}
    </ul>
  );
}

/** One recovery ticket, for the agent working it, approvers and admins: the same page, actions by role. */
export function TicketPage() {
  const { id = '' } = useParams();
  const me = useMe();
  const [finished, setFinished] = useState(false);
  const loaded = useLoad(
    async () => {
      const [ticket, events] = await Promise.all([loadTicket(id), loadTimeline(id)]);
      return { ticket, events };
    },
    [id],
    finished ? undefined : POLL_MS,
  );
  const state = loaded.data?.ticket.state;
  useEffect(() => setFinished(state !== undefined && FINISHED_STATES.includes(state)), [state]);

  return (
    <LoadState loaded={loaded}>
      {({ ticket, events }) => <TicketView ticket={ticket} events={events} me={me} onChanged={() => void loaded.reload()} />}
    </LoadState>
  );
}

function TicketView({ ticket, events, me, onChanged }: { ticket: Ticket; events: TimelineEvent[]; me: Me; onChanged: () => void }) {
  const actions = agentActions(ticket, me);
  const back = me.roles.includes('agent')
    ? { to: '/queue', label: 'Queue' }
    : me.roles.includes('approver')
      ? { to: '/approvals', label: 'Approvals' }
      : { to: '/admin/held', label: 'Held tickets' };
  return (
    <>
      <header className="desk-page-head">
        <div>
          <Link className="desk-back" to={back.to}>
            ← {back.label}
          </Link>
          <h1>{ticket.account.displayName}</h1>
          <TicketBadges ticket={ticket} />
        </div>
      </header>
      <Panel title="Risk signals">
        <RiskSignals ticket={ticket} myId={me.id} />
      </Panel>
      <div className="desk-ticket-layout">
        <div>
          <Panel title="Request">
            <TicketSummary ticket={ticket} myId={me.id} />
          </Panel>
          <Panel title="Proofing steps">
            <ProofingSteps ticket={ticket} workable={isWorking(ticket, me)} onChanged={onChanged} />
          </Panel>
        </div>
        <div>
          <HeldNotice ticket={ticket} />
          {(actions.release || actions.withReason.length > 0) && (
            <Panel title="Actions">
              <AgentActions ticket={ticket} me={me} onChanged={onChanged} />
            </Panel>
          )}
          {ticket.approvalsRequired > 0 && (
            <Panel title="Approvals">
              <Approvals ticket={ticket} me={me} onSigned={onChanged} />
            </Panel>
          )}
          {ticket.concerns.length > 0 && (
            <Panel title="Concerns">
              <Concerns concerns={ticket.concerns} myId={me.id} />
            </Panel>
          )}
          <Panel title="Timeline">
            <Timeline events={events} myId={me.id} />
          </Panel>
        </div>
      </div>
    </>
  );
}
