import fc from 'fast-check';

/**
 * Bad input for every route, generated from the service's own OpenAPI
 * document: the routes, their path and query parameters and body schemas come
 * from /docs-json, so a new route or field is fuzzed without touching this file.
 * Used by test/fuzz.e2e-spec.ts.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
  example?: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Route {
  /** `POST /v1/tickets/{id}/flag`, as the document names it. */
  name: string;
  method: Method;
  path: string;
  isPublic: boolean;
  /** The security scheme the route names ('bearer' for staff tokens, 'scim' for a provisioning connection's secret). */
  scheme?: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema }[];
  body?: Schema;
}

/** What the document cannot say: ids that exist, and valid values for fields whose rules live only in the validators. */
export interface Hints {
  /** Existing ids for a path parameter (by route path and name) or a uuid field (by field name). */
  ids(name: string, path?: string): string[];
  /** A valid value for a field, when the schema alone would rarely produce one. */
  field(name: string): fc.Arbitrary<unknown> | undefined;
}

type Auth = { kind: 'valid' } | { kind: 'bad'; header: string | undefined };
type PathValue = { raw: boolean; value: string };
/** A value the serialiser writes as raw JSON text (numbers JSON.stringify cannot make, nesting deeper than it allows). */
type Literal = { readonly __literal: string };
type Body =
  { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; contentType?: string; contentEncoding?: string; data: string; binary?: boolean };

/** key, value, and whether the value goes into the URL as it is (not percent-encoded). */
type QueryPart = [string, string, boolean];

export interface FuzzCase {
  auth: Auth;
  path: Record<string, PathValue>;
  query: QueryPart[];
  body: Body;
}

export function routesOf(doc: OpenApiDocument): Route[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const params = op.parameters ?? [];
      return {
        name: `${method.toUpperCase()} ${path}`,
        method: method as Method,
        path,
        isPublic: !op.security?.length,
        scheme: op.security?.length ? Object.keys(op.security[0] as object)[0] : undefined,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: resolve(doc, p.schema ?? {}) })),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(doc, p.schema ?? {}) })),
        body: op.requestBody ? resolve(doc, op.requestBody.content['application/json']?.schema ?? {}) : undefined,
      };
    }),
  );
}

function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  let s = schema;
  while (s.$ref) s = { ...doc.components.schemas[s.$ref.split('/').pop()!], ...omit(s, '$ref') };
  const resolveAll = (list?: Schema[]) => list?.map((x) => resolve(doc, x));
  const properties = s.properties && Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolve(doc, v)]));
  return { ...s, properties, items: s.items && resolve(doc, s.items), oneOf: resolveAll(s.oneOf), anyOf: resolveAll(s.anyOf), allOf: undefined };
}

function omit<T extends object>(o: T, key: keyof T): T {
  const copy = { ...o };
  delete copy[key];
  return copy;
}

/** The document writes `limit` as `allOf: [Object]` with bounds: treat bounds without a type as an integer. */
function typeOf(s: Schema): string {
  if (s.enum) return 'enum';
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.oneOf || s.anyOf) return 'oneOf';
  if (s.minimum !== undefined || s.maximum !== undefined) return 'integer';
  return 'any';
}

// ---------------------------------------------------------------- nasty values

const HUGE = 100_000;
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)); // lone surrogates included

