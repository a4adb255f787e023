import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';

/**
 * Signed-note keys (Ed25519) written as Go's golang.org/x/mod/sumdb/note writes them: the signing key
 * `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>` and the verifier key `<name>+<hex id>+<base64(0x01 ‖ public key)>`;
 * the key id is the first 4 bytes of SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key). Here rather than in audit/ because the
 * development secrets (config/dev-secrets.ts) generate the audit checkpoint key, and the audit log signs with it.
 */
export interface NoteSigner {
  name: string;
  keyId: Buffer;
  privateKey: KeyObject;
  /** The verifier key an auditor or witness is given. */
  verifierKey: string;
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

const ED25519 = 0x01;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const NAME = /^[^\s+]+$/;

const keyIdOf = (name: string, publicKey: Buffer) =>
  createHash('sha256')
    .update(`${name}\n`)
    .update(Buffer.from([ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
const rawPublicKey = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);

/** Splits on the first `count - 1` plus signs only: the base64 key itself may hold a '+'. */
function fields(text: string, count: number): string[] {
  const parts = text.trim().split('+');
  return parts.length < count ? parts : [...parts.slice(0, count - 1), parts.slice(count - 1).join('+')];
}

export function parseSignerKey(text: string): NoteSigner {
  const parts = fields(text, 5);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY' || !NAME.test(parts[2]))
    throw new Error('not a note signing key (PRIVATE+KEY+name+id+key)');
  const key = Buffer.from(parts[4], 'base64');
  if (key.length !== 33 || key[0] !== ED25519) throw new Error('note signing key is not an Ed25519 key');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, key.subarray(1)]), format: 'der', type: 'pkcs8' });
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const keyId = keyIdOf(parts[2], publicKey);
  if (keyId.toString('hex') !== parts[3]) throw new Error('note signing key id does not match its key');
  return { name: parts[2], keyId, privateKey, verifierKey: `${parts[2]}+${parts[3]}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64')}` };
}

export function parseVerifierKey(text: string): NoteVerifier {
  const parts = fields(text, 3);
  if (parts.length !== 3 || !NAME.test(parts[0])) throw new Error('not a note verifier key (name+id+key)');
  const key = Buffer.from(parts[2], 'base64');
  if (key.length !== 33 || key[0] !== ED25519) throw new Error('note verifier key is not an Ed25519 key');
  const keyId = keyIdOf(parts[0], key.subarray(1));
  if (keyId.toString('hex') !== parts[1]) throw new Error('note verifier key id does not match its key');
  return { name: parts[0], keyId, publicKey: createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, key.subarray(1)]), format: 'der', type: 'spki' }) };
}

/** A fresh signing key in the note format, e.g. for development or a test. */
export function generateSignerKey(name: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const keyId = keyIdOf(name, rawPublicKey(createPublicKey(privateKey)));
  return `PRIVATE+KEY+${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`;
}
