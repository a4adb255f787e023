/**
 * Domain errors. Services throw these; the one exception filter
 * (http-exception.filter.ts) decides the HTTP status. Messages are safe to show
 * to the caller: they never contain a secret.
 *
 * Each carries a stable machine-readable `code` (answered in the error body, what clients key on, never the
 * message): the class name in snake_case (`AccountLocked` → `account_locked`), unless the class declares a
 * better name as its own `static readonly code`. A subclass gets its own name-derived code, not its parent's.
 */
export abstract class DomainError extends Error {
  readonly code: string;

  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
    this.code = errorCodeOf(new.target);
  }
}

/** `SeparationOfDutyViolation` → `separation_of_duty_violation`; `SCIMConflict` → `scim_conflict`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** The code a DomainError class answers with: its own declared `code`, else its name in snake_case. */
export function errorCodeOf(type: abstract new (...args: never[]) => DomainError): string {
  const declared = Object.prototype.hasOwnProperty.call(type, 'code') ? (type as unknown as { code: unknown }).code : undefined;
  return typeof declared === 'string' ? declared : snakeCase(type.name);
}

/** A request that is well-formed JSON but wrong for the domain: names the field. */
export class InvalidInput extends DomainError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`, { fields: [{ field, errors: [problem] }] });
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id: string) {
    super(`${what} ${id} was not found`);
  }
}

/** Not allowed in the current state of the thing acted on. */
export class Conflict extends DomainError {}

export class AlreadyExists extends Conflict {}

/** The caller is authenticated but this act is not theirs to do (role, separation of duties). */
export class Forbidden extends DomainError {}

export class Unauthenticated extends DomainError {}

/** The entity exists but is no longer usable (expired window, used link). */
export class Gone extends DomainError {}

export interface FieldError {
  field: string;
  errors: string[];
}

/** Several fields failed validation at once (the global ValidationPipe). */
export class ValidationFailed extends DomainError {
  constructor(readonly fields: FieldError[]) {
    super(fields.map((f) => `${f.field} ${f.errors.join(', ')}`).join('; '), { fields });
  }
}

/** Backup-code verification is locked for this account until `until`. */
export class AccountLocked extends DomainError {
  constructor(
    readonly until: Date,
    now: Date,
  ) {
    const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    super(`verification is locked after repeated failures; try again after ${until.toISOString()}`, { retryAfterSeconds });
  }
}

/** Too many requests from this caller; `retryAfterSeconds` says when to try again. */
export class RateLimitExceeded extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(`too many requests; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/** An event the ticket's current state does not allow: a 409 naming the state and what is allowed. */
export class InvalidTransition extends Conflict {
  constructor(state: string, event: string, allowedEvents: string[], why?: string) {
    super(why ?? `a ${state} ticket does not allow ${event}`, { state, allowedEvents });
  }
}

/** An event refused because a risk signal holds the ticket until an admin clears it. */
export class TicketHeld extends InvalidTransition {
  static readonly code = 'ticket_held';
}

/** Refused by separation of duties (agent, approver and subject are different people). */
export class SeparationOfDutyViolation extends Forbidden {
  static readonly code = 'separation_of_duties';
}

/** Refused because the staff member is linked to the subject's manager or someone above them: the manager's attestation is their one control. */
export class ManagerChainViolation extends Forbidden {
  static readonly code = 'manager_chain';
}

/** Only a ticket's owner (its assigned agent, or its opener before anyone claims it), an admin or the subject cancels it. */
export class NotTicketOwner extends Forbidden {}

/** A backup code presented for something (an unlock) was not accepted; never says why. */
export class CodeNotAccepted extends DomainError {}

/** The audit log in the database no longer extends what its witness holds: no checkpoint is signed over it. */
export class AuditLogDiverged extends Conflict {}

/**
 * The act needs a fresher or stronger sign-in than this session's (step-up). `details.code` is
 * `step_up_required`, so the console can send the person through the identity provider again.
 */
export class StepUpRequired extends Forbidden {
  constructor(why: string, details: { maxAgeSeconds: number; amr: string[]; acr: string[]; signInUrl: string | null }) {
    super(`step-up required: ${why}`, { code: 'step_up_required', ...details });
  }
}

/**
 * A staff record (or an act by a member) that one of the named staff rules forbids (src/staff/staff-rules.ts):
 * `details.rule` names it.
 */
export class StaffRuleBroken extends Forbidden {
  constructor(rule: string, why: string) {
    super(`${why} (staff rule ${rule})`, { rule });
  }
}

/** As StaffRuleBroken, for an attempt security is alerted of (a member changing their own staff record). */
export class StaffRuleRefused extends Forbidden {
  constructor(rule: string, why: string) {
    super(`${why} (staff rule ${rule})`, { rule });
  }
}
