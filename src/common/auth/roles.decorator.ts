import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOperation, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { StaffRole } from './staff-roles';
import { ErrorResponseDto } from '../error-response.dto';

export const ROLES_KEY = 'recovery-desk:roles';
export const PUBLIC_KEY = 'recovery-desk:public';

/** The route needs a staff token holding at least one of these roles. */
export const Roles = (...roles: StaffRole[]) =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, unknown, expired or revoked token', type: ErrorResponseDto }),
    ApiForbiddenResponse({ description: `Token lacks the role: one of ${roles.join(', ')}`, type: ErrorResponseDto }),
  );

/**
 * `security: []` on the operation: the document says "public on purpose", where a route with no
 * `security` at all would read as "forgot its auth". Merged into the route's own @ApiOperation
 * whichever is applied first (`summary: undefined` keeps ApiOperation's default '' from
 * overwriting the route's summary). Nest drops an empty security list given with @ApiSecurity,
 * hence the operation object.
 */
const noSecurity = () => ApiOperation({ summary: undefined, security: [] });

function documentedPublic(target: object, key?: string | symbol, descriptor?: PropertyDescriptor): void {
  if (key !== undefined && descriptor) return void noSecurity()(target, key, descriptor);
  // On a controller: every route of it (class decorators run after the methods' own).
  const prototype = (target as { prototype: object }).prototype;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = Object.getOwnPropertyDescriptor(prototype, name)!;
    if (name !== 'constructor' && typeof method.value === 'function') noSecurity()(prototype, name, method);
  }
}

/** The route needs no staff token (operations endpoints, token-as-credential links). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), documentedPublic);

/**
 * The route is outside the staff guard but NOT public: a guard of its own authenticates the caller with another
 * credential (the SCIM connection secret), which the route documents with its own security scheme.
 */
export const OwnCredential = () => SetMetadata(PUBLIC_KEY, true);
