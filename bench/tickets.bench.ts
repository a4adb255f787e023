import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigService } from '@nestjs/config';
import type { Account } from '../src/accounts/account.entity';
import { AuditService } from '../src/audit/audit.service';
import { CodeHasher } from '../src/codes/code-hasher';
import { generateCodeSet } from '../src/codes/code-format';
import type { Env } from '../src/config/env.validation';
import type { Staff } from '../src/staff/staff.entity';
import { asStaff } from '../src/tickets/ticket-actor';
import { TicketTransitions } from '../src/tickets/ticket-transitions.service';
import { startApiProcess } from './api-process';
import { postTo as post } from './http';
import { BenchApp, startBenchApp } from './bench-app';
import { BACKENDS_SQL, CpuSnapshot, cpuSnapshot, cpuSpent, describeCpu, ServiceProcess, stopService } from './load-processes';
import { median, percentile, timeMs } from './measure';
import { findPgbench, PgbenchRun, runPgbench } from './pgbench';
import { describeLoad, describeMachine, ms, perSecond, summaryTable, times } from './table';

const RUNS = {
  latency: 100, // tickets approved one at a time, after the warm-up ones
  warmUp: 5,
  hashing: 10, // baseline samples, one before every 10th ticket
  clients: 16,
  seconds: 10, // each throughput run, ours and pgbench alike
  warmUpSeconds: 1,
  pollMs: 5,
} as const;
/** Open tickets for the HTTP loops: more than clients, so `next` always finds one that no other claim has locked. */
const HTTP_TICKETS = 2 * RUNS.clients;
const PGBENCH_SCRIPT = 'ticket-transition.pgbench.sql';

type Agent = { member: Staff; token: string };
type BenchTicket = { id: string; account: Account };

const log = (line: string) => process.stderr.write(`tickets: ${line}\n`);

/** The script beside this file: bench/ when run from source, bench/ of the repository when run from dist/bench. */
function pgbenchScript(): string {
  const file = [join(__dirname, PGBENCH_SCRIPT), join(__dirname, '..', '..', 'bench', PGBENCH_SCRIPT)].find((path) => existsSync(path));
  if (!file) throw new Error(`${PGBENCH_SCRIPT} not found beside ${__dirname}`);
  return file;
}

/** Untimed set-up, a few requests at a time: `task(i)` for i < count, in order of completion. */
async function inParallel<T>(count: number, task: (index: number) => Promise<T>, width = 4): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) results.push(await task(next++));
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** Standard-tier accounts (the bench-app factory's default), one ticket each, opened over HTTP as an agent does. */
function openTickets(bench: BenchApp, agent: Agent, count: number): Promise<BenchTicket[]> {
  return inParallel(count, async () => {
    const account = await bench.createAccount();
    const res = await bench.post<{ id: string }>('/v1/tickets', agent.token, { accountId: account.id, channel: 'phone', reason: 'lost_device' });
    if (res.status !== 201) throw new Error(`open answered ${res.status}: ${JSON.stringify(res.body)}`);
    return { id: res.body.id, account };
  });
}

/**
 * Tickets one step from approval: claimed over HTTP by `agent`, the OTP step
 * marked passed in SQL (its code only reaches the subject through the relay),
 * directory_facts left for the timed request.
 */
async function ticketsAwaitingDirectoryFacts(bench: BenchApp, agent: Agent, count: number): Promise<BenchTicket[]> {
  const opened = await openTickets(bench, agent, count);
  await inParallel(count, async () => {
    const res = await bench.post<{ state: string }>('/v1/tickets/next', agent.token);
    if (res.status !== 200 || res.body.state !== 'proofing') throw new Error(`next answered ${res.status}: ${JSON.stringify(res.body)}`);
  });
  const ids = opened.map((t) => t.id);
  const [{ claimed }] = (await bench.dataSource.query(
    `SELECT count(*)::int AS claimed FROM tickets WHERE id = ANY($1) AND state = 'proofing' AND assigned_to = $2`,
    [ids, agent.member.id],
  )) as { claimed: number }[];
  if (claimed !== count) throw new Error(`${claimed} of ${count} tickets were claimed by the agent`);
  await bench.dataSource.query(
    `UPDATE ticket_steps SET status = 'passed', evidence = '{"attempts":1}', decided_by = $2, decided_at = now()
      WHERE ticket_id = ANY($1) AND step = 'registered_channel_otp'`,
    [ids, `staff:${agent.member.id}`],
  );
  return opened;
}

/** Waits until the relay has delivered every message (tickets opened, codes delivered), so it competes with nothing timed. */
async function drainOutbox(bench: BenchApp): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    const [{ pending }] = (await bench.dataSource.query(`SELECT count(*)::int AS pending FROM outbox WHERE delivered_at IS NULL`)) as { pending: number }[];
    if (pending === 0) return;
  }
  throw new Error('the notification relay did not drain the outbox within a minute');
}

