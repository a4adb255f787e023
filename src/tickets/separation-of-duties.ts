import type { Staff } from '../staff/staff.entity';

/** The facts separation of duties looks at for one ticket. */
export interface TicketPeople {
  accountId: string;
  /** The staff member who opened it (null when the service or the subject did). */
  openedBy: string | null;
  assignedTo: string | null;
  /** Staff ids that decided a proofing step. */
  proofedBy: string[];
  /** Staff ids that already signed (approved or denied). */
  signedBy: string[];
  /** Admins who cleared a risk signal's hold on it: the one who lifted a stop does not also sign it through. */
  clearedHoldsBy: string[];
  /** Accounts of the managers who answered its attestation: staff linked to them already hold one control. */
  attestedBy: string[];
}

/** Why this staff member may not approve this ticket, or undefined when they may. */
export function approvalRefusal(staff: Staff, ticket: TicketPeople): string | undefined {
  if (staff.accountId === ticket.accountId) return 'the subject of a ticket cannot approve it';
  if (staff.id === ticket.assignedTo || ticket.proofedBy.includes(staff.id)) return 'the agent who proofed a ticket cannot approve it';
  if (staff.id === ticket.openedBy) return 'one person, one control: the staff member who opened a ticket cannot approve it';
  if (staff.accountId && ticket.attestedBy.includes(staff.accountId))
    return 'one person, one control: the manager who answered the attestation cannot also approve';
  if (ticket.signedBy.includes(staff.id)) return 'each approver signs a ticket once; another approver must';
  if (ticket.clearedHoldsBy.includes(staff.id)) return 'the admin who cleared a hold on a ticket (or asked for it to be cleared) cannot approve it';
  return undefined;
}

/** Why this staff member may not work (open or proof) a ticket for this account. */
export function agentRefusal(staff: Staff, accountId: string): string | undefined {
  if (staff.accountId === accountId) return 'nobody may work a recovery ticket for their own account';
  return undefined;
}

/** Drill runners never work drill tickets: they know which they are. */
export function drillRunnerRefusal(staff: Staff, ticket: { isDrill: boolean }): string | undefined {
  if (ticket.isDrill && staff.roles.includes('drill_runner')) return 'a drill runner cannot work or sign this ticket';
  return undefined;
}

/**
 * Why this staff member may not claim, proof or approve a ticket whose subject reports (directly or further up) to
 * `chain`: the manager's attestation is that line's one control, and one person may not hold two.
 */
export function managerChainRefusal(staff: Staff, chain: readonly string[]): string | undefined {
  if (staff.accountId && chain.includes(staff.accountId)) {
    return "one person, one control: nobody in the subject's reporting line (their manager or anyone above) may claim, proof or approve their ticket";
  }
  return undefined;
}

/**
 * The role in which this staff member cancels this ticket: an admin; the ticket's owner (the agent assigned to it,
 * or before anyone claims it the staff member who opened it); anyone else, undefined (they may raise a concern).
 */
export function cancellerRole(staff: Staff, ticket: { assignedTo: string | null; openedBy: string }): 'admin' | 'owner' | undefined {
  if (staff.roles.includes('admin')) return 'admin';
  return ticketOwner(ticket) === staff.id ? 'owner' : undefined;
}

/** The staff member who owns a ticket: its assigned agent, else the staff member who opened it (null when the subject or the service did). */
export function ticketOwner(ticket: { assignedTo: string | null; openedBy: string }): string | null {
  return ticket.assignedTo ?? (ticket.openedBy.startsWith('staff:') ? ticket.openedBy.slice('staff:'.length) : null);
}