/** Short strings that have broken parsers, databases and normalisers before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '\uDBFF\uDFFF',
  '\u202Eevil\u202C',
  '\u200F\u200E',
  '\u200B',
  '\uFEFF',
  'e\u0301\u0301\u0301',
  'Z\u0351\u0315\u0334\u0327\u0322',
  '👩‍👩‍👧‍👦',
  '\u{10FFFF}',
  '\r\n',
  '\t',
  '\u0007',
  '１２３４５６',
  '٤٢٤٢',
  'İ',
  'ß',
  'ﬃ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-0',
  '0x1F',
  '1_000',
  ' 42 ',
  '4.2',
  '-1',
  '0',
  '99999999999999999999',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  "' OR 1=1 --",
  '"; DROP TABLE accounts; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '%s%n%x',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '2026-13-45T25:61:61Z',
  '0001-01-01T00:00:00Z',
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '-010000-01-01T00:00:00.000Z',
  '1970-01-01',
  'a@b',
  'a'.repeat(257),
  'x'.repeat(5000),
];

/** About 100 kB each (under the 256 kB body limit), in the shapes that cost a parser or a database the most. */
const HUGE_STRINGS = [
  'a'.repeat(HUGE),
  '😀'.repeat(HUGE / 4),
  'é'.repeat(HUGE / 2),
  '\u0000'.repeat(HUGE / 6),
  '\uD800'.repeat(HUGE / 6),
  'e\u0301'.repeat(HUGE / 3),
  '\u202E'.repeat(HUGE / 3),
  ' '.repeat(HUGE),
  '9'.repeat(HUGE),
];

const NASTY_NUMBERS = [0, -0, -1, 1, 1.5, -1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -(2 ** 63), 1e21, 1e308, -1e308, Number.MIN_VALUE, 1e-7];

const literal = (text: string): Literal => ({ __literal: text });
const LITERALS = fc.oneof(
  fc.constantFrom('1e999', '-1e999', '1' + '0'.repeat(400), '0.' + '0'.repeat(400) + '1', '-0', '1E+2', '123456789012345678901234567890').map(literal),
  fc.constantFrom(64, 1_000, 5_000, 20_000, 45_000).map((d) => literal('{"a":'.repeat(d) + 'null' + '}'.repeat(d))),
  fc.constantFrom(64, 1_000, 10_000, 100_000).map((d) => literal('['.repeat(d) + ']'.repeat(d))),
);

const isoDates = fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString());

/** A value of any JSON type, biased to the ones validators and databases get wrong. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [[]], [null], { '': null }, ['a'], [1, 2, 3]) },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: isoDates },
  { weight: 1, arbitrary: LITERALS },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE_STRINGS) },
);

/** Short nasty strings: for URLs (Node refuses request lines over 16 kB before the app sees them) and hints. */
export const nastyUrlString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY_NUMBERS).map(String) },
  { weight: 1, arbitrary: isoDates },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null') },
);

/** Written into the URL as they are: malformed percent-encoding, dot segments, a NUL. */
const RAW_URL_PIECES = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF%FE', '%00', '%2e%2e', '..', '.', '%2F', 'a;b=c', '*', '%25', '%u0041'];

// ---------------------------------------------------------------- valid-shaped values from a schema

const DEFAULT_EMAILS = ['jane.doe@example.com', 'a@b.co', 'x.y+z@sub.example.org'];

/** A value the schema allows (as far as the document tells), using the hints for ids and validator-only rules. */
function validValue(s: Schema, name: string, hints: Hints): fc.Arbitrary<unknown> {
  const hinted = hints.field(name);
  if (hinted) return nullable(s, hinted);
  return nullable(s, plainValid(s, name, hints));
}

function nullable(s: Schema, arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return s.nullable ? fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }) : arb;
}

function plainValid(s: Schema, name: string, hints: Hints): fc.Arbitrary<unknown> {
  switch (typeOf(s)) {
    case 'enum':
      return fc.constantFrom(...s.enum!);
    case 'oneOf':
      return fc.oneof(...(s.oneOf ?? s.anyOf)!.map((x) => validValue(x, name, hints)));
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number':
      return fc.integer({ min: s.minimum ?? 0, max: s.maximum ?? 1_000 });
    case 'array': {
      const items = s.items ?? {};
      if (items.enum) return fc.uniqueArray(fc.constantFrom(...items.enum), { minLength: 1, maxLength: items.enum.length });
      return fc.uniqueArray(validValue(items, name, hints), { minLength: s.minItems ?? 1, maxLength: s.maxItems ?? 4 });
    }
    case 'object':
      return validObject(s, hints);
    case 'string':
      return validString(s, name, hints);
    default:
      return fc.constant({});
  }
}

