import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { Account } from '../src/accounts/account.entity';
import { QUEUE } from '../src/queue/queues';
import { regenerationJobId } from '../src/tickets/regeneration.queue';
import { TicketSweep } from '../src/tickets/ticket-sweep.service';
import { createTestApp, TestApp } from './helpers/app';
import { clearRedisPrefix } from './helpers/database';
import { Auth, bearer, Desk } from './helpers/desk';
import { RunningProcess, startProcess } from './helpers/process';
import { LOG_DIR } from './helpers/test-env';
import { eventually } from './helpers/wait';

/**
 * The API runs in this process (role api: no consumers); the worker is a real
 * process we can kill -9, as an operator's machine would lose it.
 */
let t: TestApp;
let desk: Desk;
let agent: Auth;
let worker: RunningProcess | undefined;

let workerLog = '';

function startWorker(extra: Record<string, string> = {}): Promise<RunningProcess> {
  workerLog = join(LOG_DIR, `crash-worker-${Date.now()}.log`);
  const proc = startProcess('dist/src/main.js', ['--role', 'worker'], { ...t.env, LOG_FILE: workerLog, ...extra });
  return proc.waitFor(/worker started/).then(() => proc);
}

beforeAll(async () => {
  t = await createTestApp(__filename, {}, 'api');
  desk = new Desk(t);
  agent = bearer((await t.createStaff(['agent'])).token);
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(() => t?.close());

/** A standard ticket with its OTP passed, one step short of approval. */
async function oneStepFromApproval(): Promise<{ account: Account; ticketId: string }> {
  const account = await t.createAccount({ tier: 'standard' });
  const { ticketId } = await desk.open(agent, account).then((o) => ({ ticketId: o.id }));
  await desk.claim(agent);
  await desk.passOtp(agent, ticketId, account);
  return { account, ticketId };
}

async function expectRegeneratedOnce(account: Account, ticketId: string) {
  const sets = await t.db.query(`SELECT issuing_ticket_id FROM code_sets WHERE account_id = $1 AND revoked_at IS NULL`, [account.id]);
  expect(sets.rows).toEqual([{ issuing_ticket_id: ticketId }]);
  const envelopes = await t.db.query(`SELECT count(*)::int AS n FROM delivery_envelopes WHERE account_id = $1`, [account.id]);
  expect(envelopes.rows[0].n).toBe(1);
  const completions = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'ticket.complete' AND target_id = $1`, [ticketId]);
  expect(completions.rows[0].n).toBe(1);
  await eventually(() => t.inbox().filter((m) => m.template === 'delivery.link' && m.to === account.email).length === 1, 'one delivery link');
}

describe('regeneration survives crashes', () => {
  it('kill -9 of the worker after hashing, before commit: on restart, exactly one active set and one delivery', async () => {
    worker = await startWorker({ FAULT_PAUSE: 'regeneration.after_hash:120000' });
    const { account, ticketId } = await oneStepFromApproval();
    await desk.passDirectory(agent, ticketId, account);
    await worker.waitFor(/FAULT_PAUSE reached regeneration\.after_hash/);
    worker.child.kill('SIGKILL');
    await worker.exited;
    expect(await desk.state(ticketId)).toBe('regenerating');
    const none = await t.db.query(`SELECT count(*)::int AS n FROM code_sets WHERE issuing_ticket_id = $1`, [ticketId]);
    expect(none.rows[0].n).toBe(0);

    worker = await startWorker();
    await eventually(async () => (await desk.state(ticketId)) === 'completed', 'the ticket to complete after restart', 60_000);
    await expectRegeneratedOnce(account, ticketId);
  });

  it('a job lost with Redis after approval: the reconciler regenerates once', async () => {
    worker = await startWorker();
    const { account, ticketId } = await oneStepFromApproval();
    await worker.stop(); // no consumer while the job is lost
    await desk.passDirectory(agent, ticketId, account);
    expect(await desk.state(ticketId)).toBe('approved');
    const queue = t.app.get<Queue>(getQueueToken(QUEUE.codes));
    expect(await queue.getJob(regenerationJobId(ticketId))).toBeDefined();
    await clearRedisPrefix(t.env.REDIS_PREFIX); // Redis flushed
    expect(await queue.getJob(regenerationJobId(ticketId))).toBeUndefined();

    // Nothing in Redis runs it now; the sweep's reconciler (scheduled as the worker starts) finds the ticket.
    worker = await startWorker();
    await eventually(async () => (await desk.state(ticketId)) === 'completed', 'the ticket to complete', 30_000);
    await expectRegeneratedOnce(account, ticketId);
    expect(readFileSync(workerLog, 'utf8')).toContain('regeneration jobs re-enqueued by the reconciler');
    // and reconciling again changes nothing
    expect(await t.app.get(TicketSweep).reconcile()).toBe(0);
  });
});
