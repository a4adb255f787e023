import type { AccountTier } from '../../accounts/account.entity';
import { TIER_STRENGTH } from '../../change-requests/sensitive-changes';
import type { RiskPolicy } from '../../config/policy';
import type { RaisedSignal } from './signal-codes';

/**
 * The history-aware signals: what a rogue admin (or a directory under an attacker's control) leaves in the
 * account's and the staff's history just before a recovery. Pure, like risk-signals.ts: the facts come from
 * account_changes and staff.roles_granted_at (risk.service.ts), the signals go out.
 */
export const DAY = 86_400_000;
export const NEXT_TIER: Record<AccountTier, AccountTier> = { standard: 'privileged', privileged: 'critical', critical: 'critical' };

/** Why an approval does not count toward the ticket's approvals (approvals.not_counted). */
export const NOT_COUNTED_REASONS = ['manager_not_independent', 'approver_recently_privileged'] as const;
export type NotCountedReason = (typeof NOT_COUNTED_REASONS)[number];

/** Inclusive: a change exactly `windowDays` ago still counts. A stamp in the future (clock skew) counts too. */
export function changedWithin(changedAt: Date | null, now: Date, windowDays: number): boolean {
  return changedAt !== null && now.getTime() - changedAt.getTime() <= windowDays * DAY;
}

/** One change of the account's tier: the tier it had until `at`. */
export interface TierChange {
  at: Date;
  before: AccountTier;
}

/**
 * The tier a ticket opened now uses: the highest the account held within the window. Every tier held in the
 * window is the current one or one a change inside the window replaced, so the changes' `before` tiers suffice.
 * `lowered` names the highest tier above the current one and the last time the account lost it.
 */
export function tierInWindow(
  current: AccountTier,
  changes: readonly TierChange[],
  now: Date,
  windowDays: number,
): { tier: AccountTier; lowered: TierChange | null } {
  let lowered: TierChange | null = null;
  for (const change of changes) {
    if (!changedWithin(change.at, now, windowDays) || TIER_STRENGTH[change.before] <= TIER_STRENGTH[current]) continue;
    const higher = !lowered || TIER_STRENGTH[change.before] > TIER_STRENGTH[lowered.before];
    if (higher || (TIER_STRENGTH[change.before] === TIER_STRENGTH[lowered!.before] && change.at > lowered!.at)) lowered = change;
  }
  return { tier: lowered ? lowered.before : current, lowered };
}

/** An approver role granted this recently (or never recorded) is still fresh. */
export function isFreshApprover(grantedAt: Date | null, now: Date, freshDays: number): boolean {
  return grantedAt === null || now.getTime() - grantedAt.getTime() < freshDays * DAY;
}

/** Why this approval does not count: the manager chain on a critical ticket; a fresh approver on a privileged or critical one. */
export function notCountedReasons(tier: AccountTier, inReportingLine: boolean, freshApprover: boolean): NotCountedReason[] {
  const reasons: NotCountedReason[] = [];
  if (inReportingLine && tier === 'critical') reasons.push('manager_not_independent');
  if (freshApprover && tier !== 'standard') reasons.push('approver_recently_privileged');
  return reasons;
}

export interface HistoryFacts {
  now: Date;
  /** The ticket's tier (fixed when it was opened). */
  tier: AccountTier;
  canAddSteps: boolean;
  /** The account's tier now, and its tier changes (at least those in the window). */
  accountTier: AccountTier;
  tierChanges: TierChange[];
  /** The last change of the subject's managerId, and the last change of the current manager's registered e-mail. */
  managerChangedAt: Date | null;
  managerEmailChangedAt: Date | null;
  approvalsRequired: number;
  approvals: { approverId: string; notCounted: NotCountedReason[] }[];
}

const ago = (at: Date, now: Date) => {
  const days = Math.max(0, Math.floor((now.getTime() - at.getTime()) / DAY));
  return days === 0 ? 'less than a day ago' : `${days} day${days === 1 ? '' : 's'} ago`;
};
const day = (at: Date) => at.toISOString().slice(0, 10);

