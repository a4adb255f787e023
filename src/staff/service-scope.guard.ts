import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { sha256Hex } from '../common/crypto';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Forbidden } from '../common/errors';
import type { AuthenticatedRequest } from './auth.guard';
import { addressAllowed, normaliseAddress, ServiceScope, SERVICE_SCOPES } from './service-scopes';
import { ServiceTokenWatch } from './service-token-watch';
import { StaffToken } from './staff-token.entity';

const SCOPE_KEY = 'recovery-desk:service-scope';
const BEARER = /^Bearer (\S+)$/;

/**
 * A service member's call to this route needs a token carrying `scope`, from an allowed client address. Other
 * roles the route admits (@Roles) are not affected: scopes narrow what a service token can do, nobody else's.
 */
export const RequiresScope = (scope: ServiceScope) =>
  applyDecorators(
    SetMetadata(SCOPE_KEY, scope),
    UseGuards(ServiceScopeGuard),
    ApiForbiddenResponse({ description: `A service token needs the scope ${scope} and an allowed client address`, type: ErrorResponseDto }),
  );

/** Runs after the global AuthGuard (which authenticated the caller): checks the token's scopes and address, and watches its use. */
@Injectable()
export class ServiceScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly watch: ServiceTokenWatch,
    private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.get<ServiceScope>(SCOPE_KEY, context.getHandler());
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const staff = request.staff;
    if (!scope || !staff || !staff.roles.includes('service')) return true;
    const bearer = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const token =
      bearer &&
      (await this.dataSource.getRepository(StaffToken).findOne({ where: { tokenHash: sha256Hex(bearer), staffId: staff.id } }));
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
    await this.watch.recordUse(staff, token, scope, address, this.clock.now());
    return true;
  }
}
