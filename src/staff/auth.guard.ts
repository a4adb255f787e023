import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { PUBLIC_KEY, ROLES_KEY } from '../common/auth/roles.decorator';
import { Clock } from '../common/clock';
import { sha256Hex } from '../common/crypto';
import { Forbidden, Unauthenticated } from '../common/errors';
import { StaffRole } from './roles';
import { Staff } from './staff.entity';
import { StaffToken } from './staff-token.entity';

export interface AuthenticatedRequest extends Request {
  staff?: Staff;
}

const BEARER = /^Bearer ([\x21-\x7e]{16,512})$/;

/**
 * The server's enforcement of who may call what. Global: a route is either
 * @Public() or names its @Roles(); a route with neither is refused, so a
 * forgotten decorator fails closed.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const staff = await this.authenticate(request.headers.authorization);
    request.staff = staff;

    const required = this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!required.some((role) => staff.roles.includes(role))) {
      throw new Forbidden(
        required.length === 0
          ? 'this route is not open to any role'
          : `this route needs the role ${required.join(' or ')}; this token has ${staff.roles.join(', ')}`,
      );
    }
    return true;
  }

  async authenticate(header: string | undefined): Promise<Staff> {
    if (!header) throw new Unauthenticated('missing bearer token: send Authorization: Bearer <staff token>');
    const match = BEARER.exec(header);
    if (!match) throw new Unauthenticated('malformed Authorization header: expected Bearer <staff token>');

    const token = await this.dataSource
      .getRepository(StaffToken)
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.staff', 'staff')
      .where('t.token_hash = :hash', { hash: sha256Hex(match[1]) })
      .getOne();
    // One message for unknown, expired and revoked: the caller learns nothing about other people's tokens.
    const now = this.clock.now();
    if (!token?.staff || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) {
      throw new Unauthenticated('token is unknown, expired or revoked');
    }
    if (!token.staff.active) throw new Unauthenticated('token belongs to a deactivated staff member');
    return token.staff;
  }
}
