/**
 * Domain errors. Services throw these; the one exception filter
 * (http-exception.filter.ts) decides the HTTP status. Messages are safe to show
 * to the caller: they never contain a secret.
 */
export abstract class DomainError extends Error {
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
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
  constructor(readonly until: Date, now: Date) {
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

/** Refused by separation of duties (agent, approver and subject are different people). */
export class SeparationOfDutyViolation extends Forbidden {}

/** A backup code presented for something (an unlock) was not accepted; never says why. */
export class CodeNotAccepted extends DomainError {}

/**
 * The act needs a fresher or stronger sign-in than this session's (step-up). `details.code` is
 * `step_up_required`, so the console can send the person through the identity provider again.
 */
export class StepUpRequired extends Forbidden {
  constructor(why: string, details: { maxAgeSeconds: number; amr: string[]; acr: string[]; signInUrl: string | null }) {
    super(`step-up required: ${why}`, { code: 'step_up_required', ...details });
  }
}
