import type { AccountTier } from '../../accounts/account.entity';
import type { RiskPolicy, TiersPolicy } from '../../config/policy';
import type { ProofingStep } from '../proofing/step-catalogue';
import type { TicketState } from '../ticket.machine';
import { changedWithin, countedApprovals, DAY, freshApproverSignal, HistoryFacts, managerChangedSignal, NEXT_TIER, tierLoweredSignal } from './history-signals';

/**
 * Risk signals: what a help-desk social-engineering call tends to leave in data
 * the service already holds. Pure: the facts come in, the signals go out; the
 * service (risk.service.ts) loads the one and records the other.
 */
/** States in which a hold still matters: before the ticket is approved or closed. */
export const HOLDABLE_STATES: readonly TicketState[] = ['open', 'proofing', 'awaiting_approval'];
/** States an uncleared holding signal stops: those above (claim, approval), and an approved ticket's regeneration (changed_since_approval). */
export const HELD_STATES: readonly TicketState[] = [...HOLDABLE_STATES, 'approved'];

export { RISK_SIGNALS } from './signal-codes';
export type { RaisedSignal, RiskSignalCode } from './signal-codes';
import type { RaisedSignal, RiskSignalCode } from './signal-codes';

export interface RiskFacts extends HistoryFacts {
  /** False once proofing is over: a standard ticket can then no longer take on steps, so it is held instead. */
  canAddSteps: boolean;
  channelsChangedAt: Date | null;
  onFile: { phone: string; email: string };
  callback: { phone?: string; email?: string };
  /** Tickets for this account opened within the account window, this one included. */
  accountTickets: number;
  /** Tickets for privileged and critical accounts opened across the desk within the desk window, this one included. */
  deskPrivilegedTickets: number;
  /** The oldest "this wasn't me" report on the account that no admin has cleared (account_reports). */
  notMeReport: { id: string; reportedAt: Date } | null;
}

/** Every signal the facts raise, in a stable order. */
export function evaluateRisk(facts: RiskFacts, policy: RiskPolicy): RaisedSignal[] {
  return [
    channelSignal(facts, policy),
    velocitySignal(facts, policy),
    callbackSignal(facts),
    managerSignal(facts),
    notMeSignal(facts),
    tierLoweredSignal(facts, policy),
    managerChangedSignal(facts, policy),
    freshApproverSignal(facts, policy),
  ].filter((s): s is RaisedSignal => s !== undefined);
}

/** The window is inclusive: a change exactly `windowDays` ago still counts. A stamp in the future (clock skew) counts too. */
export const channelChangedWithin = changedWithin;

function channelSignal(facts: RiskFacts, policy: RiskPolicy): RaisedSignal | undefined {
  const { channelsChangedAt: changedAt, now, tier } = facts;
  if (!changedAt || !channelChangedWithin(changedAt, now, policy.channelChangeWindowDays)) return undefined;
  // Privileged and critical tickets already have the strictest steps, so the ticket stops for a human look;
  // so does a standard ticket whose proofing is over, since it can no longer take on steps.
  const holds = tier !== 'standard' || !facts.canAddSteps;
  const days = Math.max(0, Math.floor((now.getTime() - changedAt.getTime()) / DAY));
  const when = days === 0 ? 'less than a day ago' : `${days} day${days === 1 ? '' : 's'} ago`;
  const consequence = holds ? 'held until an admin clears it' : `the ${NEXT_TIER[tier]} tier's proofing steps are required`;
  return {
    signal: 'channel_recently_changed',
    reason: `the registered e-mail or phone changed ${when} (${changedAt.toISOString().slice(0, 10)}), within the ${policy.channelChangeWindowDays}-day window: ${consequence}`,
    holds,
    basis: changedAt.toISOString(),
    detail: { changedAt: changedAt.toISOString(), windowDays: policy.channelChangeWindowDays },
  };
}

