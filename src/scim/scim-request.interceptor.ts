import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { ScimRequest } from './scim-auth.guard';
import { ScimConnectionsService } from './scim-connections.service';
import { toScimError } from './scim-exception.filter';

const SUCCESS_STATUS: Record<string, number> = { POST: 201, DELETE: 204 };

/**
 * Each SCIM request is audited with its connection as the actor (method, resource, status, scimType: never the
 * body or the filter, which hold personal data) and counted on the connection for the admin view.
 */
@Injectable()
export class ScimRequestInterceptor implements NestInterceptor {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly connections: ScimConnectionsService,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const connection = request.scimConnection!;
    const resource = String(request.route?.path ?? request.path).replace(/^\/scim\/v2\//, '');
    const record = (status: number, scimType: string | null, detail: string | null) =>
      this.dataSource.transaction(async (em) => {
        await this.connections.recordRequest(em, connection.id, detail === null ? null : { method: request.method, status, scimType, detail });
        await this.audit.record(em, {
          actor: { kind: 'directory', id: connection.id },
          action: 'scim.request',
          target: { type: 'scim_connection', id: connection.id },
          payload: { method: request.method, resource, userId: (request.params as Record<string, string>)?.id ?? null, status, scimType },
        });
      });
    return next.handle().pipe(
      mergeMap((value) => from(record(SUCCESS_STATUS[request.method] ?? 200, null, null).then(() => value))),
      catchError((error: unknown) => {
        const { status, body } = toScimError(error);
        return from(record(status, body.scimType ?? null, body.detail)).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
