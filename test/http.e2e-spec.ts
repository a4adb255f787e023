import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from './helpers/app';
import { LOG_DIR } from './helpers/test-env';

let t: TestApp;
const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
const ERROR_SHAPE = { statusCode: expect.any(Number), error: expect.any(String), message: expect.any(String) };

beforeAll(async () => {
  t = await createTestApp(__filename);
});
afterAll(() => t?.close());

describe('the HTTP edge', () => {
  it('answers an unknown route with a JSON 404', async () => {
    const res = await t.http().get('/v1/nothing-here').expect(404).expect('Content-Type', /json/);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'not_found', message: 'Cannot GET /v1/nothing-here' });
  });

  it('answers 1 MB of junk with 413 in the error shape, writing nothing', async () => {
    const before = await t.snapshot();
    const junk = Buffer.alloc(1024 * 1024, 'x').toString();
    const res = await t.http().post('/v1/accounts').set(admin()).set('Content-Type', 'application/json').send(junk).expect(413);
    expect(res.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'body_too_large',
      message: 'request body is larger than this service accepts',
    });
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers malformed JSON with 400, and a non-JSON body with 415', async () => {
    const malformed = await t.http().post('/v1/accounts').set(admin()).set('Content-Type', 'application/json').send('{"externalId": ').expect(400);
    expect(malformed.body).toEqual({ statusCode: 400, error: 'Bad Request', code: 'invalid_json', message: 'request body is not valid JSON' });
    const text = await t.http().post('/v1/accounts').set(admin()).set('Content-Type', 'text/plain').send('externalId=1').expect(415);
    expect(text.body).toMatchObject(ERROR_SHAPE);
  });

  it.each([
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"hello"'],
    ['null', 'null'],
    ['a number', '42'],
    ['deep nesting', '{"a":'.repeat(500) + '1' + '}'.repeat(500)],
    ['a NUL character', '{"externalId":"E\\u0000","displayName":"x","tier":"standard","email":"a@b.co","phone":"+447700900234"}'],
  ])('answers %s with a 4xx, never a 5xx', async (_name, body) => {
    const before = await t.snapshot();
    const res = await t.http().post('/v1/accounts').set(admin()).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject(ERROR_SHAPE);
    expect(await t.snapshot()).toEqual(before);
  });

  it('echoes a request id (its own, or the caller’s when well-formed)', async () => {
    const own = await t.http().get('/health').expect(200);
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await t.http().get('/health').set('X-Request-Id', 'trace-abc-12345').expect(200);
    expect(given.headers['x-request-id']).toBe('trace-abc-12345');
  });

  it('reports readiness of PostgreSQL and Redis', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body.details).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' } });
  });
});

describe('logs', () => {
  it('record requests with a request id and redact what must not be kept', async () => {
    // An unknown query parameter is refused (400) but still logged: the value must not be.
    await t.http().get('/v1/accounts?token=should-not-appear-1234').set(admin()).expect(400);
    const log = readFileSync(join(LOG_DIR, 'http.e2e-spec.ts.log'), 'utf8');
    const lines = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { req?: { id: string; url: string } });
    const request = lines.find((line) => line.req?.url?.startsWith('/v1/accounts?'));
    expect(request?.req?.id).toEqual(expect.any(String));
    expect(request?.req?.url).toBe('/v1/accounts?token=%5Bredacted%5D');
    expect(log).not.toContain('should-not-appear-1234');
    expect(log).not.toMatch(/authorization/i);
  });

  it('hold none of the tokens this run created (also checked after every test file)', () => {
    const log = readFileSync(join(LOG_DIR, 'http.e2e-spec.ts.log'), 'utf8');
    expect(t.secrets.size).toBeGreaterThan(0);
    expect(log.length).toBeGreaterThan(0);
    for (const secret of t.secrets) expect(log).not.toContain(secret);
    expect(existsSync(LOG_DIR)).toBe(true);
  });
});

