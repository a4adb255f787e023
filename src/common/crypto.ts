import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A random bearer secret with a readable prefix (`rds_` staff, `rdd_` delivery …),
 * so a leaked one is recognisable in a scanner. 32 bytes = 256 bits.
 */
export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** SHA-256 is enough for high-entropy random tokens (never for backup codes). */
export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
