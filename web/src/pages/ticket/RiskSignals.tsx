import type { ReactNode } from 'react';
import { Badge, formatTime } from '../../components/ui';
import { staffText, type Ticket } from './ticket-words';

export type Signal = Ticket['signals'][number];

/** Each signal in words (docs/tickets.md, Risk signals); the server's `reason` says why it was raised on this ticket. */
export const SIGNAL_LABEL: Record<Signal['signal'], string> = {
  channel_recently_changed: 'Registered e-mail or phone changed recently',
  reset_velocity: 'Many recovery requests',
  callback_not_on_file: 'Callback not on file',
  manager_not_independent: 'Approval from the manager chain',
  subject_reported_not_me: 'Subject said “this wasn’t me”',
  tier_recently_lowered: 'Tier lowered recently',
  manager_recently_changed: 'Manager (or manager’s e-mail) changed recently',
  approver_recently_privileged: 'Approval from a new approver',
  changed_since_approval: 'Subject’s channels, manager or tier changed since approval',
};

/** What a hold stops, said where the actions are. */
export const HELD_TEXT = 'Held by a risk signal: this ticket cannot be claimed or approved until an admin clears it.';
/** An approved ticket held at regeneration (changed_since_approval): no admin clears that. */
export const HELD_AFTER_APPROVAL_TEXT =
  'Held: the subject’s channels, manager or tier changed since approval, so no codes will be delivered. An admin cancels it; a new request is proofed and approved against what is on file.';

/** A signal that stops the ticket now: it holds it and no admin has cleared it. */
export const isHolding = (signal: Signal) => signal.holds && signal.clearedAt === null;

/** "1 signal", "3 signals". */
export const signalCount = (n: number) => `${n} signal${n === 1 ? '' : 's'}`;

function holdText(signal: Signal, myId: string): string {
  if (!signal.holds) return 'Does not hold the ticket.';
  if (!signal.clearedAt) return 'Held until an admin clears it.';
  return `Cleared by ${staffText(signal.clearedBy, myId)} at ${formatTime(signal.clearedAt)}, reason “${signal.clearReason ?? '—'}”.`;
}

/**
 * The ticket's risk signals: each one's label, the server's reason, and whether it holds the ticket. A hold
 * is styled as danger, the others as warnings, and each says so in words too. `action` adds a control under
 * a signal (the admin's Clear form). Every ticket renders the same structure, drill or not.
 */
export function RiskSignals({ ticket, myId, action }: { ticket: Ticket; myId: string; action?: (signal: Signal) => ReactNode }) {
  if (ticket.signals.length === 0) return <p className="muted risk-none">No risk signals raised.</p>;
  return (
    <ul className="risk-signals" aria-label="Risk signals">
      {ticket.signals.map((signal) => {
        const tone = isHolding(signal) ? 'danger' : signal.holds ? 'ok' : 'warn';
        return (
          <li key={signal.signal} className={`risk-signal risk-signal-${tone}`}>
            <div className="risk-signal-head">
              <strong>{SIGNAL_LABEL[signal.signal]}</strong>
              <Badge tone={tone}>{isHolding(signal) ? 'Holds the ticket' : signal.holds ? 'Cleared' : 'Warning'}</Badge>
            </div>
            <p className="risk-reason">{signal.reason}</p>
            <p className="risk-hold">
              {holdText(signal, myId)} <span className="muted">Raised {formatTime(signal.raisedAt)}.</span>
            </p>
            {action?.(signal)}
          </li>
        );
      })}
    </ul>
  );
}

/** Said plainly beside the actions while a signal holds the ticket. */
export function HeldNotice({ ticket }: { ticket: Ticket }) {
  if (!ticket.held) return null;
  return (
    <p className="risk-held" role="status">
      {ticket.state === 'approved' ? HELD_AFTER_APPROVAL_TEXT : HELD_TEXT}
    </p>
  );
}

/** The queue's view of a ticket's signals: "Held" when one holds it, and how many were raised. */
export function SignalSummary({ ticket }: { ticket: Ticket }) {
  if (ticket.signals.length === 0) return <span className="muted">No signals</span>;
  return (
    <span className="risk-summary">
      {ticket.held && <Badge tone="danger">Held</Badge>}
      <Badge tone="warn">{signalCount(ticket.signals.length)}</Badge>
    </span>
  );
}
