import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The 32-byte key from configuration (64 hex or 44 base64 characters). */
export function parseKey(material: string): Buffer {
  const key = /^[A-Fa-f0-9]{64}$/.test(material) ? Buffer.from(material, 'hex') : Buffer.from(material, 'base64');
  if (key.length !== 32) throw new Error('key must be 32 bytes');
  return key;
}

/**
 * AES-256-GCM under a subkey derived (HKDF-SHA256) for one purpose, so the
 * envelope key and the outbox key are never the same bytes. Output is
 * iv ‖ tag ‖ ciphertext; `context` is bound as additional data, so a sealed
 * value moved to another row does not open.
 */
export class Sealer {
  private readonly key: Buffer;

  constructor(master: Buffer, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `recovery-desk:${purpose}`, 32));
  }

  seal(plaintext: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, context: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