function velocitySignal(facts: RiskFacts, policy: RiskPolicy): RaisedSignal | undefined {
  const { accountVelocity: perAccount, deskVelocity: perDesk } = policy;
  const scopes: string[] = [];
  const reasons: string[] = [];
  if (facts.accountTickets > perAccount.maxTickets) {
    scopes.push('account');
    reasons.push(`${facts.accountTickets} recovery tickets for this account in ${perAccount.windowDays} days (more than ${perAccount.maxTickets})`);
  }
  if (facts.tier !== 'standard' && facts.deskPrivilegedTickets > perDesk.maxPrivilegedTickets) {
    scopes.push('desk');
    reasons.push(
      `${facts.deskPrivilegedTickets} tickets for privileged and critical accounts across the desk in ${perDesk.windowMinutes} minutes (more than ${perDesk.maxPrivilegedTickets})`,
    );
  }
  if (scopes.length === 0) return undefined;
  return {
    signal: 'reset_velocity',
    reason: `${reasons.join('; ')}: security has been alerted`,
    holds: false,
    basis: scopes.join('+'),
    detail: { scopes, accountTickets: facts.accountTickets, deskPrivilegedTickets: facts.deskPrivilegedTickets },
  };
}

function callbackSignal(facts: RiskFacts): RaisedSignal | undefined {
  const { callback, onFile } = facts;
  const strangers: string[] = [];
  if (callback.phone && !samePhone(callback.phone, onFile.phone)) strangers.push('phone number');
  if (callback.email && callback.email.trim().toLowerCase() !== onFile.email.trim().toLowerCase()) strangers.push('e-mail address');
  if (strangers.length === 0) return undefined;
  return {
    signal: 'callback_not_on_file',
    reason: `the callback ${strangers.join(' and ')} the caller gave ${strangers.length > 1 ? 'are' : 'is'} not on file for this account: never call back or send anything there`,
    holds: false,
    basis: strangers.join('+'),
    detail: { notOnFile: strangers },
  };
}

/**
 * Approvals from the subject's reporting line are now refused outright (separation-of-duties.ts, managerChainRefusal),
 * so no new approval is recorded as not independent; this still names the ones recorded before that rule.
 */
function managerSignal(facts: RiskFacts): RaisedSignal | undefined {
  const dependent = facts.approvals.filter((a) => a.notCounted.includes('manager_not_independent')).map((a) => a.approverId);
  if (facts.tier !== 'critical' || dependent.length === 0) return undefined;
  const more = Math.max(0, facts.approvalsRequired - countedApprovals(facts.approvals));
  return {
    signal: 'manager_not_independent',
    reason:
      `${dependent.length === 1 ? 'an approval came' : `${dependent.length} approvals came`} from the subject's manager or someone above them in the reporting line: ` +
      `recorded, but not counted; ${more} more independent approval${more === 1 ? '' : 's'} needed`,
    holds: false,
    basis: [...dependent].sort().join(','),
    detail: { approverIds: dependent },
  };
}

/** The subject said a change to their account was not them: every recovery of the account waits for an admin. */
function notMeSignal(facts: RiskFacts): RaisedSignal | undefined {
  const report = facts.notMeReport;
  if (!report) return undefined;
  return {
    signal: 'subject_reported_not_me',
    reason: `the subject reported on ${report.reportedAt.toISOString().slice(0, 10)} that a change to their account was not them: held until an admin clears the account's recovery hold`,
    holds: true,
    basis: report.id,
    detail: { reportId: report.id, reportedAt: report.reportedAt.toISOString() },
  };
}

/** Signals that ask a standard ticket for the next tier's steps (and hold a privileged or critical one). */
export const STEP_RAISING_SIGNALS: readonly RiskSignalCode[] = ['channel_recently_changed', 'manager_recently_changed'];

/** The steps a ticket needs: its tier's, plus the next tier's when a registered channel or the manager changed recently. Never fewer. */
/** The facts an approval relies on, as fixed on the ticket (tickets.approved_facts) or as on file now. */
export interface ApprovalFacts {
  tier: AccountTier;
  email: string;
  phone: string;
  managerId: string | null;
}