/** The last step over HTTP (its transaction approves and, after commit, enqueues the job), then polls until completed. */
async function approveAndAwaitCompletion(bench: BenchApp, agent: Agent, { id, account }: BenchTicket): Promise<number> {
  const res = await bench.post<{ state: string }>(`/v1/tickets/${id}/steps/directory_facts`, agent.token, {
    employeeNumber: account.employeeNumber,
    costCentre: account.costCentre,
  });
  const approvedAt = performance.now();
  if (res.status !== 200 || res.body.state !== 'approved') throw new Error(`directory_facts answered ${res.status}: ${JSON.stringify(res.body)}`);
  for (;;) {
    const [{ state }] = (await bench.dataSource.query(`SELECT state FROM tickets WHERE id = $1`, [id])) as { state: string }[];
    if (state === 'completed') return performance.now() - approvedAt;
    if (state === 'failed' || performance.now() - approvedAt > 30_000) throw new Error(`ticket ${id} is ${state}, not completed`);
    await sleep(RUNS.pollMs);
  }
}

/**
 * Server-side intervals from the audit trail, per ticket: approved → regenerating
 * (job picked up) → codes.issued (hashed, in the final transaction) → completed.
 */
async function auditIntervals(bench: BenchApp, ids: string[]) {
  const rows = (await bench.dataSource.query(
    `SELECT coalesce(payload ->> 'ticketId', target_id) AS ticket_id, action, occurred_at FROM audit_events
      WHERE (target_type = 'ticket' AND target_id = ANY($1) AND action IN ('ticket.steps_passed', 'ticket.start_regeneration', 'ticket.complete'))
         OR (action = 'codes.issued' AND payload ->> 'ticketId' = ANY($1))`,
    [ids],
  )) as { ticket_id: string; action: string; occurred_at: Date }[];
  const at = (id: string, action: string) => rows.find((r) => r.ticket_id === id && r.action === action)!.occurred_at.getTime();
  const between = (from: string, to: string) => ids.map((id) => at(id, to) - at(id, from));
  return {
    total: between('ticket.steps_passed', 'ticket.complete'),
    pickup: between('ticket.steps_passed', 'ticket.start_regeneration'),
    hashing: between('ticket.start_regeneration', 'codes.issued'),
    commit: between('codes.issued', 'ticket.complete'),
  };
}

/**
 * Tickets one at a time. The baseline, CodeHasher.hashAll on a set of 10 alone
 * (the work no regeneration can skip), is sampled between them, so drift and
 * other load on the machine hit both alike.
 */
async function measureLatency(bench: BenchApp, agent: Agent, tickets: BenchTicket[]) {
  const hasher = bench.app.get(CodeHasher);
  const secrets = generateCodeSet(10).map((c) => c.secret);
  await hasher.hashAll(secrets);
  for (const ticket of tickets.slice(0, RUNS.warmUp)) await approveAndAwaitCompletion(bench, agent, ticket);
  const timed = tickets.slice(RUNS.warmUp);
  const client: number[] = [];
  const hashing: number[] = [];
  for (const [i, ticket] of timed.entries()) {
    if (i % (RUNS.latency / RUNS.hashing) === 0) hashing.push(await timeMs(() => hasher.hashAll(secrets)));
    client.push(await approveAndAwaitCompletion(bench, agent, ticket));
  }
  return {
    client,
    baseline: hashing,
    audit: await auditIntervals(
      bench,
      timed.map((t) => t.id),
    ),
  };
}