function validObject(s: Schema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(s.properties ?? {});
  if (!entries.length) return fc.constant({});
  if (s.maxProperties === 1) return fc.oneof(...entries.map(([k, v]) => validValue(v, k, hints).map((value) => ({ [k]: value }))));
  const model = Object.fromEntries(entries.map(([k, v]) => [k, validValue(v, k, hints)]));
  return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in model) }) as fc.Arbitrary<Record<string, unknown>>;
}

function validString(s: Schema, name: string, hints: Hints): fc.Arbitrary<string> {
  const fits = (v: string) => v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity);
  if (s.format === 'uuid') {
    const existing = hints.ids(name);
    return existing.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...existing) }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid();
  }
  if (s.format === 'email') return fc.oneof(fc.constantFrom(...DEFAULT_EMAILS), fc.emailAddress().filter(fits));
  if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
  if (typeof s.example === 'string' && fits(s.example)) {
    const example = s.example;
    return fc
      .oneof(
        fc.constant(example),
        fc.stringMatching(/^[0-9]{1,2}$/).map((d) => example + d),
      )
      .filter(fits);
  }
  const minLength = Math.max(s.minLength ?? 1, 1);
  return fc.string({ unit: 'grapheme-ascii', minLength, maxLength: Math.min(s.maxLength ?? 40, minLength + 40) });
}

/** Path and query values as strings: a valid one, or a nasty one. */
function paramValue(s: Schema, name: string, hints: Hints, path?: string): fc.Arbitrary<PathValue> {
  const encoded = (arb: fc.Arbitrary<unknown>) => arb.map((v) => ({ raw: false, value: typeof v === 'string' ? v : JSON.stringify(v) }));
  const existing = hints.ids(name, path);
  const valid: fc.Arbitrary<unknown> = existing.length
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...existing) }, { weight: 1, arbitrary: fc.uuid() })
    : /id$/i.test(name)
      ? fc.uuid()
      : validValue(s, name, hints);
  const lookalikes = existing.length
    ? fc
        .constantFrom(...existing)
        .chain((id) =>
          fc.constantFrom(
            ...[id.toUpperCase(), `{${id}}`, id.replace(/-/g, ''), `${id}0`, id.slice(0, -1), `${id.slice(0, -1)}g`],
            ...[` ${id}`, `${id}\u0000`, `urn:uuid:${id}`],
          ),
        )
    : fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  return fc.oneof(
    { weight: 5, arbitrary: encoded(valid) },
    { weight: 1, arbitrary: encoded(lookalikes) },
    { weight: 3, arbitrary: encoded(nastyUrlString) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_PIECES).map((value) => ({ raw: true, value })) },
    { weight: 1, arbitrary: fc.constant({ raw: false, value: 'x'.repeat(8_000) }) },
  );
}

// ---------------------------------------------------------------- mutations of a valid-shaped body

type Mutation =
  | { op: 'delete'; path: string[] }
  | { op: 'set'; path: string[]; value: unknown }
  | { op: 'extra'; path: string[]; key: string; value: unknown }
  | { op: 'wrap'; how: 'array' | 'pair' | 'nest' | 'string' };

const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', '', ' ', 'isAdmin', 'id', 'roles', 'state', '\u0000', 'a'.repeat(1_000), '$where', 'toString'];

/** Every property path of an object schema (nested objects included), and the paths that are objects. */
function pathsOf(s: Schema, prefix: string[] = [], depth = 0): { leaves: string[][]; objects: string[][] } {
  const leaves: string[][] = [];
  const objects: string[][] = [prefix];
  if (depth > 3) return { leaves, objects };
  const variants = s.oneOf ?? s.anyOf ?? [s];
  for (const variant of variants) {
    for (const [key, child] of Object.entries(variant.properties ?? {})) {
      leaves.push([...prefix, key]);
      if (typeOf(child) === 'object') {
        const nested = pathsOf(child, [...prefix, key], depth + 1);
        leaves.push(...nested.leaves);
        objects.push(...nested.objects);
      }
    }
  }
  return { leaves, objects };
}

