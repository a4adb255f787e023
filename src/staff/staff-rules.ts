import { StaffRuleBroken } from '../common/errors';
import type { StaffRole } from '../common/auth/staff-roles';

/**
 * The staff rules, in one place: every path that creates or changes a member (the API, an approved change request,
 * the command line, a sign-in's role sync) asks these, and ticket actions ask `ticketActorRefusal` again. Pure: no
 * Nest or TypeORM import; the services turn an answer into StaffRuleBroken / StaffRuleRefused (403, naming the rule).
 */
export const STAFF_RULES = ['own-staff-record', 'ticket-roles-need-an-account', 'drill-readers-do-not-work-tickets'] as const;
export type StaffRule = (typeof STAFF_RULES)[number];

/** Roles that act on tickets (or administer who does): separation of duties needs to know which person holds them. */
export const TICKET_ROLES: readonly StaffRole[] = ['agent', 'approver', 'admin'];
/** Roles that read drills (which tickets are drills, their outcomes; a runner also their messages). */
export const DRILL_READER_ROLES: readonly StaffRole[] = ['drill_runner', 'auditor'];
/** Roles that work or sign tickets: a drill reader would know which of them are drills. */
export const TICKET_WORKER_ROLES: readonly StaffRole[] = ['agent', 'approver'];

/** The fields of a staff record that only someone else may change. */
export const OWN_RECORD_FIELDS = ['roles', 'accountId', 'active'] as const;

export interface StaffRecord {
  roles: readonly StaffRole[];
  accountId: string | null;
}

export interface RuleAnswer {
  rule: StaffRule;
  why: string;
}

const holdsAny = (roles: readonly StaffRole[], among: readonly StaffRole[]) => roles.filter((role) => among.includes(role));

/** The first rule a member's record, as it would be stored, breaks; undefined when it keeps them all. */
export function brokenStaffRule(record: StaffRecord): RuleAnswer | undefined {
  const ticketRoles = holdsAny(record.roles, TICKET_ROLES);
  if (ticketRoles.length && !record.accountId) {
    return {
      rule: 'ticket-roles-need-an-account',
      why: `a member with the ${ticketRoles.join(', ')} role needs accountId (the employee account they are): separation of duties is checked by account`,
    };
  }
  const readers = holdsAny(record.roles, DRILL_READER_ROLES);
  const workers = holdsAny(record.roles, TICKET_WORKER_ROLES);
  if (readers.length && workers.length) {
    return {
      rule: 'drill-readers-do-not-work-tickets',
      why: `a member who reads drills (${readers.join(', ')}) cannot also work or sign tickets (${workers.join(', ')}): they would know which tickets are drills`,
    };
  }
  return undefined;
}

/** Refused when a member changes their own roles, accountId or active flag (whatever the value). */
export function ownRecordRefusal(actorStaffId: string | undefined, targetId: string, changed: readonly string[]): RuleAnswer | undefined {
  if (actorStaffId !== targetId) return undefined;
  const own = changed.filter((key) => (OWN_RECORD_FIELDS as readonly string[]).includes(key));
  if (!own.length) return undefined;
  return { rule: 'own-staff-record', why: `nobody changes their own ${own.join(', ')}: another admin must` };
}

/**
 * Refused when a member links another member (new or existing) to their own employee account: one person would hold
 * two staff identities, and separation of duties (which compares accounts) would see one.
 */
export function ownAccountRefusal(
  actor: { id: string; accountId: string | null },
  targetId: string | undefined,
  accountId: string | null | undefined,
): RuleAnswer | undefined {
  if (!actor.accountId || !accountId || accountId !== actor.accountId || targetId === actor.id) return undefined;
  return { rule: 'own-staff-record', why: 'nobody links another staff member to their own employee account' };
}

/**
 * Defensive, at every ticket action: a member holding a ticket role without an account (one created before the
 * rule, or the first admin) cannot act on tickets, since separation of duties could not tell who they are.
 */
export function ticketActorRefusal(staff: StaffRecord): RuleAnswer | undefined {
  const broken = brokenStaffRule(staff);
  return broken?.rule === 'ticket-roles-need-an-account' ? { ...broken, why: `${broken.why}; until it is set this member cannot act on tickets` } : broken;
}

/** Throws StaffRuleBroken when this member may not act on tickets (ticketActorRefusal). */
export function refuseUnfitTicketActor(staff: StaffRecord): void {
  const refusal = ticketActorRefusal(staff);
  if (refusal) throw new StaffRuleBroken(refusal.rule, refusal.why);
}