const auditHead = async (bench: BenchApp) =>
  Number(((await bench.dataSource.query(`SELECT coalesce(max(seq), 0) AS seq FROM audit_events`)) as { seq: string }[])[0].seq);

/**
 * `clients` loops for `seconds`, each repeating `cycle` (which answers how many
 * transitions it made); the rate is over the time until the last loop ends.
 * The audit trail must hold exactly as many claim and release events.
 */
async function transitionRate(bench: BenchApp, seconds: number, cycle: (client: number) => Promise<number>) {
  await bench.dataSource.query('CHECKPOINT'); // neither side pays for the other's dirty pages
  const before = await auditHead(bench);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const counts = await Promise.all(
    Array.from({ length: RUNS.clients }, async (_, client) => {
      let made = 0;
      while (performance.now() < deadline) made += await cycle(client);
      return made;
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const transitions = counts.reduce((a, b) => a + b, 0);
  const [{ audited }] = (await bench.dataSource.query(
    `SELECT count(*)::int AS audited FROM audit_events WHERE seq > $1 AND action IN ('ticket.claim', 'ticket.release')`,
    [before],
  )) as { audited: number }[];
  if (audited !== transitions) throw new Error(`${transitions} transitions counted, ${audited} audited`);
  return { perSecond: transitions / elapsed, transitions };
}

/** The size of the newest checkpoint in the witness directory's `checkpoints` file (read from its tail). */
async function witnessedSize(dir: string): Promise<number> {
  const file = await open(join(dir, 'checkpoints')).catch(() => undefined);
  if (!file) return 0;
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(Math.min(size, 1024));
    await file.read(tail, 0, tail.length, size - tail.length);
    const sizes = [...tail.toString('utf8').matchAll(/(?:^|\n)[^\n\s]+\n(\d+)\n[A-Za-z0-9+/=]{44}\n/g)];
    return sizes.length ? Number(sizes[sizes.length - 1][1]) : 0;
  } finally {
    await file.close();
  }
}

/**
 * Checkpoint lag while `work` runs: every 100 ms the newest committed audit event is noted, then the time until a
 * signed checkpoint in the witness covers its leaf (the sequencer integrates after commit; checkpoints are signed
 * every AUDIT_CHECKPOINT_INTERVAL_MS).
 */
async function checkpointLag<T>(bench: BenchApp, work: Promise<T>): Promise<{ result: T; lags: number[] }> {
  const dir = bench.app.get<ConfigService<Env, true>>(ConfigService).get('AUDIT_WITNESS_DIR', { infer: true });
  const samples: { seq: number; at: number; idx?: number }[] = [];
  const lags: number[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const at = performance.now();
      const [{ seq }] = (await bench.dataSource.query(`SELECT max(seq) AS seq FROM audit_events`)) as { seq: string }[];
      samples.push({ seq: Number(seq), at });
      await sleep(100);
    }
  })();
  const monitor = (async () => {
    const giveUp = () => done && performance.now() > finishedAt + 30_000;
    let finishedAt = Infinity;
    while (!(done && samples.length === 0) && !giveUp()) {
      if (done && finishedAt === Infinity) finishedAt = performance.now();
      const covered = await witnessedSize(dir);
      for (;;) {
        const oldest = samples[0];
        if (!oldest) break;
        if (oldest.idx === undefined) {
          const [leaf] = (await bench.dataSource.query(`SELECT idx FROM audit_leaves WHERE seq = $1`, [oldest.seq])) as { idx: string }[];
          if (!leaf) break;
          oldest.idx = Number(leaf.idx);
        }
        if (oldest.idx >= covered) break;
        lags.push(performance.now() - oldest.at);
        samples.shift();
      }
      await sleep(10);
    }
  })();
  const result = await work;
  done = true;
  await Promise.all([sampler, monitor]);
  return { result, lags };
}

