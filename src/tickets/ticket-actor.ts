import type { AuditActor } from '../audit/audit-actor';
import type { Staff } from '../staff/staff.entity';
import type { Actor } from './ticket.machine';

/** Who fires a ticket event: the role they act in (for the table) and who they are (for the audit trail). */
export interface TicketActor {
  role: Actor;
  audit: AuditActor;
  staff?: Staff;
}

export const asStaff = (staff: Staff, role: 'agent' | 'owner' | 'approver' | 'admin'): TicketActor => ({ role, audit: { kind: 'staff', id: staff.id }, staff });
export const asSystem = (): TicketActor => ({ role: 'system', audit: { kind: 'system' } });
export const asSubject = (accountId: string): TicketActor => ({ role: 'subject', audit: { kind: 'subject', id: accountId } });
export const asManager = (accountId: string): TicketActor => ({ role: 'system', audit: { kind: 'manager', id: accountId } });
