import { sign, verify } from 'node:crypto';
import type { NoteSigner, NoteVerifier } from '../common/note-keys';

export { generateSignerKey, parseSignerKey, parseVerifierKey, type NoteSigner, type NoteVerifier } from '../common/note-keys';

/**
 * Checkpoints in the C2SP formats that transparency logs share (tlog-checkpoint
 * inside a signed-note), so an independent witness or monitor can read ours:
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n[extension lines]\n\n— <key name> <base64(key id ‖ Ed25519 signature)>\n
 *
 * The signature covers the body up to and including its last newline. The keys and
 * their text form are in common/note-keys.ts (re-exported here).
 */
export interface TreeHead {
  origin: string;
  size: number;
  root: Buffer;
  /** When it was signed; carried as the extension line `time <ISO 8601>`. */
  time: Date;
}

const DASH = '\u2014';

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
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter(Boolean);
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
