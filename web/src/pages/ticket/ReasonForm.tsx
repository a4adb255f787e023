import { useId, useState, type FormEvent } from 'react';
import { ErrorNote, TextArea } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { fireWithReason, type ReasonEvent } from './ticket-api';
import type { Ticket } from './ticket-words';

export interface ReasonAction {
  event: ReasonEvent;
  label: string;
  tone?: 'danger' | 'secondary';
  /** Not offered to this person; `blocked` says why, beside the buttons. */
  disabled?: boolean;
}

/**
 * One reason and the decisions that are signed with it (deny, flag, cancel; approve, deny).
 * The server's refusal is shown here, in the form it belongs to.
 */
export function ReasonForm({
  ticketId,
  name,
  label,
  actions,
  blocked,
  onDone,
}: {
  ticketId: string;
  /** The form's accessible name. */
  name: string;
  label: string;
  actions: ReasonAction[];
  blocked?: string;
  onDone: (ticket: Ticket, event: ReasonEvent) => void;
}) {
  const blockedId = useId();
  const [reason, setReason] = useState('');
  const action = useAction((event: ReasonEvent) => fireWithReason(ticketId, event, reason.trim()));
  const fieldError = action.error?.fieldMessages.reason;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const chosen = ((event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null)?.value as ReasonEvent | undefined;
    if (!chosen) return;
    const ticket = await action.run(chosen);
    if (!ticket) return;
    setReason('');
    onDone(ticket, chosen);
  };

  return (
    <form className="desk-reason-form" aria-label={name} onSubmit={submit}>
      <TextArea
        label={label}
        name="reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        required
        minLength={3}
        maxLength={1000}
        rows={3}
        error={fieldError}
      />
      <div className="desk-buttons">
        {actions.map((a) => (
          <button
            key={a.event}
            type="submit"
            value={a.event}
            className={a.tone}
            disabled={a.disabled || action.busy}
            aria-describedby={a.disabled && blocked ? blockedId : undefined}
          >
            {a.label}
          </button>
        ))}
        {blocked && (
          <span id={blockedId} className="desk-blocked">
            {blocked}
          </span>
        )}
      </div>
      <ErrorNote error={fieldError ? undefined : action.error} />
    </form>
  );
}