/** Ours in-process: TicketTransitions.fireAlone, claim then release, each loop on its own ticket. */
async function measureInProcess(bench: BenchApp, agents: Agent[], tickets: BenchTicket[]) {
  const transitions = bench.app.get(TicketTransitions);
  const cycle = async (client: number) => {
    const actor = asStaff(agents[client].member, 'agent');
    await transitions.fireAlone(tickets[client].id, 'claim', actor);
    await transitions.fireAlone(tickets[client].id, 'release', actor);
    return 2;
  };
  await transitionRate(bench, RUNS.warmUpSeconds, cycle);
  const { result, lags } = await checkpointLag(bench, transitionRate(bench, RUNS.seconds, cycle));
  return { ...result, lags };
}

/**
 * Ours over HTTP: each agent takes the next ticket (POST /v1/tickets/next) and releases it. With several addresses
 * (one per API process), client i talks to address i mod n: the loops are split evenly between the processes.
 */
async function measureOverHttp(bench: BenchApp, agents: Agent[], baseUrls: string[] = [bench.baseUrl]) {
  let empty = 0;
  const cycle = async (client: number) => {
    const { token } = agents[client];
    const baseUrl = baseUrls[client % baseUrls.length];
    const next = await post<{ id: string }>(baseUrl, '/v1/tickets/next', token);
    if (next.status === 204) {
      empty += 1;
      return 0;
    }
    if (next.status !== 200) throw new Error(`next answered ${next.status}: ${JSON.stringify(next.body)}`);
    const released = await post<unknown>(baseUrl, `/v1/tickets/${next.body.id}/release`, token);
    if (released.status !== 200) throw new Error(`release answered ${released.status}: ${JSON.stringify(released.body)}`);
    return 2;
  };
  await transitionRate(bench, RUNS.warmUpSeconds, cycle);
  empty = 0;
  return { ...(await transitionRate(bench, RUNS.seconds, cycle)), empty };
}

/** CPU-seconds so far of these API processes, this one (the client, and the idle API and worker of the in-process rows), PostgreSQL and the machine. */
async function cpuNow(bench: BenchApp, apis: ServiceProcess[]): Promise<CpuSnapshot> {
  const backends = (await bench.dataSource.query(BACKENDS_SQL)) as { pid: number }[];
  return cpuSnapshot(backends, Object.fromEntries(apis.map((api, i) => [`API #${i + 1}`, api])));
}

/** HTTP against one API process, then against two (the loops split between them); each run's CPU-seconds noted. */
async function measureApiProcesses(bench: BenchApp, agents: Agent[]) {
  const first = await startApiProcess('api #1');
  let second: Awaited<ReturnType<typeof startApiProcess>> | undefined;
  try {
    let before = await cpuNow(bench, [first.service]);
    const one = await measureOverHttp(bench, agents, [first.baseUrl]);
    const oneCpu = describeCpu(cpuSpent(before, await cpuNow(bench, [first.service])));
    log(`transitions over HTTP, ${RUNS.clients} agents split between two API processes…`);
    second = await startApiProcess('api #2');
    before = await cpuNow(bench, [first.service, second.service]);
    const two = await measureOverHttp(bench, agents, [first.baseUrl, second.baseUrl]);
    const twoCpu = describeCpu(cpuSpent(before, await cpuNow(bench, [first.service, second.service])));
    return { one: { ...one, cpu: oneCpu }, two: { ...two, cpu: twoCpu } };
  } finally {
    await Promise.all([stopService(first.service), second && stopService(second.service)]);
  }
}

