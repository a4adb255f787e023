import { BadRequestException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import {
  AlreadyExists,
  Forbidden,
  Gone,
  InvalidInput,
  InvalidTransition,
  NotFound,
  SeparationOfDutyViolation,
  TicketHeld,
  Unauthenticated,
  ValidationFailed,
} from './errors';
import { mapError } from './http-exception.filter';

const pgError = (code: string) => new QueryFailedError('SELECT 1', [], Object.assign(new Error('pg'), { code }));

describe('mapError: every error becomes a status and the one error shape', () => {
  it.each([
    [new ValidationFailed([{ field: 'tier', errors: ['is bad'] }]), 400],
    [new InvalidInput('cursor', 'is bad'), 400],
    [new Unauthenticated('no'), 401],
    [new Forbidden('no'), 403],
    [new NotFound('account', 'x'), 404],
    [new AlreadyExists('dup'), 409],
    [new Gone('expired'), 410],
    [new NotFoundException('Cannot GET /x'), 404],
    [new BadRequestException(['a is bad', 'b is bad']), 400],
    [pgError('23505'), 409],
    [pgError('08006'), 503],
    [pgError('40001'), 503],
    [pgError('57P01'), 503],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 503],
    [Object.assign(new Error('the database system is starting up'), { code: '57P03' }), 503],
    [Object.assign(new Error('sorry, too many clients already'), { code: '53300' }), 503],
    [new Error('timeout exceeded when trying to connect'), 503],
    [new Error('Query runner already released. Cannot run queries anymore.'), 503],
    // node-postgres, on a pooled connection the server closed (a restart) before the pool noticed.
    [new QueryFailedError('SELECT 1', [], new Error('Client has encountered a connection error and is not queryable')), 503],
    [Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 }), 413],
    [Object.assign(new Error('bad json'), { type: 'entity.parse.failed', status: 400 }), 400],
    [Object.assign(new Error('unsupported charset "BOGUS"'), { type: 'charset.unsupported', status: 415 }), 415],
    [Object.assign(new Error('unsupported content encoding "x"'), { type: 'encoding.unsupported', status: 415 }), 415],
    [Object.assign(new URIError('URI malformed'), { status: 400 }), 400],
    [new URIError('URI malformed'), 400],
    [pgError('22P02'), 400],
    [pgError('22007'), 400],
    [pgError('22021'), 400],
  ])('%s → %i', (error, status) => {
    const mapped = mapError(error);
    expect(mapped?.body).toMatchObject({
      statusCode: status,
      error: expect.any(String),
      code: expect.stringMatching(/^[a-z][a-z0-9_]*$/),
      message: expect.any(String),
    });
  });

  it.each([
    [new SeparationOfDutyViolation('no'), 403, 'separation_of_duties'],
    [new TicketHeld('open', 'claim', ['cancel'], 'held'), 409, 'ticket_held'],
    [new InvalidTransition('open', 'approve', ['claim']), 409, 'invalid_transition'],
    [new NotFound('account', 'x'), 404, 'not_found'],
    [new NotFoundException('Cannot GET /x'), 404, 'not_found'],
    [Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 }), 413, 'body_too_large'],
    [pgError('08006'), 503, 'backing_service_unavailable'],
  ])('%s answers code %#', (error, status, code) => {
    expect(mapError(error)?.body).toMatchObject({ statusCode: status, code });
  });

  it('says which dependency is down when readiness fails, and hints a retry on 503s', () => {
    const mapped = mapError(new ServiceUnavailableException({ status: 'error', info: {}, error: { redis: { status: 'down' } }, details: {} }));
    expect(mapped?.body).toMatchObject({ statusCode: 503, message: 'not ready: redis down', details: { error: { redis: { status: 'down' } } } });
    expect(mapError(pgError('08006'))?.headers).toEqual({ 'Retry-After': '5' });
  });

  it('leaves unknown errors unmapped (a logged 500 with a generic message)', () => {
    expect(mapError(new TypeError('x is undefined'))).toBeUndefined();
    expect(mapError(pgError('42P01'))).toBeUndefined();
  });
});
