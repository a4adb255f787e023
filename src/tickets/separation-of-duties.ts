import type { Staff } from '../staff/staff.entity';

/** The facts separation of duties looks at for one ticket. */
export interface TicketPeople {
  accountId: string;
  assignedTo: string | null;
  /** Staff ids that decided a proofing step. */
  proofedBy: string[];
  /** Staff ids that already signed (approved or denied). */
  signedBy: string[];
  /** Admins who cleared a risk signal's hold on it: the one who lifted a stop does not also sign it through. */
  clearedHoldsBy: string[];
}

/** Why this staff member may not approve this ticket, or undefined when they may. */
export function approvalRefusal(staff: Staff, ticket: TicketPeople): string | undefined {
  if (staff.accountId === ticket.accountId) return 'the subject of a ticket cannot approve it';
  if (staff.id === ticket.assignedTo || ticket.proofedBy.includes(staff.id)) return 'the agent who proofed a ticket cannot approve it';
  if (ticket.signedBy.includes(staff.id)) return 'each approver signs a ticket once; another approver must';
  if (ticket.clearedHoldsBy.includes(staff.id)) return 'the admin who cleared a hold on a ticket cannot approve it';
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
