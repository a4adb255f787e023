import type { DrillOutcome } from './drill.entity';

/** The audit events of a drill ticket that scoring reads (oldest first). */
export interface ScoredEvent {
  action: string;
  actorKind: string;
  actorId: string | null;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

export interface Score {
  outcome: DrillOutcome;
  /** The step (or `approval`, `flag`, `deny`) at which the impostor was stopped or got through. */
  step: string | null;
  /** Who acted: `staff:<id>`, `manager:<id>`, or null when nobody decided. */
  by: string | null;
  at: Date | null;
  /** Why it ended without a decision (inconclusive only). */
  reason?: string;
}

/** Why a drill whose ticket closed without a decisive act ended inconclusive, by the ticket's final state. */
const ENDED_BY: Partial<Record<string, string>> = {
  superseded: 'pre-empted by a real request',
  expired: 'the ticket expired',
  cancelled: 'the ticket was cancelled',
  completed: 'the ticket completed without a decisive act',
  denied: 'the ticket was denied without a decisive act',
};

const ATTESTED = new Set(['government_id', 'video_call']);

/**
 * The first decisive act decides a drill. Passed: staff denied or flagged it, or
 * a system-verified step stopped the impostor. Failed: an agent attested a step
 * for the impostor, or an approver approved. A ticket that ended otherwise
 * (expired, cancelled, superseded by a real request) is inconclusive, with the
 * reason; one still open is undecided.
 */
export function scoreDrill(events: ScoredEvent[], ticketState: string): Score | undefined {
  for (const e of events) {
    const by = e.actorId ? `${e.actorKind}:${e.actorId}` : e.actorKind;
    const step = typeof e.payload.step === 'string' ? e.payload.step : null;
    if (e.action === 'ticket.step_passed' && step && ATTESTED.has(step)) return { outcome: 'failed', step, by, at: e.occurredAt };
    if (e.action === 'ticket.signed' && e.payload.decision === 'approve') return { outcome: 'failed', step: 'approval', by, at: e.occurredAt };
    if (e.action === 'ticket.signed' && e.payload.decision === 'deny') return { outcome: 'passed', step: 'approval', by, at: e.occurredAt };
    if (e.action === 'ticket.step_failed_check') return { outcome: 'passed', step, by, at: e.occurredAt };
    if (e.action === 'ticket.flag') return { outcome: 'passed', step: 'flag', by, at: e.occurredAt };
    if (e.action === 'ticket.deny') return { outcome: 'passed', step: 'deny', by, at: e.occurredAt };
  }
  const reason = ENDED_BY[ticketState];
  if (reason) return { outcome: 'inconclusive', step: null, by: null, at: null, reason };
  return undefined;
}
