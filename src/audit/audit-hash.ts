import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an event that its hash covers, in the shape they are stored. */
export interface ChainedFields {
  seq: number;
  occurredAt: Date;
  actorKind: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  payload: Record<string, unknown>;
  prevHash: string;
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

/** SHA-256 over the canonical encoding of the event, which includes the previous event's hash. */
export function chainHash(fields: ChainedFields): string {
  // Named one by one: a stored row carries more (its own hash) than the hash covers.
  const covered: Record<keyof ChainedFields, unknown> = {
    seq: fields.seq,
    occurredAt: fields.occurredAt.toISOString(),
    actorKind: fields.actorKind,
    actorId: fields.actorId,
    action: fields.action,
    targetType: fields.targetType,
    targetId: fields.targetId,
    payload: fields.payload,
    prevHash: fields.prevHash,
  };
  const encoded = canonicalJson(covered);
  return createHash('sha256').update(encoded).digest('hex');
}

/** `brokenSeq` names the first event that does not hold: a missing one when the sequence jumps. */
export type ChainCheck = { ok: true } | { ok: false; brokenSeq: number; reason: string };

/** Checks one event against its predecessor (undefined for the first event). */
export function checkLink(
  event: ChainedFields & { hash: string },
  previous: { seq: number; hash: string } | undefined,
): ChainCheck {
  const expectedSeq = previous ? previous.seq + 1 : 1;
  if (event.seq !== expectedSeq) {
    return { ok: false, brokenSeq: expectedSeq, reason: `event ${expectedSeq} is missing (next is ${event.seq})` };
  }
  if (event.prevHash !== (previous?.hash ?? GENESIS_HASH)) return { ok: false, brokenSeq: event.seq, reason: 'previous-hash link does not match' };
  if (chainHash(event) !== event.hash) return { ok: false, brokenSeq: event.seq, reason: 'content does not match its hash' };
  return { ok: true };
}

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
