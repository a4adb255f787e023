import type { StaffRole } from '../common/auth/staff-roles';
import { TERMINAL_STATES, TicketState } from '../tickets/ticket.machine';

/**
 * What a drill reader may see of a drill. A drill runner sees it all, the message store (OTPs, link tokens) too.
 * An auditor sees outcomes, never the message store, and not which ticket (or whose account) is the drill's while
 * that ticket is still live: an auditor who knew could tell a worker which queue ticket to treat differently.
 * Pure: the controller asks it for every drill it answers with.
 */
export interface DrillSight {
  messages: boolean;
  target: boolean;
}

export function drillSight(roles: readonly StaffRole[], ticketState: string | null): DrillSight {
  if (roles.includes('drill_runner')) return { messages: true, target: true };
  return { messages: false, target: ticketState !== null && TERMINAL_STATES.includes(ticketState as TicketState) };
}

/** A scenario without whom it aims at (its `target`), for a reader who may not see that yet. */
export function withoutTarget(scenario: Record<string, unknown>): Record<string, unknown> {
  const { target: _target, ...rest } = scenario;
  return rest;
}
