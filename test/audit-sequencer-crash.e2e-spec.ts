import { join } from 'node:path';
import { createTestApp, TestApp } from './helpers/app';
import { RunningProcess, startProcess } from './helpers/process';
import { LOG_DIR } from './helpers/test-env';
import { eventually } from './helpers/wait';

/**
 * The API runs here (role api: no sequencer); sequencers are real worker
 * processes, so one can be killed -9 in the middle of a batch as a machine
 * would lose it, while a standby waits for the lock.
 */
let t: TestApp;
const workers: RunningProcess[] = [];
const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

function startWorker(name: string, extra: Record<string, string> = {}): RunningProcess {
  const worker = startProcess('dist/src/main.js', ['--role', 'worker'], {
    ...t.env,
    LOG_FILE: join(LOG_DIR, `audit-crash-${name}-${Date.now()}.log`),
    ...extra,
  });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  t = await createTestApp(__filename, {}, 'api');
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await t?.close();
});

const leafCount = async () => (await t.db.query('SELECT count(*)::int AS n FROM audit_leaves')).rows[0].n as number;

describe('the audit sequencer survives its leader being killed mid-batch', () => {
  it('a standby takes over: every committed event is in the tree once, in one contiguous run of leaves, and the log verifies', async () => {
    for (let i = 0; i < 25; i += 1) await t.createAccount();
    const leader = startWorker('leader', { FAULT_PAUSE: 'audit.sequencer_mid_batch:120000' });
    await leader.waitFor(/FAULT_PAUSE reached audit\.sequencer_mid_batch/);
    // The leader has written this batch's leaves but not committed them; a standby cannot get the lock meanwhile.
    const standby = startWorker('standby');
    await standby.waitFor(/worker started/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await leafCount()).toBe(0);

    leader.child.kill('SIGKILL');
    await leader.exited;
    for (let i = 0; i < 5; i += 1) await t.createAccount();
    const events = (await t.db.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n as number;
    await eventually(async () => (await leafCount()) === events, 'the standby to integrate every event', 30_000);

    const { rows } = await t.db.query(
      `SELECT count(*)::int AS leaves, count(DISTINCT seq)::int AS seqs, min(idx)::int AS first, max(idx)::int AS last,
              (SELECT count(*)::int FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.seq = e.seq)) AS missing
         FROM audit_leaves`,
    );
    expect(rows[0]).toEqual({ leaves: events, seqs: events, first: 0, last: events - 1, missing: 0 });
    await eventually(async () => (await t.http().get('/v1/audit/checkpoint').set(admin())).body.size === events, 'a checkpoint of the whole log', 15_000);
    const verdict = (await t.http().get('/v1/audit/verify').set(admin()).expect(200)).body;
    expect(verdict).toMatchObject({ ok: true, checked: events, checkpointSize: events, pending: 0 });
  });
});
