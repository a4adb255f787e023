import SCIMMY from 'scimmy';
import { ScimInvalid } from './scim-errors';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface Column {
  /** SQL over `a` (accounts) and `d` (directory_users). */
  sql: string;
  kind: 'text' | 'boolean' | 'time';
  caseExact?: boolean;
}

/** The attributes a filter may name (lower-case, enterprise ones as `enterprise:…`), and where each lives. */
const COLUMNS: Record<string, Column> = {
  id: { sql: 'a.id::text', kind: 'text', caseExact: true },
  externalid: { sql: 'a.external_id', kind: 'text', caseExact: true },
  username: { sql: 'COALESCE(d.user_name, a.email)', kind: 'text' },
  displayname: { sql: 'a.display_name', kind: 'text' },
  active: { sql: `(a.status = 'active')`, kind: 'boolean' },
  emails: { sql: 'a.email', kind: 'text' },
  'emails.value': { sql: 'a.email', kind: 'text' },
  'emails.type': { sql: `'work'`, kind: 'text' },
  'emails.primary': { sql: 'true', kind: 'boolean' },
  phonenumbers: { sql: 'a.phone', kind: 'text' },
  'phonenumbers.value': { sql: 'a.phone', kind: 'text' },
  'phonenumbers.type': { sql: `'mobile'`, kind: 'text' },
  'name.givenname': { sql: 'd.given_name', kind: 'text' },
  'name.familyname': { sql: 'd.family_name', kind: 'text' },
  'meta.created': { sql: 'a.created_at', kind: 'time' },
  'meta.lastmodified': { sql: 'a.updated_at', kind: 'time' },
  'enterprise:employeenumber': { sql: 'a.employee_number', kind: 'text' },
  'enterprise:costcenter': { sql: 'a.cost_centre', kind: 'text' },
  'enterprise:manager.value': { sql: 'COALESCE(a.manager_id::text, d.manager_ref)', kind: 'text', caseExact: true },
  'enterprise:manager': { sql: 'COALESCE(a.manager_id::text, d.manager_ref)', kind: 'text', caseExact: true },
};

const MAX_FILTER_LENGTH = 1000;
const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);

export interface SqlFilter {
  where: string;
  params: unknown[];
}

/** `core:…` prefixes dropped, enterprise ones shortened to `enterprise:`; SCIM attribute names are case-insensitive. */
export function attributeKey(path: string): string {
  const lower = path.toLowerCase();
  const core = `${CORE_USER.toLowerCase()}:`;
  const enterprise = `${ENTERPRISE.toLowerCase()}:`;
  if (lower.startsWith(core)) return lower.slice(core.length);
  if (lower.startsWith(enterprise)) return `enterprise:${lower.slice(enterprise.length)}`;
  return lower;
}

/**
 * A SCIM filter (RFC 7644 §3.4.2.2) as a parameterised SQL condition. Parsing is scimmy's; this maps what it
 * parsed onto our columns, and refuses (400 invalidFilter) an attribute or operator it cannot answer truthfully.
 */
export function filterToSql(filter: string, params: unknown[] = []): SqlFilter {
  if (filter.length > MAX_FILTER_LENGTH) throw new ScimInvalid('invalidFilter', 'filter', `is longer than ${MAX_FILTER_LENGTH} characters`);
  let parsed: Record<string, unknown>[];
  try {
    parsed = [...new SCIMMY.Types.Filter(filter)] as Record<string, unknown>[];
  } catch (error) {
    throw new ScimInvalid('invalidFilter', 'filter', `cannot be parsed: ${(error as Error).message}`);
  }
  if (parsed.length === 0) throw new ScimInvalid('invalidFilter', 'filter', 'is empty');
  const branches = parsed.map((branch) => {
    const terms = flatten(branch, '').map(([path, comparison]) => comparisonSql(path, comparison, params));
    if (terms.length === 0) throw new ScimInvalid('invalidFilter', 'filter', 'has an empty expression');
    return `(${terms.join(' AND ')})`;
  });
  return { where: `(${branches.join(' OR ')})`, params };
}

function flatten(node: Record<string, unknown>, prefix: string): [string, unknown[]][] {
  return Object.entries(node).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value))
      return Array.isArray(value[0]) ? (value as unknown[][]).map((v) => [path, v] as [string, unknown[]]) : [[path, value] as [string, unknown[]]];
    if (value && typeof value === 'object') return flatten(value as Record<string, unknown>, path);
    throw new ScimInvalid('invalidFilter', 'filter', `has an unreadable expression at ${path}`);
  });
}

function comparisonSql(path: string, comparison: unknown[], params: unknown[]): string {
  const column = COLUMNS[attributeKey(path)];
  if (!column) throw new ScimInvalid('invalidFilter', 'filter', `names an attribute this service cannot filter on: ${path}`);
  const negated = comparison[0] === 'not';
  const [operator, value, ...rest] = (negated ? comparison.slice(1) : comparison) as [string, unknown, ...unknown[]];
  const op = String(operator).toLowerCase();
  if (!OPERATORS.has(op) || rest.length > 0) throw new ScimInvalid('invalidFilter', 'filter', `has an unknown operator ${String(operator)} on ${path}`);
  const sql = op === 'pr' ? presence(column, comparison.length === (negated ? 2 : 1)) : compare(column, op, value, path, params);
  return negated ? `NOT COALESCE(${sql}, false)` : `COALESCE(${sql}, false)`;
}

function presence(column: Column, wellFormed: boolean): string {
  if (!wellFormed) throw new ScimInvalid('invalidFilter', 'filter', 'pr takes no value');
  return column.kind === 'text' ? `(${column.sql} IS NOT NULL AND ${column.sql} <> '')` : `(${column.sql} IS NOT NULL)`;
}

function compare(column: Column, op: string, value: unknown, path: string, params: unknown[]): string {
  if (value === undefined) throw new ScimInvalid('invalidFilter', 'filter', `${path} ${op} needs a value`);
  if (column.kind === 'boolean') {
    if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne'))
      throw new ScimInvalid('invalidFilter', 'filter', `${path} compares only eq/ne with true or false`);
    params.push(value);
    return `(${column.sql} ${op === 'eq' ? '=' : '<>'} $${params.length})`;
  }
  if (typeof value !== 'string') throw new ScimInvalid('invalidFilter', 'filter', `${path} compares with a string`);
  if (column.kind === 'time') {
    if (Number.isNaN(Date.parse(value)) || ['co', 'sw', 'ew'].includes(op))
      throw new ScimInvalid('invalidFilter', 'filter', `${path} compares with a date-time using eq, ne, gt, ge, lt or le`);
    params.push(new Date(value));
    return `(${column.sql} ${SQL_OP[op]} $${params.length})`;
  }
  const lhs = column.caseExact ? column.sql : `lower(${column.sql})`;
  const text = column.caseExact ? value : value.toLowerCase();
  if (op === 'co' || op === 'sw' || op === 'ew') {
    const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
    params.push(op === 'sw' ? `${escaped}%` : op === 'ew' ? `%${escaped}` : `%${escaped}%`);
    return `(${lhs} LIKE $${params.length})`;
  }
  params.push(text);
  return `(${lhs} ${SQL_OP[op]} $${params.length})`;
}

const SQL_OP: Record<string, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };
