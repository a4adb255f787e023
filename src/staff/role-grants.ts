import type { StaffRole } from '../common/auth/staff-roles';

/** Roles whose grant (and whose holders' tokens) the security contact hears of: who may approve, who may administer. */
export const ALERTED_ROLES: readonly StaffRole[] = ['approver', 'admin'];

/** When each role a member holds was granted (ISO times), kept in staff.roles_granted_at. */
export type RoleGrants = Partial<Record<StaffRole, string>>;

/**
 * The grant times after a member's roles change from `before` to `after`: a role newly held is granted `now`, a
 * role kept keeps its time, a role taken away is forgotten (granted again later, it is young again).
 */
export function regrant(before: readonly StaffRole[], after: readonly StaffRole[], grants: RoleGrants, now: Date): { grants: RoleGrants; added: StaffRole[] } {
  const added = after.filter((role) => !before.includes(role));
  const next: RoleGrants = {};
  for (const role of after) next[role] = added.includes(role) ? now.toISOString() : (grants[role] ?? now.toISOString());
  return { grants: next, added };
}

/** The alerted roles among `roles`. */
export const alertedRoles = (roles: readonly StaffRole[]) => roles.filter((role) => ALERTED_ROLES.includes(role));
