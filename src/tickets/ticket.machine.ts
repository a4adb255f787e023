/**
 * THE transition table of a recovery ticket. Nothing else changes a ticket's
 * state: TicketsService.transition looks the (state, event) pair up here,
 * checks the actor's role and the guard, writes the new state and the audit
 * event, and performs the listed effects, all in one transaction.
 */
export const TICKET_STATES = [
  'open',
  'proofing',
  'awaiting_approval',
  'approved',
  'regenerating',
  'completed',
  'denied',
  'cancelled',
  'expired',
  'failed',
  'superseded',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export const TICKET_EVENTS = [
  'claim',
  'release',
  'steps_passed',
  'step_failed',
  'flag',
  'deny',
  'approve',
  'cancel',
  'expire',
  'start_regeneration',
  'complete',
  'fail',
  'retry',
  'supersede',
  'hold',
] as const;
export type TicketEvent = (typeof TICKET_EVENTS)[number];

/**
 * Who may fire an event: a staff role, the service itself, or the subject through their one-time link.
 * `owner`: the agent a ticket is assigned to, or, before anyone claims it, the staff member who opened it
 * (src/tickets/ticket-owner.ts); another agent may raise a concern about it but not cancel it.
 * `system` cancels a live ticket when its account is deactivated (a leaver: src/tickets/leavers.service.ts).
 */
export type Actor = 'agent' | 'owner' | 'approver' | 'admin' | 'system' | 'subject';

/** Facts a guard may look at; the service fills them in from the locked row. */
export interface GuardFacts {
  needsApproval: boolean;
  approvalsReached: boolean;
  allStepsPassed: boolean;
  coolingOffElapsed: boolean;
  /** A risk signal holds the ticket until an admin clears it (src/tickets/risk/). */
  heldBySignal: boolean;
}

export type Guard = keyof GuardFacts | `not:${keyof GuardFacts}`;

export type Effect =
  /** Records on the ticket the subject's tier, channels and manager the approval relied on (tickets.approved_facts). */
  'fix_approved_facts' | 'assign_actor' | 'unassign' | 'alert_security' | 'notify_subject_approved' | 'schedule_regeneration' | 'notify_subject_outcome';

export interface Transition {
  from: TicketState;
  event: TicketEvent;
  to: TicketState;
  by: readonly Actor[];
  /** One guard, or several that must all hold. */
  guard?: Guard | readonly Guard[];
  effects?: readonly Effect[];
}

// prettier-ignore
export const TRANSITIONS: readonly Transition[] = [
  { from: 'open',              event: 'claim',              to: 'proofing',          by: ['agent'], guard: 'not:heldBySignal', effects: ['assign_actor'] },
  { from: 'open',              event: 'cancel',             to: 'cancelled',         by: ['owner', 'admin', 'subject', 'system'], effects: ['notify_subject_outcome'] },
  { from: 'open',              event: 'expire',             to: 'expired',           by: ['system'],                     effects: ['notify_subject_outcome'] },
  { from: 'proofing',          event: 'release',            to: 'open',              by: ['agent'],                      effects: ['unassign'] },
  { from: 'proofing',          event: 'steps_passed',       to: 'awaiting_approval', by: ['system'], guard: 'needsApproval' },
  { from: 'proofing',          event: 'steps_passed',       to: 'approved',          by: ['system'], guard: 'not:needsApproval', effects: ['fix_approved_facts', 'notify_subject_approved', 'schedule_regeneration'] },
  { from: 'proofing',          event: 'step_failed',        to: 'denied',            by: ['system'],                     effects: ['alert_security', 'notify_subject_outcome'] },
  { from: 'proofing',          event: 'flag',               to: 'denied',            by: ['agent'],                      effects: ['alert_security', 'notify_subject_outcome'] },
  { from: 'proofing',          event: 'deny',               to: 'denied',            by: ['agent'],                      effects: ['notify_subject_outcome'] },
  { from: 'proofing',          event: 'cancel',             to: 'cancelled',         by: ['owner', 'admin', 'subject', 'system'], effects: ['notify_subject_outcome'] },
  { from: 'proofing',          event: 'expire',             to: 'expired',           by: ['system'],                     effects: ['notify_subject_outcome'] },
  { from: 'awaiting_approval', event: 'approve',            to: 'approved',          by: ['approver'], guard: ['approvalsReached', 'not:heldBySignal'], effects: ['fix_approved_facts', 'notify_subject_approved', 'schedule_regeneration'] },
  { from: 'awaiting_approval', event: 'deny',               to: 'denied',            by: ['approver'],                   effects: ['notify_subject_outcome'] },
  { from: 'awaiting_approval', event: 'cancel',             to: 'cancelled',         by: ['owner', 'admin', 'subject', 'system'], effects: ['notify_subject_outcome'] },
  { from: 'awaiting_approval', event: 'expire',             to: 'expired',           by: ['system'],                     effects: ['notify_subject_outcome'] },
  { from: 'approved',          event: 'start_regeneration', to: 'regenerating',      by: ['system'], guard: ['coolingOffElapsed', 'not:heldBySignal'] },
  { from: 'approved',          event: 'cancel',             to: 'cancelled',         by: ['admin', 'subject', 'system'], effects: ['alert_security', 'notify_subject_outcome'] },
  { from: 'regenerating',      event: 'complete',           to: 'completed',         by: ['system'] },
  // The subject's channels, manager or tier changed since approval (changed_since_approval): nothing is delivered.
  { from: 'regenerating',      event: 'hold',               to: 'approved',          by: ['system'],                     effects: ['alert_security'] },
  { from: 'regenerating',      event: 'fail',               to: 'failed',            by: ['system'],                     effects: ['alert_security'] },
  { from: 'failed',            event: 'retry',              to: 'approved',          by: ['admin'],                      effects: ['schedule_regeneration'] },
  // A newer request for the same account withdraws the one not yet regenerating (TicketsService.openNewest).
  { from: 'open',              event: 'supersede',          to: 'superseded',        by: ['system'] },
  { from: 'proofing',          event: 'supersede',          to: 'superseded',        by: ['system'] },
  { from: 'awaiting_approval', event: 'supersede',          to: 'superseded',        by: ['system'] },
  { from: 'approved',          event: 'supersede',          to: 'superseded',        by: ['system'] },
];

export const TERMINAL_STATES: readonly TicketState[] = ['completed', 'denied', 'cancelled', 'expired', 'superseded'];

export function guardsOf(transition: Pick<Transition, 'guard'>): readonly Guard[] {
  const { guard } = transition;
  return guard === undefined ? [] : typeof guard === 'string' ? [guard] : guard;
}

export function guardHolds(guard: Guard, facts: GuardFacts): boolean {
  return guard.startsWith('not:') ? !facts[guard.slice(4) as keyof GuardFacts] : facts[guard as keyof GuardFacts];
}

export type Decision =
  | { ok: true; transition: Transition }
  | { ok: false; reason: 'not_allowed_in_state' | 'actor_not_allowed'; allowedEvents: TicketEvent[] }
  /** `failedGuards`: the guards that did not hold, so the refusal can say why (e.g. held by a risk signal). */
  | { ok: false; reason: 'guard_failed'; allowedEvents: TicketEvent[]; failedGuards: Guard[] };

/** The events that have a row from this state (what a 409 lists as allowed). */
export function allowedEvents(state: TicketState): TicketEvent[] {
  return [...new Set(TRANSITIONS.filter((t) => t.from === state).map((t) => t.event))];
}

/** Looks up the one transition for (state, event, actor) whose guard holds. */
export function decide(state: TicketState, event: TicketEvent, actor: Actor, facts: GuardFacts): Decision {
  const allowed = allowedEvents(state);
  const rows = TRANSITIONS.filter((t) => t.from === state && t.event === event);
  if (rows.length === 0) return { ok: false, reason: 'not_allowed_in_state', allowedEvents: allowed };
  const permitted = rows.filter((t) => t.by.includes(actor));
  if (permitted.length === 0) return { ok: false, reason: 'actor_not_allowed', allowedEvents: allowed };
  const transition = permitted.find((t) => guardsOf(t).every((g) => guardHolds(g, facts)));
  if (!transition) {
    const failedGuards = [...new Set(permitted.flatMap((t) => guardsOf(t).filter((g) => !guardHolds(g, facts))))];
    return { ok: false, reason: 'guard_failed', allowedEvents: allowed, failedGuards };
  }
  return { ok: true, transition };
}

/** The table as a Mermaid state diagram: docs/tickets.md shows this, and a test keeps it current. */
export function renderMermaid(): string {
  const lines = ['stateDiagram-v2', '  [*] --> open'];
  for (const t of TRANSITIONS) {
    const guards = guardsOf(t);
    const label = [t.event, guards.length ? `[${guards.join(' & ')}]` : '', `(${t.by.join(', ')})`].filter(Boolean).join(' ');
    lines.push(`  ${t.from} --> ${t.to}: ${label}`);
  }
  for (const state of TERMINAL_STATES) lines.push(`  ${state} --> [*]`);
  return lines.join('\n');
}
