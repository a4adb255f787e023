import {
  applyDecorators,
  CallHandler,
  CanActivate,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { mergeMap, Observable } from 'rxjs';
import { Clock } from '../common/clock';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Forbidden } from '../common/errors';
import type { AuthenticatedRequest } from './auth.guard';
import { addressAllowed, normaliseAddress, ServiceScope, SERVICE_SCOPES } from './service-scopes';
import { ServiceTokenWatch } from './service-token-watch';
import { Staff } from './staff.entity';
import { StaffToken } from './staff-token.entity';

export const SCOPE_KEY = 'recovery-desk:service-scope';

interface ServiceCallRequest extends AuthenticatedRequest {
  serviceUse?: { staff: Staff; token: StaffToken; scope: ServiceScope; address: string; at: Date };
}

/**
 * A service member's call to this route needs a token carrying `scope`, from an allowed client address. Other
 * roles the route admits (@Roles) are not affected: scopes narrow what a service token can do, nobody else's.
 */
export const RequiresScope = (scope: ServiceScope) =>
  applyDecorators(
    SetMetadata(SCOPE_KEY, scope),
    UseGuards(ServiceScopeGuard),
    UseInterceptors(ServiceUseRecorder),
    ApiForbiddenResponse({ description: `A service token needs the scope ${scope} and an allowed client address`, type: ErrorResponseDto }),
  );

/** Runs after the global AuthGuard (which authenticated the caller): checks the token's scopes and address, and watches its use. */
@Injectable()
export class ServiceScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly watch: ServiceTokenWatch,
    private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.get<ServiceScope>(SCOPE_KEY, context.getHandler());
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const staff = request.staff;
    if (!scope || !staff || !staff.roles.includes('service')) return true;
    // The row the AuthGuard authenticated this request with (a console session has none).
    const token = request.staffToken?.staffId === staff.id ? request.staffToken : undefined;
    if (!token) throw new Forbidden('a service member calls this route with a scoped service token');
    const address = normaliseAddress(request.ip ?? request.socket.remoteAddress ?? '');
    if (!addressAllowed(address, token.allowedCidrs)) {
      // Committed before the refusal: security hears of the attempt even though the call is refused.
      await this.watch.disallowedAddress(staff, token, address);
      throw new Forbidden(`this service token may not be used from this client address (${address})`);
    }
    if (!token.scopes.includes(scope)) {
      const held = token.scopes.length ? token.scopes.join(', ') : 'none';
      throw new Forbidden(`this service token does not carry the ${scope} scope (it carries: ${held}; scopes are ${SERVICE_SCOPES.join(', ')})`);
    }
    // Counted once the call has succeeded (ServiceUseRecorder): a refused request (404, 409, 429 …) writes nothing.
    (request as ServiceCallRequest).serviceUse = { staff, token, scope, address, at: this.clock.now() };
    return true;
  }
}

/** Records a service call's use (addresses, rates, alerts) after the handler succeeded and before the answer goes out. */
@Injectable()
export class ServiceUseRecorder implements NestInterceptor {
  private readonly logger = new Logger(ServiceUseRecorder.name);

  constructor(private readonly watch: ServiceTokenWatch) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const use = context.switchToHttp().getRequest<ServiceCallRequest>().serviceUse;
    if (!use) return next.handle();
    // Whether the address is known is read now, beside the handler, rather than after it and before the answer.
    const known = this.watch.knownAddress(use.token, use.address);
    known.catch(() => undefined); // a call that fails never awaits it; when one succeeds, recordUse sees the failure
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        // The call itself succeeded: a failure to watch it is logged, never turned into the caller's error.
        await this.watch
          .recordUse(use.staff, use.token, use.scope, use.address, use.at, known)
          .catch((error: Error) => this.logger.error(`service-token watch failed: ${error.message}`));
        return result;
      }),
    );
  }
}
