import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuditActor } from '../audit/audit-actor';
import type { AuthenticatedRequest } from './auth.guard';
import type { Authentication } from './sign-in/step-up';
import type { Staff } from './staff.entity';

/** The authenticated staff member (set by the global AuthGuard). */
export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext): Staff => {
  const staff = context.switchToHttp().getRequest<AuthenticatedRequest>().staff;
  if (!staff) throw new Error('CurrentStaff used on a route without @Roles');
  return staff;
});

export const actorOf = (staff: Staff): AuditActor => ({ kind: 'staff', id: staff.id });

/** How the caller authenticated (session through the provider, or staff token), for acts that record it. */
export const CurrentAuthentication = createParamDecorator((_: unknown, context: ExecutionContext): Authentication | undefined => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().authentication;
});
