import { Hash, leafHash } from './merkle';

/** The fields of an event that its leaf in the Merkle tree covers, in the shape they are stored. */
export interface LoggedFields {
  seq: number;
  occurredAt: Date;
  actorKind: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  payload: Record<string, unknown>;
}

/**
 * Canonical JSON: object keys sorted at every depth, no whitespace, undefined
 * dropped. The same value always encodes to the same bytes, whatever order its
 * keys were built in or PostgreSQL's jsonb gave them back in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The bytes an event contributes to the tree: its canonical JSON, every stored field named one by one. */
export function eventLeafData(fields: LoggedFields): string {
  const covered: Record<keyof LoggedFields, unknown> = {
    seq: fields.seq,
    occurredAt: fields.occurredAt.toISOString(),
    actorKind: fields.actorKind,
    actorId: fields.actorId,
    action: fields.action,
    targetType: fields.targetType,
    targetId: fields.targetId,
    payload: fields.payload,
  };
  return canonicalJson(covered);
}

/** The event's leaf hash, RFC 9162: SHA-256(0x00 ‖ leaf data). */
export const eventLeafHash = (fields: LoggedFields): Hash => leafHash(eventLeafData(fields));

/** Keys that must never appear in an audit payload, at any depth: the trail is read by many. */
const SECRET_KEY = /^(code|codes|token|secret|otp|password|pepper|plain\w*|\w*(Token|Secret|Code|Codes|Otp))$/;

export function findSecretKey(value: unknown, path = ''): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${key}` : key;
    if (SECRET_KEY.test(key)) return here;
    const nested = findSecretKey(child, here);
    if (nested) return nested;
  }
  return undefined;
}
