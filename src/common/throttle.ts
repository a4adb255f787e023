import { applyDecorators, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitExceeded } from './errors';

/**
 * Rate limits keyed by who asks about what: a staff caller (the login
 * application) per target account, so one busy caller does not throttle every
 * employee; anonymous callers per client address. Counters live in Redis.
 */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    // The request as the staff guard (src/staff/auth.guard.ts) or the SCIM guard left it: only the ids are read here.
    const request = req as { staff?: { id: string }; scimConnection?: { id: string }; params?: Record<string, unknown>; ip?: string };
    // A provisioning connection (src/scim/) is limited as a whole: one directory cannot starve the desk.
    if (request.scimConnection) return `scim:${request.scimConnection.id}`;
    if (request.staff) return `staff:${request.staff.id}:${String(request.params?.id ?? '')}`;
    return `ip:${request.ip ?? 'unknown'}`;
  }

  /** The one error shape, with a plain Retry-After (the library would name it after the throttler). */
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitExceeded(Math.max(1, detail.timeToBlockExpire));
  }
}

/** The named limits (per minute, from configuration). */
export const THROTTLE = { verify: 'verify', links: 'links', scim: 'scim' } as const;

/** Applies one named limit to a route (and not the others). */
export const RateLimited = (name: keyof typeof THROTTLE) =>
  applyDecorators(
    UseGuards(ClientThrottlerGuard),
    SkipThrottle(
      Object.fromEntries(
        Object.values(THROTTLE)
          .filter((n) => n !== name)
          .map((n) => [n, true]),
      ),
    ),
  );