const APPROVAL_FACT_WORDS: Record<keyof ApprovalFacts, string> = { email: 'e-mail address', phone: 'phone number', managerId: 'manager', tier: 'tier' };

/**
 * An approved ticket whose subject's channels, manager or tier changed since the approval: what was approved is no
 * longer what would be delivered, so it holds (checked at regeneration; never cleared: a new ticket is approved anew).
 * The reason names what changed, never the old or new value.
 */
export function changedSinceApproval(approved: ApprovalFacts & { approvedAt: string }, onFile: ApprovalFacts): RaisedSignal | undefined {
  const changed = (Object.keys(APPROVAL_FACT_WORDS) as (keyof ApprovalFacts)[]).filter((key) =>
    key === 'email' ? approved.email.trim().toLowerCase() !== onFile.email.trim().toLowerCase() : (approved[key] ?? null) !== (onFile[key] ?? null),
  );
  if (changed.length === 0) return undefined;
  const words = changed.map((key) => APPROVAL_FACT_WORDS[key]);
  return {
    signal: 'changed_since_approval',
    reason:
      `the subject's ${words.join(', ')} changed after the ticket was approved (${approved.approvedAt.slice(0, 10)}): held, nothing is delivered; ` +
      'cancel it and open a new ticket, proofed and approved against what is on file now',
    holds: true,
    basis: changed.join('+'),
    detail: { changed, approvedAt: approved.approvedAt },
  };
}

export function requiredSteps(tier: AccountTier, tiers: TiersPolicy, signals: readonly RaisedSignal[]): ProofingStep[] {
  const own = tiers[tier].steps;
  if (!signals.some((s) => STEP_RAISING_SIGNALS.includes(s.signal))) return [...own];
  return [...new Set([...own, ...tiers[NEXT_TIER[tier]].steps])];
}

/**
 * A phone number as digits, international prefix ("+" or "00") dropped. A national
 * trunk "0" is kept: "07700 900234" is compared by its tail (see samePhone).
 */
export function normalisePhone(phone: string): string {
  // "+44 (0)7700 900234": the bracketed trunk zero is not dialled from abroad.
  const trimmed = phone.trim().replace(/\(0\)/g, '');
  const digits = trimmed.replace(/\D/g, '');
  return trimmed.startsWith('+') ? digits : digits.replace(/^00/, '');
}

/** Whether two numbers are the same line: equal normalised, or a national form ("0…") matching the other's tail. */
export function samePhone(a: string, b: string): boolean {
  const [x, y] = [normalisePhone(a), normalisePhone(b)];
  if (x === '' || y === '') return false;
  if (x === y) return true;
  const national = (n: string) => (/^0[1-9]/.test(n) ? n.slice(1) : undefined);
  // At least 7 digits after the trunk "0", so a short fragment never matches a long number by accident.
  const tail = (n: string, other: string) => {
    const rest = national(n);
    return rest !== undefined && rest.length >= 7 && other.length > rest.length && other.endsWith(rest) && !other.startsWith('0');
  };
  return tail(x, y) || tail(y, x);
}

/**
 * The subject's managers, nearest first, from `managerOf` (account → its manager).
 * Stops at a loop or after `maxDepth`, so bad directory data cannot hang an approval.
 */
export function managerChain(subjectId: string, managerOf: ReadonlyMap<string, string | null>, maxDepth: number): string[] {
  const chain: string[] = [];
  const seen = new Set([subjectId]);
  let current = managerOf.get(subjectId) ?? null;
  while (current && !seen.has(current) && chain.length < maxDepth) {
    chain.push(current);
    seen.add(current);
    current = managerOf.get(current) ?? null;
  }
  return chain;
}

/** What a refused claim or approval says while a signal holds the ticket. */
export function heldMessage(signals: readonly string[]): string {
  return `this ticket is held by a risk signal (${signals.join(', ')}) until an admin clears it`;
}
