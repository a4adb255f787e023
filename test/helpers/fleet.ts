import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generateSignerKey } from '../../src/audit/checkpoint-note';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Client } from 'pg';
import { freePort } from './own-services';
import { RunningProcess, startProcess } from './process';
import { LOG_DIR, TEST_ARGON2 } from './test-env';
import { eventually } from './wait';

/**
 * One deployment of the service as real processes from dist/ (as an operator
 * runs it): any number of `--role api` and `--role worker` processes sharing
 * one database, one Redis prefix and one set of secrets.
 */

export interface HttpAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ServiceProcess {
  role: 'api' | 'worker' | 'all';
  name: string;
  /** http://127.0.0.1:port for api and all. */
  base?: string;
  logFile: string;
  /** The process's JSON log, one entry a line. */
  logLines(): string[];
  process: RunningProcess;
  /** kill -9: no shutdown hook runs, jobs in hand are left to stall. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface FleetOptions {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Extra environment for every process. */
  env?: Record<string, string>;
}

export class Fleet {
  readonly adminToken = `rds_fault_admin_${randomBytes(24).toString('hex')}`;
  readonly notifyFile: string;
  readonly processes: ServiceProcess[] = [];
  private readonly env: Record<string, string>;

  constructor(readonly options: FleetOptions) {
    this.notifyFile = join(LOG_DIR, `faults-${options.name}-${Date.now()}.inbox.jsonl`);
    this.env = {
      NODE_ENV: 'test',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: options.redisPrefix,
      LOG_LEVEL: 'info',
      CODE_PEPPER: `fault-pepper-${randomBytes(16).toString('hex')}`,
      DELIVERY_KEY: randomBytes(32).toString('base64'),
      GRANT_SIGNING_KEY: randomBytes(32).toString('hex'),
      AUDIT_CHECKPOINT_KEY: generateSignerKey('desk.test/audit'),
      AUDIT_WITNESS_DIR: mkdtempSync(join(tmpdir(), 'rd-witness-')),
      BOOTSTRAP_ADMIN_TOKEN: this.adminToken,
      NOTIFY_ADAPTER: 'file',
      NOTIFY_FILE: this.notifyFile,
      PUBLIC_URL: 'http://desk.test',
      SWEEP_INTERVAL_MS: String(SWEEP_EVERY_MS),
      ...TEST_ARGON2,
      ...options.env,
    };
  }

  /** Starts a process and waits until it serves (api, all) or consumes (worker). */
  async start(role: ServiceProcess['role'], extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const port = await freePort();
    const name = `${this.options.name}-${role}${this.processes.filter((p) => p.role === role).length + 1}`;
    const logFile = join(LOG_DIR, `faults-${name}-${Date.now()}.log`);
    const proc = startProcess('dist/src/main.js', ['--role', role], { ...this.env, PORT: String(port), LOG_FILE: logFile, ...extra });
    const service: ServiceProcess = {
      role,
      name,
      base: role === 'worker' ? undefined : `http://127.0.0.1:${port}`,
      logFile,
      logLines: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : []),
      process: proc,
      async kill() {
        if (proc.child.exitCode === null && proc.child.signalCode === null) {
          proc.child.kill('SIGKILL');
          await proc.exited;
        }
      },
      stop: () => proc.stop(),
    };
    this.processes.push(service);
    await proc.waitFor(role === 'worker' ? /worker started/ : /listening on http/, 60_000);
    return service;
  }

  /** Every process started so far, stopped (SIGTERM, then SIGKILL after 10 s). */
  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }

  /** The processes' logs, concatenated (for what they reported, and to check no token leaked into them). */
  logs(): string {
    return this.processes.map((p) => (existsSync(p.logFile) ? readFileSync(p.logFile, 'utf8') : '')).join('\n');
  }

  async db(): Promise<Client> {
    const client = new Client({ connectionString: this.options.databaseUrl });
    await client.connect();
    return client;
  }
}

