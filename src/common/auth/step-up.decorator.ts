import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../error-response.dto';

export const STEP_UP_KEY = 'recovery-desk:step-up';

/**
 * The route is a sensitive act: besides its @Roles, the caller's sign-in must be recent and
 * strong enough (STEP_UP_* settings), checked by the AuthGuard; otherwise 403 with
 * `details.code = "step_up_required"`. Staff tokens pass only while no OpenID provider is configured.
 */
export const RequiresStepUp = () =>
  applyDecorators(
    SetMetadata(STEP_UP_KEY, true),
    ApiForbiddenResponse({
      type: ErrorResponseDto,
      description: 'Role missing, or `details.code` = `step_up_required`: sign in again through the identity provider (recently, with a strong method)',
    }),
  );
