import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import { DataSource } from 'typeorm';
import { eventLeafHash } from '../src/audit/audit-hash';
import { toLoggedFields } from '../src/audit/audit-sequencer';
import { AuditService } from '../src/audit/audit.service';
import { SYSTEM } from '../src/audit/audit-actor';
import { generateSignerKey, parseSignerKey, signCheckpoint } from '../src/audit/checkpoint-note';
import { CompactRange, verifyConsistency, verifyInclusion } from '../src/audit/merkle';
import { JOB, QUEUE } from '../src/queue/queues';
import { eventually } from './helpers/wait';
import { createTestApp, TestApp } from './helpers/app';

let t: TestApp;
const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

beforeAll(async () => {
  t = await createTestApp(__filename);
  for (let i = 0; i < 6; i += 1) await t.createAccount();
});
afterAll(() => t?.close());

const cli = promisify(execFile);
const runVerifyCli = (...args: string[]) =>
  cli(process.execPath, ['dist/src/cli.js', 'audit:verify', ...args], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, ...t.env },
  }).catch((error: { code: number; stdout: string }) => error);

/** Integrates every committed event and publishes a signed checkpoint, as an auditor's on-demand request does. */
const checkpointNow = async () =>
  (await t.http().post('/v1/audit/checkpoint').set(admin()).expect(200)).body as { size: number; rootHash: string; checkpoint: string };