function mutation(s: Schema): fc.Arbitrary<Mutation> {
  const { leaves, objects } = pathsOf(s);
  const key = fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 12 }), fc.string({ unit: anyCodeUnit, maxLength: 8 }));
  const options: fc.WeightedArbitrary<Mutation>[] = [
    { weight: 2, arbitrary: fc.record({ op: fc.constant('extra' as const), path: fc.constantFrom(...objects), key, value: nastyValue }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), how: fc.constantFrom(...(['array', 'pair', 'nest', 'string'] as const)) }) },
  ];
  if (leaves.length) {
    options.push({ weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...leaves) }) });
    options.push({ weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...leaves), value: nastyValue }) });
    // null for an optional field: validators skip it as "absent", the database may not
    options.push({ weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...leaves), value: fc.constant(null) }) });
  }
  return fc.oneof(...options);
}

function applyMutation(body: unknown, m: Mutation): unknown {
  if (m.op === 'wrap') {
    if (m.how === 'array') return [body];
    if (m.how === 'pair') return [body, body];
    if (m.how === 'nest') return { body };
    return JSON.stringify(body);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const path = m.op === 'extra' ? [...m.path, m.key] : m.path;
  let target = body as Record<string, unknown>;
  for (const part of path.slice(0, -1)) {
    const next = target[part];
    if (!next || typeof next !== 'object' || Array.isArray(next)) {
      if (m.op === 'delete') return body;
      target[part] = {};
    }
    target = target[part] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (m.op === 'delete') delete target[last];
  // defineProperty, so '__proto__' becomes an own key that JSON.stringify writes, as an attacker would send it;
  // a copy, because fast-check hands out the same constant ({}, []) to many runs
  else Object.defineProperty(target, last, { value: structuredClone(m.value), enumerable: true, writable: true, configurable: true });
  return body;
}

// ---------------------------------------------------------------- bodies

const MALFORMED_JSON = [
  '{',
  '}',
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  '[1,]',
  'NaN',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '\uFEFF{}',
  '{"a":1}garbage',
  '/*c*/{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":"\\x41"}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":+1}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  'null',
  'true',
  '0',
  '""',
  '[]',
  '{}',
  ' ',
  '\n',
  '{"a":1}{"b":2}',
  '{"a"\u0000:1}',
  '{"a":"\u0000"}',
  '{"a":1,"a":2}',
  `"${'a'.repeat(300_000)}"`,
];
const WRONG_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/html',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'application/octet-stream',
  'application/json, text/plain',
  'json',
  '*/*',
  ';',
  'application/json;;',
  `application/${'x'.repeat(2_000)}`,
];
const JSON_VARIANTS = [
  'APPLICATION/JSON',
  'application/json; charset=utf-8',
  'application/json; charset=UTF8',
  'application/json; charset=utf-16',
  'application/json; charset=utf-32',
  'application/json; charset=latin1',
  'application/json; charset=bogus',
  'application/json; x=y',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'x-bogus', 'gzip, gzip'];
const INVALID_UTF8 = ['\xff\xfe', '\xc0\xaf', '\xed\xa0\x80', '\xf4\x90\x80\x80', '\x80', '\xe2\x82'];

function rawBody(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
  const text = valid.map((v) => JSON.stringify(v) ?? 'null');
  return fc.oneof(
    fc.constantFrom(...MALFORMED_JSON).map((data) => ({ kind: 'raw' as const, contentType: 'application/json', data })),
    fc.tuple(text, fc.nat()).map(([t, n]) => ({ kind: 'raw' as const, contentType: 'application/json', data: t.slice(0, n % Math.max(t.length, 1)) })),
    fc.tuple(text, fc.constantFrom(...WRONG_TYPES)).map(([data, contentType]) => ({ kind: 'raw' as const, contentType, data })),
    fc.tuple(text, fc.constantFrom(...JSON_VARIANTS)).map(([data, contentType]) => ({ kind: 'raw' as const, contentType, data })),
    fc
      .tuple(text, fc.constantFrom(...ENCODINGS))
      .map(([data, contentEncoding]) => ({ kind: 'raw' as const, contentType: 'application/json', contentEncoding, data })),
    fc.constantFrom(...INVALID_UTF8).map((bytes) => ({ kind: 'raw' as const, contentType: 'application/json', data: `{"a":"${bytes}"}`, binary: true })),
    text.map((data) => ({ kind: 'raw' as const, data })), // no Content-Type at all
  );
}

function fromScratch(s: Schema | undefined): fc.Arbitrary<unknown> {
  const names = Object.keys(s?.properties ?? {});
  const key = fc.oneof(...(names.length ? [fc.constantFrom(...names)] : []), fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 10 }));
  return fc.oneof(
    { weight: 2, arbitrary: fc.dictionary(key, nastyValue, { maxKeys: 6, noNullPrototype: true }) },
    { weight: 1, arbitrary: nastyValue },
    { weight: 1, arbitrary: fc.array(fc.dictionary(key, nastyValue, { maxKeys: 3, noNullPrototype: true }), { maxLength: 3 }) },
    { weight: 1, arbitrary: LITERALS },
  );
}

