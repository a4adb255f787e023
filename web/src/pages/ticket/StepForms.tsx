import { useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../../api/client';
import { ErrorNote, Field, Select, TextArea } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { startStep, submitStep, type StepEvidence } from './ticket-api';
import { DOCUMENT_TYPES, type DocumentType, type Step, type Ticket } from './ticket-words';

interface StepFormProps {
  ticket: Ticket;
  step: Step;
  onChanged: () => void;
}

/** The form for one step of the ticket the signed-in agent is working. */
export function StepForm(props: StepFormProps) {
  switch (props.step.step) {
    case 'registered_channel_otp':
      return <OtpForms {...props} />;
    case 'manager_attestation':
      return <ManagerLinkForm {...props} />;
    case 'directory_facts':
      return <DirectoryFactsForm {...props} />;
    case 'government_id':
      return <GovernmentIdForm {...props} />;
    case 'video_call':
      return <VideoCallForm {...props} />;
  }
}

/** A step's form: its fields, one submit button, and the server's refusal under them. */
function StepFormFrame({
  name,
  submit,
  secondary,
  busy,
  error,
  onSubmit,
  children,
}: {
  name: string;
  submit: string;
  /** Not the next thing to do (sending another code once one is out). */
  secondary?: boolean;
  busy: boolean;
  error?: ApiError;
  onSubmit: () => Promise<unknown>;
  children?: ReactNode;
}) {
  const handle = (event: FormEvent) => {
    event.preventDefault();
    void onSubmit();
  };
  return (
    <form className="desk-step-form" aria-label={name} onSubmit={handle}>
      {children}
      <div className="desk-buttons">
        <button type="submit" className={secondary ? 'secondary' : undefined} disabled={busy}>
          {busy ? 'Working…' : submit}
        </button>
      </div>
      <ErrorNote error={error && Object.keys(error.fieldMessages).length === 0 ? error : undefined} />
    </form>
  );
}

type Changeable = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A step's evidence form: its fields' values, the submit (the ticket reloads once the server took it), the refusal. */
function useEvidence<F extends Record<string, string>>({ ticket, step, onChanged }: StepFormProps, initial: F) {
  const [values, setValues] = useState(initial);
  const action = useAction((evidence: StepEvidence) => submitStep(ticket.id, step.step, evidence));
  return {
    values,
    field: (name: keyof F & string) => ({
      name,
      value: values[name],
      onChange: (e: ChangeEvent<Changeable>) => setValues((now) => ({ ...now, [name]: e.target.value })),
    }),
    error: (name: keyof F & string) => action.error?.fieldMessages[name],
    frame: { busy: action.busy, error: action.error },
    send: async (evidence: StepEvidence) => {
      if (!(await action.run(evidence))) return;
      setValues(initial);
      onChanged();
    },
  };
}

function OtpForms(props: StepFormProps) {
  const { ticket, step, onChanged } = props;
  const [channel, setChannel] = useState<'sms' | 'email'>('sms');
  const sendCode = useAction(() => startStep(ticket.id, step.step, channel));
  const check = useEvidence(props, { code: '' });
  const sent = step.status === 'sent';
  return (
    <>
      <StepFormFrame
        name="Send the code"
        submit={sent ? 'Send a new code' : 'Send code'}
        secondary={sent}
        busy={sendCode.busy}
        error={sendCode.error}
        onSubmit={async () => (await sendCode.run()) && onChanged()}
      >
        <Select
          label="Send the code to"
          name="channel"
          value={channel}
          onChange={(e) => setChannel(e.target.value as 'sms' | 'email')}
          options={[
            ['sms', `Phone (SMS): ${ticket.account.phone}`],
            ['email', `E-mail: ${ticket.account.email}`],
          ]}
        />
        <p className="muted desk-hint">Only the channels on file: never a number or address the caller gives.</p>
      </StepFormFrame>
      {sent && (
        <StepFormFrame name="Check the code" submit="Check code" {...check.frame} onSubmit={() => check.send({ code: check.values.code.trim() })}>
          <Field
            label="Code the caller reads back"
            {...check.field('code')}
            inputMode="numeric"
            autoComplete="off"
            pattern="\d{6,8}"
            maxLength={8}
            required
            error={check.error('code')}
            hint="Ask the caller to read it from their registered phone or inbox. Never read a code out to them."
          />
          {step.attempts > 0 && (
            <p role="status" className="desk-warning">
              That code did not match ({step.attempts} wrong read-back{step.attempts === 1 ? '' : 's'}). Too many wrong read-backs deny the ticket.
            </p>
          )}
        </StepFormFrame>
      )}
    </>
  );
}

function ManagerLinkForm({ ticket, step, onChanged }: StepFormProps) {
  const send = useAction(() => startStep(ticket.id, step.step));
  const waiting = step.status === 'sent' && step.expiresAt !== null && new Date(step.expiresAt).getTime() > Date.now();
  if (waiting) {
    return (
      <p role="status" className="notice">
        The link went to the manager on file. Waiting for their answer: this page refreshes by itself.
      </p>
    );
  }
  return (
    <StepFormFrame
      name="Send the manager’s link"
      submit={step.status === 'sent' ? 'Send a new link' : 'Send link to the manager'}
      busy={send.busy}
      error={send.error}
      onSubmit={async () => (await send.run()) && onChanged()}
    >
      <p className="muted desk-hint">A one-time link to the manager on file, who confirms or rejects the request.</p>
    </StepFormFrame>
  );
}

function DirectoryFactsForm(props: StepFormProps) {
  const form = useEvidence(props, { employeeNumber: '', costCentre: '' });
  const { employeeNumber, costCentre } = form.values;
  return (
    <StepFormFrame
      name="Check directory facts"
      submit="Check facts"
      {...form.frame}
      onSubmit={() => form.send({ employeeNumber: employeeNumber.trim(), costCentre: costCentre.trim() })}
    >
      <div className="row">
        <Field label="Employee number" {...form.field('employeeNumber')} autoComplete="off" required maxLength={64} error={form.error('employeeNumber')} />
        <Field label="Cost centre" {...form.field('costCentre')} autoComplete="off" required maxLength={64} error={form.error('costCentre')} />
      </div>
      <p className="muted desk-hint">As the caller says them. The server compares and answers only pass or fail; a mismatch denies the ticket.</p>
    </StepFormFrame>
  );
}

function GovernmentIdForm(props: StepFormProps) {
  const form = useEvidence(props, { documentType: 'passport' as string, last4: '', note: '' });
  const { documentType, last4, note } = form.values;
  return (
    <StepFormFrame
      name="Record the ID check"
      submit="Record ID check"
      {...form.frame}
      onSubmit={() => form.send({ documentType: documentType as DocumentType, last4: last4.trim(), note: note.trim() })}
    >
      <div className="row">
        <Select label="Document checked" {...form.field('documentType')} options={DOCUMENT_TYPES} />
        <Field
          label="Last 4 of the document number"
          {...form.field('last4')}
          autoComplete="off"
          required
          pattern="[A-Za-z0-9]{4}"
          maxLength={4}
          error={form.error('last4')}
        />
      </div>
      <TextArea label="What you checked" {...form.field('note')} required minLength={10} maxLength={1000} rows={3} error={form.error('note')} />
    </StepFormFrame>
  );
}

function VideoCallForm(props: StepFormProps) {
  const form = useEvidence(props, { note: '', minutes: '' });
  const { note, minutes } = form.values;
  return (
    <StepFormFrame
      name="Record the video call"
      submit="Record video call"
      {...form.frame}
      onSubmit={() => form.send({ note: note.trim(), ...(minutes ? { minutes: Number(minutes) } : {}) })}
    >
      <TextArea label="What you saw and asked" {...form.field('note')} required minLength={10} maxLength={1000} rows={3} error={form.error('note')} />
      <Field label="Call length in minutes (optional)" {...form.field('minutes')} type="number" min={1} max={180} error={form.error('minutes')} />
    </StepFormFrame>
  );
}