const verify = async () => (await t.http().get('/v1/audit/verify').set(admin()).expect(200)).body;
const eventCount = async () => (await t.db.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n as number;

const LOG_TABLES = ['audit_events', 'audit_leaves', 'audit_tree_heads'];

/**
 * What a database superuser can do and the application cannot: switch the
 * append-only triggers off for the session and rewrite the log, hashes and tree
 * heads included. Restored afterwards so each test starts from the true log.
 */
async function asSuperuser<T>(tamper: () => Promise<unknown>, check: () => Promise<T>): Promise<T> {
  for (const table of LOG_TABLES) await t.db.query(`CREATE TEMP TABLE saved_${table} AS SELECT * FROM ${table}`);
  const files = ['checkpoints', 'leaves'].map((name) => join(t.env.AUDIT_WITNESS_DIR, name));
  const savedWitness = files.map((file) => readFileSync(file, 'utf8'));
  try {
    await t.db.query('BEGIN');
    await t.db.query('SET LOCAL session_replication_role = replica');
    await tamper();
    await t.db.query('COMMIT');
    return await check();
  } finally {
    await t.db.query('BEGIN');
    await t.db.query('SET LOCAL session_replication_role = replica');
    for (const table of LOG_TABLES) {
      await t.db.query(`DELETE FROM ${table}`);
      await t.db.query(`INSERT INTO ${table} SELECT * FROM saved_${table}`);
      await t.db.query(`DROP TABLE saved_${table}`);
    }
    await t.db.query('COMMIT');
    files.forEach((file, i) => writeFileSync(file, savedWitness[i]));
  }
}

/** Recomputes the stored leaf hash of every event and rewrites the tree head to match: a full cover-up. */
async function recomputeEverything(): Promise<void> {
  const { rows } = await t.db.query(
    `SELECT l.idx, e.seq, e.occurred_at, e.actor_kind, e.actor_id, e.action, e.target_type, e.target_id, e.payload
       FROM audit_leaves l JOIN audit_events e ON e.seq = l.seq ORDER BY l.idx`,
  );
  const range = new CompactRange();
  for (const row of rows) {
    const hash = eventLeafHash(toLoggedFields(row));
    range.append(hash);
    await t.db.query('UPDATE audit_leaves SET hash = $2 WHERE idx = $1', [row.idx, hash]);
  }
  const [last] = (await t.db.query(`SELECT last_xid, last_seq FROM audit_tree_heads ORDER BY size DESC LIMIT 1`)).rows;
  await t.db.query('DELETE FROM audit_tree_heads');
  await t.db.query(`INSERT INTO audit_tree_heads (size, root, compact, last_xid, last_seq) VALUES ($1, $2, $3, $4, $5)`, [
    range.size,
    range.root(),
    range.hashes.map((h) => h.toString('hex')),
    last.last_xid,
    last.last_seq,
  ]);
}

describe('the audit log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of events, leaves and tree heads in the database itself', async () => {
    await checkpointNow();
    for (const table of LOG_TABLES) {
      const column = { audit_events: 'action', audit_leaves: 'seq', audit_tree_heads: 'root' }[table];
      await expect(t.db.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(t.db.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only: DELETE refused/);
      await expect(t.db.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    }
  });

  it('lists events newest first with filters and keyset pages', async () => {
    const first = await t.http().get('/v1/audit?action=account.created&limit=4').set(admin()).expect(200);
    expect(first.body.items).toHaveLength(4);
    expect(first.body.items.every((e: { action: string }) => e.action === 'account.created')).toBe(true);
    const seqs = first.body.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const next = await t.http().get(`/v1/audit?action=account.created&limit=4&cursor=${first.body.nextCursor}`).set(admin()).expect(200);
    expect(next.body.items).toHaveLength(2);
    expect(next.body.nextCursor).toBeNull();
    expect(Math.max(...next.body.items.map((e: { seq: number }) => e.seq))).toBeLessThan(Math.min(...seqs));
    await t.http().get('/v1/audit?action=DROP TABLE').set(admin()).expect(400);
    await t.http().get('/v1/audit?from=yesterday').set(admin()).expect(400);
  });

  it('appends without a global lock, and never integrates an event past one whose transaction is still open', async () => {
    const dataSource = t.app.get(DataSource);
    const audit = t.app.get(AuditService);
    const slow = dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      const early = await audit.record(slow.manager, { actor: SYSTEM, action: 'test.early', target: { type: 'test' } });
      // The old chain lock would make this wait for `slow` to commit; it must not.
      const late = await Promise.race([
        audit.recordAlone({ actor: SYSTEM, action: 'test.late', target: { type: 'test' } }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the append waited for an unrelated open transaction')), 5_000)),
      ]);
      expect(late.seq).toBeGreaterThan(early.seq);
      await new Promise((resolve) => setTimeout(resolve, 800)); // several sequencer rounds
      const leaves = await t.db.query(`SELECT seq FROM audit_leaves WHERE seq = $1`, [late.seq]);
      expect(leaves.rows).toEqual([]); // committed, but behind an open transaction: not integrated yet
      await slow.commitTransaction();
      await checkpointNow();
      const order = await t.db.query(`SELECT idx, seq FROM audit_leaves WHERE seq IN ($1, $2) ORDER BY idx`, [early.seq, late.seq]);
      expect(order.rows.map((r) => Number(r.seq))).toEqual([early.seq, late.seq]);
    } finally {
      if (slow.isTransactionActive) await slow.rollbackTransaction();
      await slow.release();
    }
  });

  it('verifies an untampered log against its signed checkpoints over the API and the CLI', async () => {
    const head = await checkpointNow();
    const n = await eventCount();
    expect(head.size).toBe(n);
    const verdict = await verify();
    expect(verdict).toMatchObject({ ok: true, checked: n, checkpointSize: n, pending: 0 });
    expect(verdict.checkpoints).toBeGreaterThanOrEqual(2);
    const result = await runVerifyCli('--checkpoints', t.env.AUDIT_WITNESS_DIR);
    expect(result.stdout).toContain(
      `Audit log intact: ${n} events recomputed, consistent with ${verdict.checkpoints} signed checkpoints (the newest covers ${n})`,
    );
  });

  it('serves the checkpoint, and inclusion and consistency proofs that verify against it', async () => {
    const older = await checkpointNow();
    await t.createAccount();
    // The new event joins the tree once no older transaction of this database is still running (the sequencer's
    // frontier): a worker's transaction can hold it back for a moment.
    const head = await eventually(async () => {
      const next = await checkpointNow();
      return next.size > older.size && next;
    }, 'a checkpoint that covers the new event');
    const latest = (await t.http().get('/v1/audit/checkpoint').set(admin()).expect(200)).body;
    expect(latest).toMatchObject({
      size: head.size,
      rootHash: head.rootHash,
      origin: 'desk.test/audit',
      verifierKey: parseSignerKey(t.env.AUDIT_CHECKPOINT_KEY).verifierKey,
    });
    const root = Buffer.from(head.rootHash, 'base64');
    const [{ seq }] = (await t.db.query(`SELECT seq FROM audit_events WHERE action = 'account.created' ORDER BY seq LIMIT 1`)).rows;
    const inclusion = (await t.http().get(`/v1/audit/events/${seq}/inclusion?size=${head.size}`).set(admin()).expect(200)).body;
    const [row] = (await t.db.query('SELECT * FROM audit_events WHERE seq = $1', [seq])).rows;
    expect(inclusion.leafHash).toBe(eventLeafHash(toLoggedFields(row)).toString('hex'));
    expect(
      verifyInclusion(
        inclusion.leafIndex,
        head.size,
        Buffer.from(inclusion.leafHash, 'hex'),
        inclusion.proof.map((p: string) => Buffer.from(p, 'hex')),
        root,
      ),
    ).toBe(true);
    const consistency = (await t.http().get(`/v1/audit/consistency?from=${older.size}&to=${head.size}`).set(admin()).expect(200)).body;
    const proof = consistency.proof.map((p: string) => Buffer.from(p, 'hex'));
    expect(verifyConsistency(older.size, head.size, proof, Buffer.from(older.rootHash, 'base64'), root)).toBe(true);
    await t.http().get(`/v1/audit/consistency?from=${head.size}&to=${older.size}`).set(admin()).expect(400);
    await t.http().get(`/v1/audit/events/abc/inclusion`).set(admin()).expect(400);
    await t.http().get(`/v1/audit/events/999999/inclusion`).set(admin()).expect(404);
  });

  it('names the event a superuser edited even with every hash and the tree head recomputed (API and CLI)', async () => {
    await checkpointNow();
    const [victim] = (await t.db.query(`SELECT seq FROM audit_events WHERE action = 'account.created' ORDER BY seq LIMIT 1 OFFSET 2`)).rows;
    const seq = Number(victim.seq);
    await asSuperuser(
      async () => {
        await t.db.query(`UPDATE audit_events SET payload = jsonb_set(payload, '{tier}', '"critical"') WHERE seq = $1`, [seq]);
        await recomputeEverything();
      },
      async () => {
        expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: seq, reason: expect.stringMatching(/differs from what the witness holds/) });
        const result = await runVerifyCli();
        expect((result as { code?: number }).code).toBe(1);
        expect(result.stdout).toContain(`Audit log BROKEN at event ${seq}: event ${seq} (leaf`);
        // Nor will the sequencer sign over the rewritten tree.
        await t.createAccount();
        const refused = await t.http().post('/v1/audit/checkpoint').set(admin()).expect(409);
        expect(refused.body.message).toMatch(/does not extend the \d+ events its witness holds/);
      },
    );
    expect((await verify()).ok).toBe(true);
  });

  it('detects the newest events deleted, with their leaves and tree heads', async () => {
    const head = await checkpointNow();
    await asSuperuser(
      async () => {
        const newest = await t.db.query(`SELECT seq FROM audit_leaves WHERE idx >= $1`, [head.size - 2]);
        await t.db.query(`DELETE FROM audit_events WHERE seq = ANY($1)`, [newest.rows.map((r) => r.seq)]);
        await t.db.query(`DELETE FROM audit_leaves WHERE idx >= $1`, [head.size - 2]);
        await t.db.query(`DELETE FROM audit_tree_heads WHERE size > $1`, [head.size - 2]);
      },
      async () => {
        expect(await verify()).toMatchObject({
          ok: false,
          firstBrokenLeaf: head.size - 2,
          reason: expect.stringMatching(/^truncated: the log holds \d+ events but the checkpoint/),
        });
        await t.http().post('/v1/audit/checkpoint').set(admin()).expect(409);
      },
    );
  });

  it('names the first of two events a superuser reordered', async () => {
    await checkpointNow();
    const { rows } = await t.db.query(`SELECT idx, seq FROM audit_leaves ORDER BY idx LIMIT 2 OFFSET 3`);
    await asSuperuser(
      async () => {
        await t.db.query(`UPDATE audit_leaves SET seq = -seq WHERE idx IN ($1, $2)`, [rows[0].idx, rows[1].idx]);
        await t.db.query(`UPDATE audit_leaves SET seq = $2 WHERE idx = $1`, [rows[0].idx, rows[1].seq]);
        await t.db.query(`UPDATE audit_leaves SET seq = $2 WHERE idx = $1`, [rows[1].idx, rows[0].seq]);
        await recomputeEverything();
      },
      async () => {
        expect(await verify()).toMatchObject({ ok: false, firstBrokenLeaf: Number(rows[0].idx), firstBrokenSeq: Number(rows[1].seq) });
      },
    );
  });

  it('detects another history swapped in with a tree head that matches it', async () => {
    await checkpointNow();
    const [first] = (await t.db.query(`SELECT min(seq) AS seq FROM audit_events WHERE action = 'account.created'`)).rows;
    await asSuperuser(
      async () => {
        await t.db.query(`UPDATE audit_events SET payload = payload || '{"rewritten": true}' WHERE action = 'account.created'`);
        await recomputeEverything();
      },
      async () => {
        // The database is self-consistent: its stored hashes and head agree with its (false) history.
        expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: Number(first.seq) });
      },
    );
  });

  it('refuses a checkpoint signed with another key, and a forked checkpoint signed with ours', async () => {
    const head = await checkpointNow();
    const witness = join(t.env.AUDIT_WITNESS_DIR, 'checkpoints');
    const before = readFileSync(witness, 'utf8');
    try {
      const stranger = parseSignerKey(generateSignerKey('desk.test/audit'));
      appendFileSync(
        witness,
        `${signCheckpoint({ origin: 'desk.test/audit', size: head.size, root: Buffer.from(head.rootHash, 'base64'), time: new Date() }, stranger)}\n`,
      );
      expect(await verify()).toMatchObject({ ok: false, reason: expect.stringMatching(/is not ours: no valid signature by desk\.test\/audit\+/) });
      writeFileSync(witness, before);
      const ours = parseSignerKey(t.env.AUDIT_CHECKPOINT_KEY);
      appendFileSync(witness, `${signCheckpoint({ origin: 'desk.test/audit', size: head.size, root: Buffer.alloc(32, 7), time: new Date() }, ours)}\n`);
      expect(await verify()).toMatchObject({ ok: false, reason: `forked history: two signed checkpoints of size ${head.size} with different roots` });
      const result = await runVerifyCli('--key', parseSignerKey(generateSignerKey('desk.test/audit')).verifierKey);
      expect(result.stdout).toMatch(/Audit log BROKEN: published checkpoint #1 is not ours/);
    } finally {
      writeFileSync(witness, before);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('is readable by auditors and admins only', async () => {
    const agent = await t.createStaff(['agent']);
    const auditor = await t.createStaff(['auditor']);
    await t
      .http()
      .get('/v1/audit/verify')
      .set({ Authorization: `Bearer ${agent.token}` })
      .expect(403);
    await t
      .http()
      .get('/v1/audit/checkpoint')
      .set({ Authorization: `Bearer ${agent.token}` })
      .expect(403);
    await t
      .http()
      .post('/v1/audit/checkpoint')
      .set({ Authorization: `Bearer ${agent.token}` })
      .expect(403);
    await t
      .http()
      .get('/v1/audit/verify')
      .set({ Authorization: `Bearer ${auditor.token}` })
      .expect(200);
  });
});

describe('the scheduled log check (worker)', () => {
  it('is scheduled on start and reports the verdict in the metrics', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QUEUE.auditChecks));
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'audit-chain-hourly', every: 3_600_000 })]);

    const job = await queue.add(JOB.verifyAuditChain, {});
    const events = new QueueEvents(QUEUE.auditChecks, { connection: { url: t.env.REDIS_URL }, prefix: t.env.REDIS_PREFIX });
    try {
      const verdict = await job.waitUntilFinished(events, 10_000);
      expect(verdict.ok).toBe(true);
    } finally {
      await events.close();
    }
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^audit_chain_intact 1$/m);
  });
});