function bodyArb(route: Route, hints: Hints): fc.Arbitrary<Body> {
  const json = (arb: fc.Arbitrary<unknown>) => arb.map((value) => ({ kind: 'json' as const, value }));
  const none = fc.constant<Body>({ kind: 'none' });
  if (!route.body) {
    return fc.oneof({ weight: 8, arbitrary: none }, { weight: 1, arbitrary: json(fromScratch(undefined)) }, { weight: 1, arbitrary: rawBody(fc.constant({})) });
  }
  const valid = validValue(route.body, '', hints);
  const mutated = fc
    .tuple(valid, fc.array(mutation(route.body), { maxLength: 3 }))
    .map(([v, ms]) => ms.reduce((body, m) => applyMutation(body, m), structuredClone(v)));
  return fc.oneof(
    { weight: 5, arbitrary: json(mutated) },
    { weight: 2, arbitrary: json(fromScratch(route.body)) },
    { weight: 2, arbitrary: rawBody(valid) },
    { weight: 1, arbitrary: none },
  );
}

/** Cursors are base64url JSON arrays: the right shape with the wrong types inside gets past the decoder. */
const cursorLike = fc
  .array(fc.oneof(nastyUrlString, fc.integer(), fc.double({ noNaN: true }), isoDates), { maxLength: 4 })
  .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url'));

function queryArb(route: Route, hints: Hints): fc.Arbitrary<QueryPart[]> {
  const part = (name: string, v: PathValue): QueryPart => [name, v.value, v.raw];
  const one = (name: string, s: Schema): fc.Arbitrary<QueryPart[]> => {
    const value = paramValue(s, name, hints);
    const options: fc.WeightedArbitrary<QueryPart[]>[] = [
      { weight: 3, arbitrary: value.map((v) => [part(name, v)]) },
      { weight: 1, arbitrary: fc.tuple(value, value).map(([a, b]) => [part(name, a), part(name, b)]) }, // ?limit=1&limit=2
      { weight: 1, arbitrary: fc.constant([[name, '', false]]) },
    ];
    if (name === 'cursor') options.push({ weight: 2, arbitrary: cursorLike.map((c) => [[name, c, false]]) });
    return fc.oneof(...options);
  };
  const documented = route.queryParams.map((p) => fc.option(one(p.name, p.schema), { freq: 2 }));
  const extraKey = fc.oneof(fc.constantFrom(...EXTRA_KEYS.slice(0, 10), 'token', 'limit[]', 'a[b]'), fc.string({ maxLength: 8 }));
  const extra = fc.array(fc.tuple(extraKey, nastyUrlString, fc.constant(false)), { maxLength: 2 });
  return fc
    .tuple(fc.tuple(...documented), fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extra }))
    .map(([parts, extras]) => [...parts.flatMap((p) => p ?? []), ...extras]);
}

