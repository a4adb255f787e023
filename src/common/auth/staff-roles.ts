export const STAFF_ROLES = ['agent', 'approver', 'admin', 'auditor', 'drill_runner', 'service', 'intake'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
