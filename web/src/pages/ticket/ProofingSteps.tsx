import { Badge, formatTime } from '../../components/ui';
import { StepForm } from './StepForms';
import { sentToText, STEP_LABEL, words, type Step, type Ticket } from './ticket-words';

const STATUS: Record<Step['status'], { text: string; tone: 'neutral' | 'info' | 'ok' | 'danger' }> = {
  pending: { text: 'Not started', tone: 'neutral' },
  sent: { text: 'Sent, waiting', tone: 'info' },
  passed: { text: 'Passed', tone: 'ok' },
  failed: { text: 'Failed', tone: 'danger' },
};

/** Steps that send something (a code, a link) before they can be decided. */
const SENDS: readonly Step['step'][] = ['registered_channel_otp', 'manager_attestation'];

/** What the agent attested: document, last 4, note, call length (system-verified steps have none). */
function evidenceText(evidence: Step['evidence']): string {
  if (!evidence) return '—';
  const { documentType, last4, note, minutes } = evidence as { documentType?: string; last4?: string; note?: string; minutes?: number | null };
  return [documentType && `${words(documentType)} ending ${last4 ?? '????'}`, minutes && `${minutes} min call`, note].filter(Boolean).join(' · ') || '—';
}

/**
 * The ticket's required steps with their outcome. `workable` adds each open step's form:
 * only for the agent working the ticket while it is proofing.
 */
export function ProofingSteps({
  ticket,
  workable,
  onChanged,
  stepHeading: Heading = 'h3',
}: {
  ticket: Ticket;
  workable: boolean;
  onChanged: () => void;
  stepHeading?: 'h3' | 'h4';
}) {
  return (
    <ol className="desk-steps">
      {ticket.steps.map((step) => {
        const status = STATUS[step.status];
        const decided = step.status === 'passed' || step.status === 'failed';
        return (
          <li key={step.step} className="desk-step">
            <div className="desk-step-head">
              <Heading>{STEP_LABEL[step.step]}</Heading>
              <span className="muted">{step.kind === 'system' ? 'System-verified' : 'Attested by the agent'}</span>
              <Badge tone={status.tone}>{status.text}</Badge>
            </div>
            <dl className="desk-facts desk-facts-compact">
              {SENDS.includes(step.step) && (
                <>
                  <dt>Sent to</dt>
                  <dd>{sentToText(step.sentTo, ticket.account)}</dd>
                </>
              )}
              {step.step === 'registered_channel_otp' && (
                <>
                  <dt>Read-backs</dt>
                  <dd>{step.attempts}</dd>
                </>
              )}
              {step.kind === 'attested' && (
                <>
                  <dt>Evidence</dt>
                  <dd>{evidenceText(step.evidence)}</dd>
                </>
              )}
              {SENDS.includes(step.step) && !decided ? (
                <>
                  <dt>Expires</dt>
                  <dd>{formatTime(step.expiresAt)}</dd>
                </>
              ) : (
                <>
                  <dt>Decided</dt>
                  <dd>{formatTime(step.decidedAt)}</dd>
                </>
              )}
            </dl>
            {workable && !decided && <StepForm ticket={ticket} step={step} onChanged={onChanged} />}
          </li>
        );
      })}
    </ol>
  );
}
