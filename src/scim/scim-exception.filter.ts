import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { AlreadyExists, DomainError, InvalidInput, ValidationFailed } from '../common/errors';
import { mapError } from '../common/http-exception.filter';
import { ScimInvalid, ScimType, VersionMismatch } from './scim-errors';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: string[];
  status: string;
  scimType?: ScimType;
  detail: string;
}

function scimTypeOf(exception: unknown, status: number): ScimType | undefined {
  if (exception instanceof ScimInvalid) return exception.scimType;
  if (exception instanceof AlreadyExists) return 'uniqueness';
  if (exception instanceof QueryFailedError && (exception.driverError as { code?: string })?.code === '23505') return 'uniqueness';
  if (exception instanceof InvalidInput || exception instanceof ValidationFailed) return 'invalidValue';
  if (status === 400) return 'invalidSyntax'; // body-parser: not JSON, wrong charset …
  return undefined;
}

/** Any error as RFC 7644 §3.12 says: { schemas, status (a string), scimType, detail }, application/scim+json. */
export function toScimError(exception: unknown): { status: number; body: ScimErrorBody; headers: Record<string, string> } {
  const mapped = mapError(exception);
  const status = exception instanceof VersionMismatch ? 412 : (mapped?.body.statusCode ?? 500);
  const detail = status >= 500 && status !== 503 ? 'internal error; it has been logged' : (mapped?.body.message ?? 'internal error; it has been logged');
  const scimType = status < 500 ? scimTypeOf(exception, status) : undefined;
  return { status, body: { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType && { scimType }), detail }, headers: mapped?.headers ?? {} };
}

@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('SCIM');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = toScimError(exception);
    if (status >= 500 && !(exception instanceof DomainError)) {
      this.logger.error(
        { failure: { class: (exception as Error)?.constructor?.name ?? typeof exception, message: (exception as Error)?.message } },
        'SCIM request failed',
      );
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).setHeader('Content-Type', SCIM_CONTENT_TYPE).send(JSON.stringify(body));
  }
}

/**
 * Answers refused before a SCIM controller runs (415, a body too deep or not JSON, an undecodable path, an unknown
 * route) are written by the service's shared handlers in its own error shape: under /scim/ they are rewritten into
 * SCIM's, so a SCIM client only ever reads SCIM errors. One place, whatever answered.
 */
export function scimErrorsAtTheEdge(req: Request, res: Response, next: NextFunction): void {
  if (!req.path.startsWith('/scim/')) return next();
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    const ours = body as { statusCode?: unknown; message?: unknown } | null;
    if (res.statusCode < 400 || !ours || typeof ours !== 'object' || typeof ours.statusCode !== 'number' || typeof ours.message !== 'string') return json(body);
    const scimType: ScimType | undefined = res.statusCode === 400 ? 'invalidSyntax' : undefined;
    const scim: ScimErrorBody = { schemas: [ERROR_SCHEMA], status: String(res.statusCode), ...(scimType && { scimType }), detail: ours.message };
    res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
    return res.send(JSON.stringify(scim));
  };
  next();
}