/** The account held a higher tier within the window: the ticket uses it (tickets.service.ts opens it so). */
export function tierLoweredSignal(facts: HistoryFacts, policy: RiskPolicy): RaisedSignal | undefined {
  const { lowered } = tierInWindow(facts.accountTier, facts.tierChanges, facts.now, policy.tierLoweredWindowDays);
  if (!lowered) return undefined;
  // Raised and lowered again while this ticket was open: the ticket cannot take on the higher tier's approvals, so it stops.
  const holds = TIER_STRENGTH[lowered.before] > TIER_STRENGTH[facts.tier];
  const consequence = holds ? 'held until an admin clears it' : `this ticket uses the ${facts.tier} tier's steps and approvals`;
  return {
    signal: 'tier_recently_lowered',
    reason: `the account was ${lowered.before} until ${ago(lowered.at, facts.now)} (${day(lowered.at)}) and is ${facts.accountTier} now, within the ${policy.tierLoweredWindowDays}-day window: ${consequence}`,
    holds,
    basis: `${lowered.before}@${lowered.at.toISOString()}`,
    detail: { from: lowered.before, to: facts.accountTier, loweredAt: lowered.at.toISOString(), windowDays: policy.tierLoweredWindowDays },
  };
}

/** The subject's manager (who attests) changed, or the manager's own e-mail (where the attestation link goes) did. */
export function managerChangedSignal(facts: HistoryFacts, policy: RiskPolicy): RaisedSignal | undefined {
  const { now, tier } = facts;
  const windowDays = policy.managerChangeWindowDays;
  const what: string[] = [];
  const detail: Record<string, string | number> = { windowDays };
  const stamps: Date[] = [];
  if (facts.managerChangedAt && changedWithin(facts.managerChangedAt, now, windowDays)) {
    what.push(`the subject's manager changed ${ago(facts.managerChangedAt, now)} (${day(facts.managerChangedAt)})`);
    detail.managerChangedAt = facts.managerChangedAt.toISOString();
    stamps.push(facts.managerChangedAt);
  }
  if (facts.managerEmailChangedAt && changedWithin(facts.managerEmailChangedAt, now, windowDays)) {
    what.push(`the manager's registered e-mail changed ${ago(facts.managerEmailChangedAt, now)} (${day(facts.managerEmailChangedAt)})`);
    detail.managerEmailChangedAt = facts.managerEmailChangedAt.toISOString();
    stamps.push(facts.managerEmailChangedAt);
  }
  if (what.length === 0) return undefined;
  // As for a channel change: privileged and critical stop for a human look; standard takes the next tier's steps while it still can.
  const holds = tier !== 'standard' || !facts.canAddSteps;
  const consequence = holds ? 'held until an admin clears it' : `the ${NEXT_TIER[tier]} tier's proofing steps are required`;
  return {
    signal: 'manager_recently_changed',
    reason: `${what.join(' and ')}, within the ${windowDays}-day window: a manager's attestation may reach the wrong person; ${consequence}`,
    holds,
    basis: stamps.map((s) => s.toISOString()).join('+'),
    detail,
  };
}

/** Approvals by staff whose approver role is younger than the window: recorded, not counted. */
export function freshApproverSignal(facts: HistoryFacts, policy: RiskPolicy): RaisedSignal | undefined {
  const fresh = facts.approvals.filter((a) => a.notCounted.includes('approver_recently_privileged')).map((a) => a.approverId);
  if (fresh.length === 0) return undefined;
  const more = Math.max(0, facts.approvalsRequired - countedApprovals(facts.approvals));
  return {
    signal: 'approver_recently_privileged',
    reason:
      `${fresh.length === 1 ? 'an approval came' : `${fresh.length} approvals came`} from staff whose approver role is younger than ${policy.approverFreshDays} days: ` +
      `recorded, but not counted on a ${facts.tier} ticket; ${more} more approval${more === 1 ? '' : 's'} from established approvers needed`,
    holds: false,
    basis: [...fresh].sort().join(','),
    detail: { approverIds: fresh, freshDays: policy.approverFreshDays },
  };
}

export const countedApprovals = (approvals: readonly { notCounted: readonly string[] }[]) => approvals.filter((a) => a.notCounted.length === 0).length;
