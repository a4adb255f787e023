import { checkpointBody, generateSignerKey, openCheckpoint, parseSignerKey, parseVerifierKey, signCheckpoint, signNote, splitNotes } from './checkpoint-note';
import { EMPTY_ROOT, leafHash } from './merkle';

// The known answer of golang.org/x/mod/sumdb/note, the reference implementation of C2SP signed-note
// (Ed25519 is deterministic, so the same key and text must give this exact note).
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('signed notes and checkpoints (C2SP)', () => {
  it('reproduces the Go reference note byte for byte and derives its verifier key', () => {
    const signer = parseSignerKey(GO_SKEY);
    expect(signer.verifierKey).toBe(GO_VKEY);
    expect(signNote(GO_TEXT, signer)).toBe(GO_NOTE);
    expect(parseVerifierKey(GO_VKEY).keyId.toString('hex')).toBe('c74f20a3');
  });

  const signer = parseSignerKey(generateSignerKey('desk.test/audit'));
  const verifier = parseVerifierKey(signer.verifierKey);
  const head = { origin: 'desk.test/audit', size: 7, root: leafHash('x'), time: new Date('2026-12-02T10:00:00.000Z') };

  it('signs a tree head that opens with our verifier key and gives the head back', () => {
    const note = signCheckpoint(head, signer);
    expect(note.startsWith(`desk.test/audit\n7\n${head.root.toString('base64')}\ntime 2026-12-02T10:00:00.000Z\n\n\u2014 desk.test/audit `)).toBe(true);
    expect(openCheckpoint(note, verifier)).toEqual({ ok: true, note, head });
  });

  it('refuses a checkpoint signed with another key, or altered after signing', () => {
    const other = parseSignerKey(generateSignerKey('desk.test/audit'));
    expect(openCheckpoint(signCheckpoint(head, other), verifier)).toMatchObject({ ok: false, reason: expect.stringMatching(/no valid signature/) });
    const note = signCheckpoint(head, signer);
    expect(openCheckpoint(note.replace('\n7\n', '\n8\n'), verifier).ok).toBe(false);
    expect(openCheckpoint(note.replace(head.root.toString('base64'), EMPTY_ROOT.toString('base64')), verifier).ok).toBe(false);
    expect(openCheckpoint(checkpointBody(head), verifier).ok).toBe(false);
  });

  it('splits a witness file back into its notes', () => {
    const notes = [1, 2, 3].map((size) => signCheckpoint({ ...head, size }, signer));
    expect(splitNotes(notes.map((n) => `${n}\n`).join(''))).toEqual(notes);
    expect(splitNotes('')).toEqual([]);
  });
});