/** The baseline's own tables, copies of ours (columns, checks, indexes), and one ticket row per pgbench client. */
async function preparePgbenchTables(bench: BenchApp, tickets: BenchTicket[]): Promise<void> {
  const q = (sql: string, params?: unknown[]) => bench.dataSource.query(sql, params);
  await q(`DROP TABLE IF EXISTS pgb_tickets, pgb_audit_events, pgb_outbox; DROP SEQUENCE IF EXISTS pgb_audit_seq`);
  await q(`CREATE TABLE pgb_tickets (LIKE tickets INCLUDING ALL)`);
  await q(`CREATE TABLE pgb_audit_events (LIKE audit_events INCLUDING ALL)`);
  await q(`CREATE TABLE pgb_outbox (LIKE outbox INCLUDING ALL)`);
  await q(`CREATE SEQUENCE pgb_audit_seq`);
  await q(
    `INSERT INTO pgb_tickets
     SELECT (jsonb_populate_record(t, jsonb_build_object('id', '00000000-0000-4000-8000-' || lpad((n - 1)::text, 12, '0')))).*
       FROM unnest($1::uuid[]) WITH ORDINALITY AS c(id, n) JOIN tickets t ON t.id = c.id`,
    [tickets.map((t) => t.id)],
  );
  await q(`ANALYZE pgb_tickets, pgb_audit_events, pgb_outbox`);
}

async function pgbench(bench: BenchApp, chainLock: boolean, protocol: 'extended' | 'prepared' = 'extended'): Promise<PgbenchRun> {
  await bench.dataSource.query('CHECKPOINT');
  const run = await runPgbench(bench.databaseUrl, pgbenchScript(), {
    clients: RUNS.clients,
    threads: Math.min(RUNS.clients, cpus().length),
    seconds: RUNS.seconds,
    defines: { chain_lock: chainLock ? 1 : 0 },
    protocol,
  });
  if (run.failed > 0) throw new Error(`pgbench: ${run.failed} transactions failed`);
  return run;
}

type Latency = Awaited<ReturnType<typeof measureLatency>>;
interface Throughput {
  inProcess: { perSecond: number; transitions: number; lags: number[] };
  http: { perSecond: number; transitions: number; empty: number };
  processes: Awaited<ReturnType<typeof measureApiProcesses>>;
  pgbench: PgbenchRun;
  pgbenchPrepared: PgbenchRun;
  pgbenchLocked: PgbenchRun;
}

