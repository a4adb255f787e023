import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import {
  AccountLocked,
  CodeNotAccepted,
  Conflict,
  DomainError,
  Forbidden,
  Gone,
  InvalidInput,
  NotFound,
  RateLimitExceeded,
  Unauthenticated,
  ValidationFailed,
} from './errors';

/** Domain error → HTTP status: the one place this mapping lives. */
const STATUS_OF: ReadonlyArray<[abstract new (...args: never[]) => DomainError, number]> = [
  [ValidationFailed, HttpStatus.BAD_REQUEST],
  [InvalidInput, HttpStatus.BAD_REQUEST],
  [Unauthenticated, HttpStatus.UNAUTHORIZED],
  [Forbidden, HttpStatus.FORBIDDEN],
  [NotFound, HttpStatus.NOT_FOUND],
  [Conflict, HttpStatus.CONFLICT],
  [Gone, HttpStatus.GONE],
  [AccountLocked, 423],
  [RateLimitExceeded, HttpStatus.TOO_MANY_REQUESTS],
  [CodeNotAccepted, HttpStatus.UNPROCESSABLE_ENTITY],
];

/** PostgreSQL error classes that mean "the database is unavailable right now", not "bad request". */
const TRANSIENT_PG = /^(08|57P0|53|40001|40P01|55P03)/;

/** The same, as the pool, TypeORM and ioredis word it when there is no SQLSTATE. */
const TRANSIENT_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query runner already released|connection provided by a query runner was already released|Connection is closed|is not queryable|max retries per request|the database system is (starting up|shutting down|not yet accepting connections)/i;

interface ErrorBody {
  statusCode: number;
  error: string;
  /** Stable and machine-readable: what clients key on (the table in docs/api.md, "Error codes"). */
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface MappedError {
  body: ErrorBody;
  headers?: Record<string, string>;
}

/** A refusal that is no domain error (routing, body parsing, Nest's own): its reason phrase in snake_case (`not_found`). */
export function statusCodeName(statusCode: number): string {
  return (STATUS_CODES[statusCode] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

export function errorBody(statusCode: number, message: string, details?: Record<string, unknown>, code = statusCodeName(statusCode)): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, ...(details ? { details } : {}) };
}
const body = errorBody;

/** Exported for the plain Express error handler (body-parser errors happen before Nest routing). */
export function mapError(exception: unknown): MappedError | undefined {
  if (exception instanceof DomainError) {
    const status = STATUS_OF.find(([type]) => exception instanceof type)?.[1];
    const retryAfter = exception.details?.retryAfterSeconds;
    const headers = retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : undefined;
    if (status) return { body: body(status, exception.message, exception.details, exception.code), headers };
    return undefined;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return { body: body(status, response) };
    const { message, statusCode: _status, ...rest } = response as Record<string, unknown>;
    if (typeof rest.error === 'string') delete rest.error; // Nest's own reason phrase; ours is set below
    // Terminus answers readiness with { status: 'error', error: { redis: … } }: say what is down.
    const readiness = rest.status === 'error' && rest.error && typeof rest.error === 'object';
    const text = Array.isArray(message)
      ? message.join('; ')
      : typeof message === 'string'
        ? message
        : readiness
          ? `not ready: ${Object.keys(rest.error as object).join(', ')} down`
          : exception.message;
    const details = Object.keys(rest).length ? rest : undefined;
    return { body: body(status, text, details) };
  }
  if (exception instanceof URIError) return { body: body(400, 'the request holds malformed text (in its URL or a field)', undefined, 'malformed_text') };
  // body-parser and Express (http-errors): a 4xx they decided (bad charset, encoding, malformed URI …).
  const httpError = exception as { type?: string; status?: number; statusCode?: number; expose?: boolean };
  const clientStatus = httpError?.status ?? httpError?.statusCode;
  if (typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500) {
    const [code, message] =
      httpError.type === 'entity.too.large'
        ? ['body_too_large', 'request body is larger than this service accepts']
        : httpError.type === 'entity.parse.failed'
          ? ['invalid_json', 'request body is not valid JSON']
          : httpError.type === 'charset.unsupported' || httpError.type === 'encoding.unsupported'
            ? ['unsupported_encoding', 'request body must be JSON in UTF-8, uncompressed']
            : ['unreadable_request', 'the request could not be read'];
    return { body: body(clientStatus, message, undefined, code) };
  }
  if (exception instanceof QueryFailedError) {
    const code = (exception.driverError as { code?: string } | undefined)?.code ?? '';
    if (code === '23505') return { body: body(409, 'a record with these values already exists', undefined, 'already_exists') };
    // Data exceptions: a value that reached the database but does not fit its column. The statement failed,
    // so its transaction rolled back: nothing was written.
    if (code.startsWith('22')) return { body: body(400, 'a value in the request is not valid for its field', undefined, 'invalid_value') };
  }
  // Raw driver and pool errors too (pool.connect raises pg errors outside any query): starting up, shutting down,
  // too many clients, connection lost, sockets refused.
  const code = (exception as { code?: unknown })?.code;
  if (typeof code === 'string' && (TRANSIENT_PG.test(code) || /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/.test(code))) {
    return unavailable();
  }
  if (exception instanceof Error && TRANSIENT_MESSAGE.test(exception.message)) return unavailable();
  return undefined;
}

function unavailable(): MappedError {
  return {
    // Not "nothing was changed": the failure may come after a commit (building the answer). A retry is safe:
    // a change that did land answers 409 with the state it left.
    body: body(503, 'a backing service is unavailable; try again shortly', { retryAfterSeconds: 5 }, 'backing_service_unavailable'),
    headers: { 'Retry-After': '5' },
  };
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const mapped = mapError(exception);
    if (!mapped || mapped.body.statusCode >= 500) {
      // Only the class and message: a driver error can carry parameters, and parameters can be secrets.
      this.logger.error(
        { failure: { class: (exception as Error)?.constructor?.name ?? typeof exception, message: (exception as Error)?.message } },
        'request failed',
      );
    }
    const { body: payload, headers } = mapped ?? { body: body(500, 'internal error; it has been logged', undefined, 'internal_error') };
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers ?? {})) response.setHeader(name, value);
    response.status(payload.statusCode).json(payload);
  }
}