/** Bad Authorization headers ('VALID', 'REVOKED' and 'DEACTIVATED' are replaced by real tokens when sent). */
const BAD_AUTH = [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'Bearer short',
  `Bearer rds_${'A'.repeat(43)}`,
  `Bearer ${'x'.repeat(600)}`,
  'Basic dXNlcjpwYXNz',
  'Token VALID',
  'Bearer VALIDx',
  'Bearer REVOKED',
  'Bearer DEACTIVATED',
  `Bearer ${'\u00e9'.repeat(16)}`,
  'Bearer VALID VALID',
  'Bearer\tVALID',
];

export function fuzzCase(route: Route, hints: Hints): fc.Arbitrary<FuzzCase> {
  const path = fc.record(Object.fromEntries(route.pathParams.map((p) => [p.name, paramValue(p.schema, p.name, hints, route.path)])));
  const auth = fc.oneof(
    { weight: 9, arbitrary: fc.constant<Auth>({ kind: 'valid' }) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_AUTH).map((header): Auth => ({ kind: 'bad', header })) },
  );
  return fc.record({ auth, path, query: queryArb(route, hints), body: bodyArb(route, hints) }) as fc.Arbitrary<FuzzCase>;
}

// ---------------------------------------------------------------- turning a case into a request

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a browser would send it). */
function encode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

export function urlOf(route: Route, c: FuzzCase): string {
  const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = c.path[name];
    return v.raw ? v.value : encode(v.value);
  });
  const query = c.query.map(([k, v, raw]) => `${encode(k)}=${raw ? v : encode(v)}`).join('&');
  return query ? `${path}?${query}` : path;
}

/** JSON text of a body, with literals written raw. */
export function serialize(value: unknown): string {
  const literals: string[] = [];
  const text =
    JSON.stringify(value, (_key, v: unknown) => {
      if (v && typeof v === 'object' && '__literal' in v) {
        literals.push((v as Literal).__literal);
        return `\u0001literal${literals.length - 1}\u0001`;
      }
      return v;
    }) ?? 'null';
  return text.replace(/"\\u0001literal(\d+)\\u0001"/g, (_m, i: string) => literals[Number(i)]);
}

/** True when nothing about the request is malformed below the Authorization header, so a missing token must be the answer. */
export function onlyAuthIsWrong(c: FuzzCase): boolean {
  // '', '.' and '..' change which route the URL names (an empty segment, or a dot segment the client resolves)
  const pathClean = Object.values(c.path).every((v) => !v.raw && !['', '.', '..'].includes(v.value));
  const queryClean = c.query.every(([, , raw]) => !raw);
  const text = c.body.kind === 'json' ? serialize(c.body.value) : '';
  const bodyClean =
    c.body.kind === 'none' || (c.body.kind === 'json' && /^[[{]/.test(text) && text === JSON.stringify(c.body.value) && Buffer.byteLength(text) < 200_000);
  return pathClean && queryClean && bodyClean;
}

/** A short, printable account of a case for failure messages (long strings elided). */
export function describeCase(route: Route, c: FuzzCase): string {
  const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 200)}…(${s.length} chars)…${s.slice(-40)}` : s);
  const body =
    c.body.kind === 'none'
      ? 'no body'
      : c.body.kind === 'json'
        ? `JSON ${clip(serialize(c.body.value))}`
        : `raw ${JSON.stringify(c.body.contentType)}${c.body.contentEncoding ? ` encoding ${c.body.contentEncoding}` : ''} ` +
          clip(JSON.stringify(c.body.data));
  const auth = c.auth.kind === 'valid' ? 'valid token' : `Authorization ${JSON.stringify(c.auth.header)}`;
  return `${route.method.toUpperCase()} ${clip(urlOf(route, c))} with ${auth}, ${body}`;
}
