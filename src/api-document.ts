import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/**
 * The service's OpenAPI document: what /docs-json serves, what `npm run api-types`
 * writes to docs/openapi.json (and generates the console's types from), and what
 * the Redocly lint in the test suite checks. Built in a canonical form, so the
 * committed file changes only when the API does.
 */
export function createApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Recovery desk')
    .setDescription(
      'Reissues MFA backup codes safely: identity proofing, separation of duties, one-time delivery, hash-chained audit. ' +
        'Every error answers in one shape, ErrorResponseDto, whose `code` is stable and machine-readable. ' +
        'Routes marked `security: []` need no staff token on purpose (health, metrics, one-time links, the grants public key).',
    )
    .setVersion('1')
    // Relative: the paths are served by the same origin as this document, wherever the service is deployed.
    .addServer('/', 'This service (the origin serving this document)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A staff token (shown once when issued)' })
    // SCIM_SECURITY in src/scim/scim.controller.ts: the directory's routes name this scheme.
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'A SCIM provisioning connection secret (shown once when an admin creates the connection)' },
      'scim',
    )
    .build();
  // Internal service (package.json: UNLICENSED); DocumentBuilder.setLicense insists on a URL we do not have.
  config.info.license = { name: 'UNLICENSED (proprietary, internal use)' };
  // operationIds and summaries come from each route's @ApiOperation: the default id (`TicketsController_open`)
  // is left as it is, so a route without one stands out (test/http.e2e-spec.ts refuses it).
  return canonical(SwaggerModule.createDocument(app, config));
}

/** The committed form of the document: two-space JSON and a final newline. */
export function serializeApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Object keys in code-point order at every level (paths, schemas, responses …), except the
 * fields of a schema's `properties`, which keep their declaration order (the order a reader
 * expects: `id` first). The result depends only on the API, not on module registration
 * order, so two branches that each add a route merge into the same document.
 */
function canonical<T>(value: T, keepOrder = false): T {
  if (Array.isArray(value)) return value.map((item) => canonical(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!keepOrder) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, child]) => [key, canonical(child, !keepOrder && key === 'properties')])) as T;
}
