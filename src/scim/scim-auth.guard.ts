import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ScimConnection } from './scim-connection.entity';
import { ScimConnectionsService } from './scim-connections.service';

export interface ScimRequest extends Request {
  scimConnection?: ScimConnection;
}

/** /scim/v2 is @OwnCredential() to the staff guard and authenticated here: by a provisioning connection's own secret. */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(private readonly connections: ScimConnectionsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    request.scimConnection = await this.connections.authenticate(request.headers.authorization);
    return true;
  }
}
