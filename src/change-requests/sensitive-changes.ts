import type { AccountStatus, AccountTier } from '../accounts/account.entity';
import type { SensitiveChangesPolicy } from '../config/policy';
import type { StaffRole } from '../common/auth/staff-roles';

/**
 * Which admin changes are sensitive: the ones that change what proofing relies on (an account's tier, channels,
 * manager, status) or who may approve (privileged staff, their tokens, a cleared hold). Pure: the services ask
 * it which rules a change trips and turn a non-empty answer into a change request.
 */
export type SensitiveRule = keyof SensitiveChangesPolicy;

/** Roles whose holder can approve, administer, or act as the login application. */
export const PRIVILEGED_ROLES: readonly StaffRole[] = ['approver', 'admin', 'service'];

/** Tiers from weakest to strongest protection. */
export const TIER_STRENGTH: Record<AccountTier, number> = { standard: 0, privileged: 1, critical: 2 };

export interface AccountSnapshot {
  tier: AccountTier;
  email: string;
  phone: string;
  managerId: string | null;
  status: AccountStatus;
}

/** The sensitive rules an account change trips, given which are switched on. */
export function accountChangeRules(account: AccountSnapshot, changes: Partial<AccountSnapshot>, on: SensitiveChangesPolicy): SensitiveRule[] {
  const differs = <K extends keyof AccountSnapshot>(key: K) => changes[key] !== undefined && (changes[key] ?? null) !== (account[key] ?? null);
  const rules: SensitiveRule[] = [];
  if (on.accountTierLowered && changes.tier && TIER_STRENGTH[changes.tier] < TIER_STRENGTH[account.tier]) rules.push('accountTierLowered');
  if (on.accountChannels && (differs('email') || differs('phone'))) rules.push('accountChannels');
  if (on.accountManager && differs('managerId')) rules.push('accountManager');
  if (on.accountDeactivated && changes.status === 'deactivated' && account.status !== 'deactivated') rules.push('accountDeactivated');
  return rules;
}

export const holdsPrivilege = (roles: readonly StaffRole[]) => roles.some((role) => PRIVILEGED_ROLES.includes(role));

/** Creating a member: sensitive when it starts with a privileged role. */
export function staffCreateRules(roles: readonly StaffRole[], on: SensitiveChangesPolicy): SensitiveRule[] {
  return on.staffPrivilegedRole && holdsPrivilege(roles) ? ['staffPrivilegedRole'] : [];
}

/**
 * Changing a member: granting a privileged role, bringing a deactivated member back, or any change to an admin's
 * record (a member never changes their own: src/staff/staff-rules.ts refuses that before it gets here).
 */
export function staffUpdateRules(
  member: { roles: readonly StaffRole[]; active: boolean; accountId?: string | null },
  changes: { roles?: readonly StaffRole[]; active?: boolean; accountId?: string | null },
  on: SensitiveChangesPolicy,
): SensitiveRule[] {
  const rules: SensitiveRule[] = [];
  const changesAnything =
    (changes.roles !== undefined && [...changes.roles].sort().join() !== [...member.roles].sort().join()) ||
    (changes.active !== undefined && changes.active !== member.active) ||
    (changes.accountId !== undefined && (changes.accountId ?? null) !== (member.accountId ?? null));
  if (on.staffAdminRecord && member.roles.includes('admin') && changesAnything) rules.push('staffAdminRecord');
  const granted = (changes.roles ?? []).filter((role) => !member.roles.includes(role));
  if (on.staffPrivilegedRole && holdsPrivilege(granted)) rules.push('staffPrivilegedRole');
  if (on.staffReactivated && changes.active === true && !member.active) rules.push('staffReactivated');
  return rules;
}

/** Issuing a token: sensitive when its holder is privileged. */
export function staffTokenRules(member: { roles: readonly StaffRole[] }, on: SensitiveChangesPolicy): SensitiveRule[] {
  return on.staffPrivilegedToken && holdsPrivilege(member.roles) ? ['staffPrivilegedToken'] : [];
}

/** A critical system's unlock rule: changing k or the window is sensitive (a lower k or a longer window is the attack). */
export function criticalSystemUpdateRules(
  system: { k: number; windowSeconds: number },
  changes: { k?: number; windowSeconds?: number },
  on: SensitiveChangesPolicy,
): SensitiveRule[] {
  const changed = (['k', 'windowSeconds'] as const).some((key) => changes[key] !== undefined && changes[key] !== system[key]);
  return on.criticalSystemUnlockRule && changed ? ['criticalSystemUnlockRule'] : [];
}

/** Adding or removing a custodian: who may present codes for an unlock. */
export const custodianChangeRules = (on: SensitiveChangesPolicy): SensitiveRule[] => (on.criticalSystemCustodians ? ['criticalSystemCustodians'] : []);

/** A new SCIM connection: a directory that may then rewrite every account's channels. */
export const scimConnectionRules = (on: SensitiveChangesPolicy): SensitiveRule[] => (on.scimConnectionCreated ? ['scimConnectionCreated'] : []);

/** The values of `keys` in `source`, for a request's exact before/after. */
export function pick(source: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, (source as Record<string, unknown>)[key] ?? null]));
}

/** The keys whose current value differs from what the request was made against. */
export function staleKeys(before: Record<string, unknown>, current: object): string[] {
  const now = current as Record<string, unknown>;
  return Object.keys(before).filter((key) => JSON.stringify(normalise(now[key])) !== JSON.stringify(normalise(before[key])));
}

function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return [...(value as unknown[])].map(String).sort();
  return value;
}
