import { mkdtempSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'node:http';
import { generateSignerKey, parseSignerKey, parseVerifierKey, signCheckpoint } from '../src/audit/checkpoint-note';
import { startHttpWitness } from '../src/audit/http-witness-server';
import { leafHash } from '../src/audit/merkle';
import { createTestApp, TestApp } from './helpers/app';

/** The service publishing to an HTTP witness (`audit:witness`) instead of a directory. */
let t: TestApp;
let witness: Server;
let url: string;
const key = generateSignerKey('desk.test/audit');
const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

beforeAll(async () => {
  witness = await startHttpWitness(mkdtempSync(join(tmpdir(), 'rd-http-witness-')), parseVerifierKey(parseSignerKey(key).verifierKey), 0, '127.0.0.1');
  url = `http://127.0.0.1:${(witness.address() as AddressInfo).port}/`;
  t = await createTestApp(__filename, { AUDIT_CHECKPOINT_KEY: key, AUDIT_WITNESS_URL: url });
  for (let i = 0; i < 4; i += 1) await t.createAccount();
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => witness?.close(resolve));
});

const post = (body: unknown) => fetch(`${url}add`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('an HTTP witness', () => {
  it('receives the checkpoints and leaves, and the log verifies against it', async () => {
    const head = (await t.http().post('/v1/audit/checkpoint').set(admin()).expect(200)).body;
    expect(await (await fetch(`${url}size`)).json()).toEqual({ size: head.size });
    expect(await (await fetch(`${url}checkpoints`)).text()).toContain(head.checkpoint);
    const verdict = (await t.http().get('/v1/audit/verify').set(admin()).expect(200)).body;
    expect(verdict).toMatchObject({ ok: true, checkpointSize: head.size });
  });

  it('refuses a batch signed with another key, one that does not continue its leaves, and one whose root does not match', async () => {
    const size = ((await (await fetch(`${url}size`)).json()) as { size: number }).size;
    const leaf = leafHash('forged').toString('hex');
    const stranger = parseSignerKey(generateSignerKey('desk.test/audit'));
    const forged = signCheckpoint({ origin: 'desk.test/audit', size: size + 1, root: Buffer.alloc(32), time: new Date() }, stranger);
    expect((await post({ from: size, leaves: [leaf], checkpoint: forged })).status).toBe(403);
    const ours = parseSignerKey(key);
    const wrongRoot = signCheckpoint({ origin: 'desk.test/audit', size: size + 1, root: Buffer.alloc(32), time: new Date() }, ours);
    expect((await post({ from: size, leaves: [leaf], checkpoint: wrongRoot })).status).toBe(409);
    expect((await post({ from: size - 1, leaves: [leaf], checkpoint: wrongRoot })).status).toBe(409);
    expect(await (await fetch(`${url}size`)).json()).toEqual({ size });
  });
});