function report(machine: string, params: string, latency: Latency, rate: Throughput, chain: string): string {
  const hash = median(latency.baseline);
  const { audit } = latency;
  const n = audit.total.length;
  const p50 = (samples: number[]) => ms(percentile(samples, 50));
  const latencyRow = (label: string, ours: number) => [label, ms(ours), ms(hash), times(ours / hash)];
  const { one, two } = rate.processes;
  const rateRow = (label: string, ours: number, baseline: number) => [label, perSecond(ours), perSecond(baseline), times(ours / baseline)];
  const empties = [rate.http.empty, one.empty, two.empty];
  const emptyNote = empties.some(Boolean) ? ` (nexts that found none free: ${empties.join(', ')})` : '';
  const rows = [
    latencyRow(`approval → completed, audit trail, p50 (n ${n} · ${latency.baseline.length})`, percentile(audit.total, 50)),
    latencyRow('approval → completed, audit trail, p95', percentile(audit.total, 95)),
    latencyRow(`approval → completed, seen by a client, p50 (n ${n} · ${latency.baseline.length})`, percentile(latency.client, 50)),
    latencyRow('approval → completed, seen by a client, p95', percentile(latency.client, 95)),
    rateRow(`transitions/s, ${RUNS.clients} clients, in-process fireAlone`, rate.inProcess.perSecond, rate.pgbench.tps),
    rateRow(`transitions/s, ${RUNS.clients} clients, over HTTP, API in this process`, rate.http.perSecond, rate.pgbench.tps),
    rateRow(`transitions/s, ${RUNS.clients} clients, over HTTP, 1 API process`, one.perSecond, rate.pgbench.tps),
    rateRow(`transitions/s, ${RUNS.clients} clients, over HTTP, 2 API processes`, two.perSecond, rate.pgbench.tps),
    [`transitions/s over HTTP, 2 API processes vs 1`, perSecond(two.perSecond), perSecond(one.perSecond), times(two.perSecond / one.perSecond)],
    rateRow(`transitions/s, in-process, vs pgbench -M prepared`, rate.inProcess.perSecond, rate.pgbenchPrepared.tps),
    rateRow(`transitions/s, in-process, vs pgbench + the old chain's advisory lock`, rate.inProcess.perSecond, rate.pgbenchLocked.tps),
    [`checkpoint lag p50 (n ${rate.inProcess.lags.length}), during the in-process run`, ms(percentile(rate.inProcess.lags, 50)), '—', '—'],
    [
      'checkpoint lag p95: commit → inside a signed checkpoint',
      ms(percentile(rate.inProcess.lags, 95)),
      ms(2000),
      times(percentile(rate.inProcess.lags, 95) / 2000),
    ],
  ];
  return [
    `Benchmark: tickets (${new Date().toISOString()})`,
    machine,
    `worker: in-process (AppModule.forRole('all')): the API, the regeneration worker, the notification relay and the sweep share`,
    `this Node process with the bench's client. argon2id ${params}. PostgreSQL and Redis on this machine.`,
    '',
    summaryTable('tickets', ['measure', 'ours', 'baseline', 'ours ÷ baseline'], rows),
    '',
    `latency    ${RUNS.latency} standard-tier tickets (OTP + directory facts, no approver, no cooling-off), one at a time after`,
    `           ${RUNS.warmUp} for warm-up: opened and claimed over HTTP, the OTP step marked passed in SQL; approval is`,
    '           POST /v1/tickets/:id/steps/directory_facts, whose transaction enters `approved` and enqueues the job.',
    '           audit trail: occurred_at of ticket.steps_passed → ticket.complete (server clock, 1 ms resolution; each',
    '           written inside its transaction, shortly before the commit). seen by a client: from the approving',
    `           response until a SELECT every ${RUNS.pollMs} ms sees \`completed\`. Of the audit trail's p50s:`,
    `           approved → regenerating ${p50(audit.pickup)} (commit, enqueue, job picked up, its first transaction),`,
    `           → codes.issued ${p50(audit.hashing)} (hashing 10 codes, then the lock and insert), → completed ${p50(audit.commit)}`,
    '           (seal the envelope, complete). The accounts had no active set, so nothing was revoked.',
    `baseline   latency rows: CodeHasher.hashAll on a set of 10, alone, median of ${latency.baseline.length}, one sample before every`,
    `           ${RUNS.latency / RUNS.hashing}th ticket: the work no regeneration can skip. ours ÷ baseline: the latency in units of it.`,
    `throughput ${RUNS.clients} loops for ${RUNS.seconds} s (after ${RUNS.warmUpSeconds} s of warm-up), claim then release. in-process:`,
    `           TicketTransitions.fireAlone, each loop on its own ticket. HTTP: ${RUNS.clients} agents, POST /v1/tickets/next then`,
    `           POST /v1/tickets/:id/release, over ${HTTP_TICKETS} open tickets. ${rate.inProcess.transitions}, ${rate.http.transitions}, ${one.transitions} and ${two.transitions} transitions,`,
    `           each matched by its audit event${emptyNote}. Ours per transition: BEGIN, the row locked with its guard`,
    '           facts (rd_lock_ticket: one statement), UPDATE and the audit INSERT as one statement (no lock, no read',
    '           of the log: the sequencer integrates it after commit), COMMIT; over HTTP also the staff token and the',
    '           response view (one query). claim and release write no outbox row.',
    'processes  the same HTTP loops against `node dist/src/main.js --role api` started by the bench (same database, Redis',
    '           prefix, secrets and witness as this process, which keeps the only worker: sequencer, checkpoints, relay,',
    '           sweep), the client still in this process: first one API process, then two, client i to process i mod 2.',
    '           The API in this process stays up, idle, beside them. PostgreSQL, the API processes and this process share',
    '           the 2 cores, so two processes can at best take the CPU one leaves to the others. CPU-seconds of each run',
    "           (warm-up included; PostgreSQL: this database's backends; the bench: this process; everything else: the rest",
    "           of the machine's busy time):",
    `           1 process: ${one.cpu}.`,
    `           2 processes: ${two.cpu}.`,
    'lag        every 100 ms of the in-process run, the newest committed audit event; lag = until the checkpoints file',
    '           of the witness directory holds a signed checkpoint covering its leaf. Sequencer every 200 ms, a',
    '           checkpoint every 1000 ms (the defaults), in this process. Baseline column: the 2 s goal.',
    `pgbench    bench/${PGBENCH_SCRIPT}: ${RUNS.clients} clients, ${Math.min(RUNS.clients, cpus().length)} threads, ${RUNS.seconds} s, extended protocol, each`,
    '           client its own ticket: SELECT … FOR UPDATE, UPDATE, INSERT audit row, INSERT outbox row, on copies of',
    '           tickets, audit_events and outbox (same columns and indexes). No advisory lock, except in the row',
    `           "old chain's advisory lock" (-D chain_lock=1). ${rate.pgbench.transactions}, ${rate.pgbenchPrepared.transactions} and ${rate.pgbenchLocked.transactions} transactions.`,
    '           Ours sends its hot statements (the lock with its facts, the update with its event, the view) as named',
    '           prepared statements: the row "-M prepared" is pgbench doing the same (-M prepared), the others parse each.',
    `check      ${chain}`,
    `noise      ${describeLoad('at the end')}: pgbench and PostgreSQL, or Node and PostgreSQL, share the same 2 cores.`,
  ].join('\n');
}

