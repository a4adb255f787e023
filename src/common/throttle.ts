import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from '../staff/auth.guard';

/**
 * Rate limits keyed by who asks about what: a staff caller (the login
 * application) per target account, so one busy caller does not throttle every
 * employee; anonymous callers per client address. Counters live in Redis.
 */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as AuthenticatedRequest;
    if (request.staff) return `staff:${request.staff.id}:${String(request.params?.id ?? '')}`;
    return `ip:${request.ip ?? 'unknown'}`;
  }
}
