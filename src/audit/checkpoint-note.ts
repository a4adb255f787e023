import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';

/**
 * Checkpoints in the C2SP formats that transparency logs share (tlog-checkpoint
 * inside a signed-note), so an independent witness or monitor can read ours:
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n[extension lines]\n\n— <key name> <base64(key id ‖ Ed25519 signature)>\n
 *
 * The signature covers the body up to and including its last newline. The key id
 * is the first 4 bytes of SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key), 0x01 being
 * Ed25519. Keys are written as Go's golang.org/x/mod/sumdb/note writes them:
 * `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>` and the verifier key
 * `<name>+<hex id>+<base64(0x01 ‖ public key)>`.
 */
export interface TreeHead {
  origin: string;
  size: number;
  root: Buffer;
  /** When it was signed; carried as the extension line `time <ISO 8601>`. */
  time: Date;
}

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
const DASH = '\u2014';
const NAME = /^[^\s+]+$/;

const keyIdOf = (name: string, publicKey: Buffer) => createHash('sha256').update(`${name}\n`).update(Buffer.from([ED25519])).update(publicKey).digest().subarray(0, 4);
const rawPublicKey = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);

/** Splits on the first `count - 1` plus signs only: the base64 key itself may hold a '+'. */
function fields(text: string, count: number): string[] {
  const parts = text.trim().split('+');
  return parts.length < count ? parts : [...parts.slice(0, count - 1), parts.slice(count - 1).join('+')];
}

export function parseSignerKey(text: string): NoteSigner {
  const parts = fields(text, 5);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY' || !NAME.test(parts[2])) throw new Error('not a note signing key (PRIVATE+KEY+name+id+key)');
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

export function checkpointBody(head: TreeHead): string {
  if (head.origin.includes('\n') || !head.origin) throw new Error('a checkpoint origin is one non-empty line');
  return `${head.origin}\n${head.size}\n${head.root.toString('base64')}\ntime ${head.time.toISOString()}\n`;
}

export function signCheckpoint(head: TreeHead, signer: NoteSigner): string {
  return signNote(checkpointBody(head), signer);
}

/** A signed note: the text (ending in a newline), an empty line, one signature line. */
export function signNote(body: string, signer: NoteSigner): string {
  const signature = sign(null, Buffer.from(body), signer.privateKey);
  return `${body}\n${DASH} ${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}\n`;
}

export type OpenedCheckpoint = { ok: true; head: TreeHead; note: string } | { ok: false; reason: string; note: string };

/** Parses a note and checks it carries a valid signature by `verifier`; anything else is a reason to refuse it. */
export function openCheckpoint(note: string, verifier: NoteVerifier): OpenedCheckpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'not a signed note', note };
  const body = note.slice(0, split + 1);
  const signatures = note.slice(split + 2).split('\n').filter(Boolean);
  const lines = body.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  const root = Buffer.from(rootText ?? '', 'base64');
  const time = extensions.find((line) => line.startsWith('time '));
  if (!/^\d+$/.test(sizeText ?? '') || root.length !== 32 || !time) return { ok: false, reason: 'not a checkpoint', note };
  const ours = signatures.some((line) => {
    const match = new RegExp(`^${DASH} (\\S+) (\\S+)$`).exec(line);
    if (!match || match[1] !== verifier.name) return false;
    const blob = Buffer.from(match[2], 'base64');
    return blob.length === 68 && blob.subarray(0, 4).equals(verifier.keyId) && verify(null, Buffer.from(body), verifier.publicKey, blob.subarray(4));
  });
  if (!ours) return { ok: false, reason: `no valid signature by ${verifier.name}+${verifier.keyId.toString('hex')}`, note };
  return { ok: true, note, head: { origin, size: Number(sizeText), root, time: new Date(time.slice(5)) } };
}

/** Checkpoints as a witness file holds them: each note followed by one empty line. */
export function splitNotes(text: string): string[] {
  // Inside a note the empty line is followed by a signature line (an em dash); between notes, by an origin.
  return text
    .split(new RegExp(`\n\n(?!${DASH})`))
    .filter((piece) => piece.trim() !== '')
    .map((piece) => `${piece.replace(/\n+$/, '')}\n`);
}