export async function runTicketsBench(): Promise<void> {
  const machine = describeMachine();
  findPgbench(); // fail before the minute of set-up, not after it
  log('starting the API and the worker in-process on a fresh rd_bench database…');
  const bench = await startBenchApp({ role: 'all' });
  try {
    const config = bench.app.get<ConfigService<Env, true>>(ConfigService);
    const params = `m=${config.get('ARGON2_MEMORY_KIB', { infer: true })} KiB, t=${config.get('ARGON2_TIME_COST', { infer: true })}, p=${config.get('ARGON2_PARALLELISM', { infer: true })}`;

    log(`opening ${RUNS.warmUp + RUNS.latency} tickets and taking them to their last proofing step…`);
    const agent = await bench.createStaff(['agent']);
    const awaiting = await ticketsAwaitingDirectoryFacts(bench, agent, RUNS.warmUp + RUNS.latency);
    log(`opening ${HTTP_TICKETS} tickets for the throughput runs, and ${RUNS.clients} agents…`);
    const open = await openTickets(bench, agent, HTTP_TICKETS);
    const agents: Agent[] = [];
    for (let i = 0; i < RUNS.clients; i += 1) agents.push(await bench.createStaff(['agent']));
    await drainOutbox(bench);

    log('approval → completed, one ticket at a time (and hashing a set of 10 between them)…');
    const latency = await measureLatency(bench, agent, awaiting);
    await drainOutbox(bench);

    log(`transitions in-process, ${RUNS.clients} loops…`);
    const inProcess = await measureInProcess(bench, agents, open);
    log('pgbench, the same transaction shape…');
    await preparePgbenchTables(bench, open.slice(0, RUNS.clients));
    const pgbenchPlain = await pgbench(bench, false);
    log('pgbench, the same shape, each statement prepared once per connection…');
    const pgbenchPrepared = await pgbench(bench, false, 'prepared');
    log(`transitions over HTTP, ${RUNS.clients} agents…`);
    const http = await measureOverHttp(bench, agents);
    log('pgbench with the advisory lock…');
    const pgbenchLocked = await pgbench(bench, true);
    log(`transitions over HTTP, ${RUNS.clients} agents, against one API process of its own…`);
    const processes = await measureApiProcesses(bench, agents);

    const verdict = await bench.app.get(AuditService).verify();
    const chain = verdict.ok
      ? `audit log verified after the run against ${verdict.checkpoints} signed checkpoints: intact, ${verdict.checked} events (${verdict.pending} not yet in the tree)`
      : `AUDIT LOG BROKEN at event ${verdict.firstBrokenSeq ?? '?'} / leaf ${verdict.firstBrokenLeaf ?? '?'}: ${verdict.reason}`;
    console.log(report(machine, params, latency, { inProcess, http, processes, pgbench: pgbenchPlain, pgbenchPrepared, pgbenchLocked }, chain));
  } finally {
    await bench.close();
  }
}
