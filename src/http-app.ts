import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { createApiDocument } from './api-document';
import { errorBody, HttpExceptionFilter, mapError } from './common/http-exception.filter';
import { createValidationPipe } from './common/validation';
import type { Env } from './config/env.validation';
import { BootLogsAtDebug } from './logging/boot-logs';
import { MetricsService } from './metrics/metrics.service';
import { scimErrorsAtTheEdge } from './scim/scim-exception.filter';

const MAX_BODY_DEPTH = 32;

/** Nesting deeper than any of our bodies is refused before validation recurses into it. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_BODY_DEPTH) return deepest;
    for (const child of Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function refuseDeepBodies(req: Request, res: Response, next: NextFunction): void {
  if (depthOf(req.body) <= MAX_BODY_DEPTH) return next();
  res.status(400).json(errorBody(400, `request body is nested more than ${MAX_BODY_DEPTH} levels deep`, undefined, 'body_too_deep'));
}

/** A body in any other format is refused up front (415) rather than read as "no fields". */
function requireJsonBodies(req: Request, res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.is('application/json') || req.is('application/scim+json')) return next();
  res.status(415).json(errorBody(415, 'request body must be application/json'));
}

/**
 * The console and the link pages (/r, /c, /a) run no inline script or style and talk only to
 * this origin; no page sends its address (which may hold a one-time token) onward as a Referer.
 */
const pageHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      manifestSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
});
// Swagger UI needs inline script; it holds no token and gets the other headers.
const docsHeaders = helmet({ contentSecurityPolicy: false, referrerPolicy: { policy: 'no-referrer' } });

function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  (req.path === '/docs' || req.path.startsWith('/docs/') ? docsHeaders : pageHeaders)(req, res, next);
}

/** API answers can carry a code, a token or a link (redeem, enrolment, token issue): no cache may keep any of them. */
function noStoreForApi(req: Request, res: Response, next: NextFunction): void {
  if (req.path === '/v1' || req.path.startsWith('/v1/')) res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * Everything an HTTP app needs beyond its modules. Shared by main.ts and the
 * e2e app factory, so the tests exercise exactly what production serves.
 * The app must be created with `bodyParser: false` and `bufferLogs: true`.
 */
export function configureHttpApp(app: INestApplication): void {
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  app.useLogger(new BootLogsAtDebug(app.get(Logger)));
  const http = app.getHttpAdapter().getInstance() as express.Express;
  http.disable('x-powered-by');
  http.set('trust proxy', 'loopback');

  app.use(scimErrorsAtTheEdge);
  app.use(app.get(MetricsService).middleware);
  app.use(securityHeaders);
  app.use(noStoreForApi);
  app.use(requireJsonBodies);
  // SCIM clients (Okta, Entra ID) send application/scim+json (RFC 7644 §3.1).
  app.use(express.json({ limit: config.get('BODY_LIMIT_BYTES', { infer: true }), strict: true, type: ['application/json', 'application/scim+json'] }));
  // body-parser fails before Nest routing: answer in the same error shape as everything else.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const mapped = mapError(error);
    if (!mapped) return next(error);
    res.status(mapped.body.statusCode).json(mapped.body);
  });
  app.use(refuseDeepBodies);

  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(createValidationPipe());

  const document = createApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'Recovery desk API' });
}