/** One JSON request over real HTTP; never throws on a status, only when the connection fails. */
export async function call<T = any>(base: string, method: string, path: string, token?: string, body?: unknown, timeoutMs = 30_000): Promise<HttpAnswer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** `task(i)` for i < count with at most `width` in flight; results in index order. */
export async function inParallel<T>(count: number, width: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
  return results;
}

export function expectStatus<T>(answer: HttpAnswer<T>, status: number, what: string): T {
  if (answer.status !== status) throw new Error(`${what} → ${answer.status} ${answer.text.slice(0, 500)}`);
  return answer.body;
}

/**
 * The fleet's sweep period (SWEEP_INTERVAL_MS; a deployment's default is a minute): short, so watching several
 * periods, or a worker re-upserting the scheduler an empty Redis lost, takes seconds rather than minutes.
 */
export const SWEEP_EVERY_MS = 10_000;

export interface SweepRun {
  id: string;
  /** The period the job scheduler made this job for (its id ends with it). */
  slot: number;
  processedOn: number;
  at: string;
  attempts: number;
  finished: boolean;
  failed: boolean;
}

/**
 * Waits until `periods` whole sweep periods have passed since the first sweep
 * this fleet ran, then lists every sweep job (kept: removeOnComplete 100) and
 * the queue's job schedulers.
 */
export async function watchSweep(fleet: Fleet, periods: number): Promise<{ runs: SweepRun[]; schedulers: string[]; windowEnd: number }> {
  const sweep = new Queue('sweep', { connection: { url: fleet.options.redisUrl }, prefix: fleet.options.redisPrefix });
  try {
    const firstRun = await eventually(async () => (await sweep.getJobs(['completed'])).map((j) => j.processedOn!).sort()[0], 'the first sweep', 90_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstRun + periods * SWEEP_EVERY_MS + 5_000 - Date.now())));
    const windowEnd = Date.now();
    const jobs = await sweep.getJobs(['completed', 'failed', 'active', 'waiting']);
    const runs = jobs
      .filter((j) => j.processedOn)
      .map((j) => ({
        id: String(j.id),
        slot: Number(String(j.id).split(':').pop()),
        processedOn: j.processedOn!,
        at: new Date(j.processedOn!).toISOString(),
        attempts: j.attemptsMade,
        finished: !!j.finishedOn,
        failed: !!j.failedReason,
      }))
      .sort((a, b) => a.processedOn - b.processedOn);
    const schedulers = (await sweep.getJobSchedulers()).map((s) => `${s.key} every ${s.every}`);
    return { runs, schedulers, windowEnd };
  } finally {
    await sweep.close();
  }
}

/** Ticket id → the workers whose log says they regenerated its codes ("codes regenerated", logged in the final transaction). */
export function regenerationsLogged(workers: ServiceProcess[]): Map<string, string[]> {
  const regenerated = new Map<string, string[]>();
  for (const worker of workers) {
    for (const line of worker.logLines().filter((l) => l.includes('"codes regenerated"'))) {
      const { ticketId } = JSON.parse(line) as { ticketId: string };
      regenerated.set(ticketId, [...(regenerated.get(ticketId) ?? []), worker.name]);
    }
  }
  return regenerated;
}

/** Adds one sweep job now (as the scheduler would at the next period) and waits for a worker to run it. */
export async function runSweepNow(fleet: Fleet): Promise<{ result: { regenerationsEnqueued: number } & Record<string, unknown>; schedulers: string[] }> {
  const sweep = new Queue('sweep', { connection: { url: fleet.options.redisUrl }, prefix: fleet.options.redisPrefix });
  try {
    const job = await sweep.add('sweep', {}, { removeOnComplete: false });
    const result = await eventually(async () => (await Job.fromId(sweep, job.id!))?.returnvalue, 'the sweep job to run', 60_000);
    const schedulers = (await sweep.getJobSchedulers()).map((s) => `${s.key} every ${s.every}`);
    return { result, schedulers };
  } finally {
    await sweep.close();
  }
}
