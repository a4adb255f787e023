import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import type { Env } from '../config/env.validation';
import { sanitizeUrl } from './sanitize';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Structured logs with a request id. Redaction is belt and braces: secrets are
 * never passed to the logger, and if one were, these paths would censor it.
 */
export const SECRET_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.tokens',
  '*.code',
  '*.codes',
  '*.otp',
  '*.secret',
  '*.password',
  '*.pepper',
];

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const file = config.get('LOG_FILE', { infer: true });
        return {
          pinoHttp: {
            level: config.get('LOG_LEVEL', { infer: true }),
            redact: { paths: SECRET_LOG_PATHS, censor: '[redacted]' },
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            serializers: {
              req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
                id: req.id,
                method: req.method,
                url: sanitizeUrl(req.url),
                userAgent: req.headers['user-agent'],
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? '') },
            stream: file ? pino.destination({ dest: file, sync: true, mkdir: true }) : undefined,
          },
        };
      },
    }),
  ],
})
export class LoggingModule {}