describe('the OpenAPI document', () => {
  type Operation = {
    summary?: string;
    operationId?: string;
    security?: unknown[];
    parameters?: { in: string }[];
    requestBody?: { content: Record<string, { schema: unknown }> };
    responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  };

  /** Actions whose URL says everything: they take no body. */
  const BODILESS_ACTIONS = [
    'POST /v1/accounts/{id}/code-sets',
    'POST /v1/accounts/{id}/code-sets/current/custody',
    'POST /v1/tickets/next',
    'POST /v1/tickets/{id}/release',
    'POST /v1/tickets/{id}/retry',
    'POST /v1/critical-systems/{id}/unlock-sessions',
    'POST /v1/outbox/{id}/resend',
    'POST /v1/audit/checkpoint',
    'POST /v1/auth/sign-out',
    'POST /v1/scim-connections/{id}/revoke',
    'POST /v1/scim-connections/{id}/secret',
  ];

  /**
   * The browser's round trip through the identity provider: each answers a 302 (documented), never a 2xx, and a
   * refusal there is an HTML page for a person, not an API error (.redocly.lint-ignore.yaml says the same).
   */
  const BROWSER_REDIRECTS = ['GET /v1/auth/oidc/login', 'GET /v1/auth/oidc/callback'];

  /** Routes that need no staff token, on purpose: anything else without a token requirement forgot its @Roles. */
  const PUBLIC_ROUTES = [
    'GET /health',
    'GET /health/ready',
    'GET /metrics',
    'POST /v1/deliveries/redeem',
    'POST /v1/links/cancel',
    'POST /v1/links/attestation-request',
    'POST /v1/links/attest',
    'GET /v1/grants/public-key',
    'GET /v1/auth/options',
    'GET /v1/auth/oidc/login',
    'GET /v1/auth/oidc/callback',
    'POST /v1/links/not-me',
  ];

  /**
   * What a generated client and a reader need from every route, so a route added later cannot leave it out:
   * run `npm run api-types` and read docs/openapi.json for what the document says.
   */
  it('documents every route with a summary, a client method name, its auth, a success response and the error shape for each failure', async () => {
    const docs = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, Operation>> };
    const problems: string[] = [];
    const operationIds = new Map<string, string>();
    for (const [path, methods] of Object.entries(docs.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!op.summary?.trim()) problems.push(`${name}: no summary (@ApiOperation({ summary, operationId }))`);
        // Nest's default id (`TicketsController_open`) fails this: a generated client would name its method after a class.
        if (!/^[a-z][a-zA-Z0-9]*$/.test(op.operationId ?? ''))
          problems.push(`${name}: operationId ${op.operationId} is not a camelCase method name (@ApiOperation({ operationId }))`);
        else if (operationIds.has(op.operationId!)) problems.push(`${name}: operationId ${op.operationId} is also ${operationIds.get(op.operationId!)}`);
        else operationIds.set(op.operationId!, name);
        const codes = Object.keys(op.responses);
        if (BROWSER_REDIRECTS.includes(name)) {
          if (!codes.includes('302')) problems.push(`${name}: a browser redirect documents no 302`);
          if (op.security?.length !== 0 || !PUBLIC_ROUTES.includes(name)) problems.push(`${name}: a sign-in redirect must be public`);
          continue;
        }
        if (!codes.some((c) => c.startsWith('2'))) problems.push(`${name}: no 2xx response`);
        // The directory's routes answer in SCIM's own error format (RFC 7644 §3.12), authenticated by a connection
        // secret that has no roles (so no 403); a malformed resource id there is an unknown resource (404).
        const scim = path.startsWith('/scim/');
        const [errorType, errorShape] = scim ? ['application/scim+json', 'ScimErrorDto'] : ['application/json', 'ErrorResponseDto'];
        for (const code of codes.filter((c) => /^[45]/.test(c))) {
          const schema = op.responses[code].content?.[errorType]?.schema;
          if (code !== '503' && schema?.$ref !== `#/components/schemas/${errorShape}`) problems.push(`${name}: ${code} lacks the error shape`);
        }
        const takesInput = Boolean((scim ? op.parameters?.filter((p) => p.in !== 'path') : op.parameters)?.length || op.requestBody);
        if (!op.security) problems.push(`${name}: no security (@Roles(...) or @Public())`);
        else if (op.security.length === 0) {
          if (!PUBLIC_ROUTES.includes(name)) problems.push(`${name}: public (security: []) but not in this test's list of public routes`);
        } else {
          if (PUBLIC_ROUTES.includes(name)) problems.push(`${name}: should be public (security: [])`);
          for (const code of scim ? ['401'] : ['401', '403']) if (!codes.includes(code)) problems.push(`${name}: no ${code}`);
        }
        // A public route that takes no input has nothing a client can get wrong (.redocly.lint-ignore.yaml says which).
        if (!codes.some((c) => c.startsWith('4')) && (takesInput || op.security?.length !== 0)) problems.push(`${name}: no 4xx response`);
        if (takesInput && !codes.includes('400')) problems.push(`${name}: takes input but documents no 400`);
        if (['post', 'patch', 'put'].includes(method) && !op.requestBody && !BODILESS_ACTIONS.includes(name)) {
          problems.push(`${name}: no request body documented`);
        }
      }
    }
    const documented = Object.entries(docs.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    for (const name of PUBLIC_ROUTES) if (!documented.includes(name)) problems.push(`${name}: listed as public but not in the document`);
    expect(problems).toEqual([]);
  });
});
