import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import { JOB, QUEUE } from '../src/queue/queues';
import { createTestApp, TestApp } from './helpers/app';

let t: TestApp;
const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

beforeAll(async () => {
  t = await createTestApp(__filename);
  for (let i = 0; i < 6; i += 1) await t.createAccount();
});
afterAll(() => t?.close());

/** What an attacker with database access (but not the app) would do: bypass the trigger. */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await t.db.query('BEGIN');
  await t.db.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
  await t.db.query(sql, params);
  await t.db.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
  await t.db.query('COMMIT');
}

const cli = promisify(execFile);
const runVerifyCli = () =>
  cli(process.execPath, ['dist/src/cli.js', 'audit:verify'], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, ...t.env },
  }).catch((error: { code: number; stdout: string }) => error);

describe('the audit trail', () => {
  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    await expect(t.db.query(`UPDATE audit_events SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(t.db.query(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(t.db.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
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

  it('verifies an intact chain over the API and the CLI', async () => {
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM audit_events');
    const verdict = await t.http().get('/v1/audit/verify').set(admin()).expect(200);
    expect(verdict.body).toEqual({ ok: true, checked: rows[0].n });
    const result = await runVerifyCli();
    expect(result.stdout).toContain(`Audit chain intact: ${rows[0].n} events checked.`);
  });

  it('names exactly the event whose content was altered, over the API and the CLI', async () => {
    const { rows } = await t.db.query(`SELECT seq, payload FROM audit_events WHERE action = 'account.created' ORDER BY seq LIMIT 1 OFFSET 2`);
    const victim = Number(rows[0].seq);
    await tamper(`UPDATE audit_events SET payload = jsonb_set(payload, '{tier}', '"critical"') WHERE seq = $1`, [victim]);
    try {
      const verdict = await t.http().get('/v1/audit/verify').set(admin()).expect(200);
      expect(verdict.body).toEqual({ ok: false, checked: victim - 1, firstBrokenSeq: victim, reason: 'content does not match its hash' });
      const result = await runVerifyCli();
      expect((result as { code?: number }).code).toBe(1);
      expect(result.stdout).toContain(`Audit chain BROKEN at event ${victim}: content does not match its hash`);
    } finally {
      await tamper(`UPDATE audit_events SET payload = $2 WHERE seq = $1`, [victim, rows[0].payload]);
    }
    expect((await t.http().get('/v1/audit/verify').set(admin()).expect(200)).body.ok).toBe(true);
  });

  it('names an event whose stored hash was rewritten', async () => {
    const { rows } = await t.db.query(`SELECT seq, hash FROM audit_events ORDER BY seq LIMIT 1 OFFSET 1`);
    const victim = Number(rows[0].seq);
    await tamper(`UPDATE audit_events SET hash = repeat('a', 64) WHERE seq = $1`, [victim]);
    try {
      const verdict = await t.http().get('/v1/audit/verify').set(admin()).expect(200);
      expect(verdict.body).toMatchObject({ ok: false, firstBrokenSeq: victim });
    } finally {
      await tamper(`UPDATE audit_events SET hash = $2 WHERE seq = $1`, [victim, rows[0].hash]);
    }
  });

  it('names a deleted event as the missing sequence number', async () => {
    const { rows } = await t.db.query(`SELECT * FROM audit_events ORDER BY seq LIMIT 1 OFFSET 4`);
    const victim = rows[0];
    await tamper(`DELETE FROM audit_events WHERE seq = $1`, [victim.seq]);
    try {
      const verdict = await t.http().get('/v1/audit/verify').set(admin()).expect(200);
      expect(verdict.body).toEqual({
        ok: false,
        checked: Number(victim.seq) - 1,
        firstBrokenSeq: Number(victim.seq),
        reason: `event ${victim.seq} is missing (next is ${Number(victim.seq) + 1})`,
      });
    } finally {
      const columns = Object.keys(victim);
      await t.db.query(
        `INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        columns.map((c) => victim[c]),
      );
    }
    expect((await t.http().get('/v1/audit/verify').set(admin()).expect(200)).body.ok).toBe(true);
  });

  it('is readable by auditors and admins only', async () => {
    const agent = await t.createStaff(['agent']);
    const auditor = await t.createStaff(['auditor']);
    await t.http().get('/v1/audit/verify').set({ Authorization: `Bearer ${agent.token}` }).expect(403);
    await t.http().get('/v1/audit/verify').set({ Authorization: `Bearer ${auditor.token}` }).expect(200);
  });
});

describe('the scheduled chain check (worker)', () => {
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
