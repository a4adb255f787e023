import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { StaffRole } from '../../staff/roles';
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

/** The route needs no staff token (operations endpoints, token-as-credential links). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
