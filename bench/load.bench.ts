import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { prepareBenchBackends } from './bench-app';
import { Inbox } from './inbox';
import {
  BACKENDS_SQL,
  CpuSnapshot,
  cpuSnapshot,
  CpuSpent,
  cpuSpent,
  describeCpu,
  freePort,
  metricFromText,
  residentFromMetrics,
  residentMemory,
  ServiceProcess,
  startService,
  stopService,
  waitUntil,
  waitUntilReady,
} from './load-processes';
import { enrol, importPeople, roundRobin, serviceEnv, staffMember, staffToken } from './load-setup';
import { Api, approveWaiting, Employee, loop, Mix, openTicket, proofNext, Recorder, REQUEST, RequestType, signIn } from './load-users';
import { percentile } from './measure';
import { describeLoad, describeMachine, formatTable, ms, summaryTable, times } from './table';

const RUNS = {
  seconds: 30, // the loaded run
  soloSeconds: 10, // the baseline: one user doing the same mix alone
  loginApps: 8, // virtual users per role
  agents: 3,
  openers: 1,
  approvers: 1,
  openPauseMs: 250, // an opener between two calls
  approverPauseMs: 500,
  agentIdleMs: 200, // an agent after finding the queue empty
  wrongShare: 0.1, // sign-ins that mistype first
  memoryPollMs: 250,
} as const;
const PEOPLE = { managers: 10, signers: 150, callers: 300, privilegedEvery: 5, preopened: 15, enrolWidth: 2 } as const;

const log = (line: string) => process.stderr.write(`load: ${line}\n`);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** What one run recorded, frozen. */
interface RunFigures {
  seconds: number;
  latency: Map<RequestType, number[]>;
  statuses: Map<RequestType, Map<string, number>>;
  delivery: number[];
  surprises: Map<string, number>;
  requests: number;
  proofed: number;
  completed: number;
  cpu: CpuSpent;
}

/** The API's resident set, and what V8 held at the same moment (prom-client's default metrics). */
interface ApiMemory {
  rss: number;
  heapTotal?: number;
  heapUsed?: number;
  external?: number;
}

/** Polls the API's /metrics (and the worker's /proc entry) every `memoryPollMs`. */
function memorySampler(baseUrl: string, worker: ServiceProcess) {
  const api: ApiMemory[] = [];
  const workerRss: number[] = [];
  const timer = setInterval(() => {
    void fetch(`${baseUrl}/metrics`)
      .then((res) => res.text())
      .then((text) => {
        const rss = residentFromMetrics(text);
        if (rss === undefined) return;
        api.push({
          rss,
          heapTotal: metricFromText(text, 'nodejs_heap_size_total_bytes'),
          heapUsed: metricFromText(text, 'nodejs_heap_size_used_bytes'),
          external: metricFromText(text, 'nodejs_external_memory_bytes'),
        });
      })
      .catch(() => undefined);
    const w = residentMemory(worker.child.pid);
    if (w) workerRss.push(w.rss);
  }, RUNS.memoryPollMs);
  return {
    /** Peaks since the last mark (the API's with what V8 held then). */
    mark: () => {
      const peak = api.reduce<ApiMemory>((best, sample) => (sample.rss > best.rss ? sample : best), { rss: 0 });
      const peaks = { api: peak.rss, apiAtPeak: peak, worker: Math.max(0, ...workerRss), samples: api.length };
      api.length = 0;
      workerRss.length = 0;
      return peaks;
    },
    stop: () => clearInterval(timer),
  };
}

async function countTickets(client: Client): Promise<{ proofed: number; completed: number }> {
  const { rows } = await client.query(
    `SELECT count(*) FILTER (WHERE state NOT IN ('open', 'proofing'))::int AS proofed, count(*) FILTER (WHERE state = 'completed')::int AS completed FROM tickets`,
  );
  return rows[0];
}

/** Until the relay has delivered everything, so one run's messages do not slow the next. */
async function drainOutbox(client: Client): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    const { rows } = await client.query(`SELECT count(*)::int AS pending FROM outbox WHERE delivered_at IS NULL`);
    if (rows[0].pending === 0) return;
  }
  throw new Error('the relay did not drain the outbox within a minute');
}

/** Runs `users` for `seconds` with the recorder on; the rate is over the time until the last user stops. */
async function timedRun(mix: Mix, client: Client, seconds: number, users: (mix: Mix) => Promise<void>[], cpu: () => Promise<CpuSnapshot>): Promise<RunFigures> {
  const abort = new AbortController();
  mix.signal = abort.signal;
  mix.recorder.reset();
  mix.recorder.on = true;
  const before = await countTickets(client);
  const cpuBefore = await cpu();
  const start = performance.now();
  const stop = setTimeout(() => abort.abort(), seconds * 1000);
  await Promise.all(users(mix));
  clearTimeout(stop);
  const elapsed = (performance.now() - start) / 1000;
  mix.recorder.on = false;
  const cpuAfter = await cpu();
  const after = await countTickets(client);
  const r = mix.recorder;
  return {
    seconds: elapsed,
    latency: new Map(r.latency),
    statuses: new Map(r.statuses),
    delivery: [...r.delivery],
    surprises: new Map(r.surprises),
    requests: r.count(),
    proofed: after.proofed - before.proofed,
    completed: after.completed - before.completed,
    cpu: cpuSpent(cpuBefore, cpuAfter),
  };
}

/** One user doing the whole mix alone, in turn: 4 sign-ins, open a ticket, proof the next one, approve what waits. */
async function soloRound(mix: Mix): Promise<boolean> {
  for (let i = 0; i < 4 && !mix.signal.aborted; i += 1) await signIn(mix);
  await openTicket(mix);
  await proofNext(mix, 0);
  await approveWaiting(mix);
  return true;
}
const soloUser = (mix: Mix) => [loop(mix, () => soloRound(mix), 0)];

const loadUsers = (mix: Mix) => [
  ...Array.from({ length: RUNS.loginApps }, () => loop(mix, () => signIn(mix), 0)),
  ...Array.from({ length: RUNS.agents }, (_, i) => loop(mix, () => proofNext(mix, i), 0, RUNS.agentIdleMs)),
  ...Array.from({ length: RUNS.openers }, () => loop(mix, () => openTicket(mix), RUNS.openPauseMs)),
  ...Array.from({ length: RUNS.approvers }, () => loop(mix, () => approveWaiting(mix), RUNS.approverPauseMs)),
];

interface Memory {
  boot: number;
  idle: number;
  solo: { api: number; worker: number };
  load: { api: number; apiAtPeak: ApiMemory; worker: number; samples: number };
  lifetime: { api?: number; worker?: number };
  workerIdle?: number;
}

function statusSummary(statuses: Map<string, number> | undefined): { non2xx: number; detail: string } {
  const entries = [...(statuses ?? new Map<string, number>()).entries()].filter(([key]) => parseInt(key, 10) < 200 || parseInt(key, 10) >= 300);
  return { non2xx: entries.reduce((sum, [, n]) => sum + n, 0), detail: entries.map(([status, n]) => `${status} ×${n}`).join(', ') };
}

function report(
  machine: string,
  load: RunFigures,
  solo: RunFigures,
  memory: Memory,
  extra: { codesLeft: number; codesTotal: number; inbox: Inbox; empty: number; setupSeconds: number },
): string {
  const rate = (f: RunFigures, n: number) => n / f.seconds;
  const verified = (f: RunFigures) => f.latency.get(REQUEST.verifyValid)?.length ?? 0;
  const summaryRow = (label: string, ours: number, base: number, unit: (v: number) => string) => [label, unit(ours), unit(base), times(ours / base)];
  const perS = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} /s`;
  const users = RUNS.loginApps + RUNS.agents + RUNS.openers + RUNS.approvers;
  const summary = [
    summaryRow(`requests/s, all types (n ${load.requests} · ${solo.requests})`, rate(load, load.requests), rate(solo, solo.requests), perS),
    summaryRow('sign-ins/s (valid codes verified)', rate(load, verified(load)), rate(solo, verified(solo)), perS),
    summaryRow(`tickets proofed/s (n ${load.proofed} · ${solo.proofed})`, rate(load, load.proofed), rate(solo, solo.proofed), perS),
    summaryRow(`tickets completed/s, codes reissued (n ${load.completed} · ${solo.completed})`, rate(load, load.completed), rate(solo, solo.completed), perS),
    summaryRow('API resident memory, peak · idle before the runs', memory.load.api, memory.idle, mib),
  ];
  const rows: string[][] = [];
  const nonOk: string[] = [];
  for (const type of Object.values(REQUEST)) {
    const samples = load.latency.get(type) ?? [];
    const alone = solo.latency.get(type) ?? [];
    const { non2xx, detail } = statusSummary(load.statuses.get(type));
    if (detail) nonOk.push(`${type}: ${detail}`);
    const p = (q: number) => (samples.length ? ms(percentile(samples, q)) : '—');
    const base = alone.length ? percentile(alone, 50) : undefined;
    rows.push([
      type,
      String(samples.length),
      String(non2xx),
      p(50),
      p(95),
      p(99),
      base === undefined ? '—' : `${ms(base)} (n ${alone.length})`,
      base === undefined || !samples.length ? '—' : times(percentile(samples, 50) / base),
    ]);
  }
  const deliveryLine = (f: RunFigures) =>
    f.delivery.length ? `p50 ${ms(percentile(f.delivery, 50))}, p95 ${ms(percentile(f.delivery, 95))} (n ${f.delivery.length})` : 'none';
  const surprises = [...load.surprises.entries(), ...[...solo.surprises.entries()].map(([k, n]) => [`(1 user) ${k}`, n] as const)];
  return [
    `Benchmark: load (${new Date().toISOString()})`,
    machine,
    'service: two real processes, `node dist/src/main.js --role api` and `--role worker` (regeneration, notification relay,',
    `sweep), NODE_ENV=test, LOG_LEVEL=warn, file notifications; PostgreSQL and Redis on this machine; the bench's users in a third.`,
    '',
    summaryTable('load', ['measure', `ours: ${users} users, ${RUNS.seconds} s`, `baseline: 1 user, ${RUNS.soloSeconds} s`, 'ours ÷ baseline'], summary),
    '',
    formatTable(['request (loaded run)', 'n', 'non-2xx', 'p50', 'p95', 'p99', 'baseline p50 (1 user)', 'p50 ÷ baseline'], rows),
    '',
    `mix        ${RUNS.loginApps} login-application users (role service) sign employees in back to back: POST …/codes/verify with the`,
    `           next unused code of ${PEOPLE.signers} enrolled employees (round-robin); ${RUNS.wrongShare * 100} % mistype first (a code of their own set with one`,
    '           character changed), then type it right, so the success resets their failure count and nobody is locked out.',
    `           ${RUNS.agents} agents take the next ticket and proof it: standard (4 in 5): OTP by SMS to the registered phone, read`,
    '           from the inbox file as the employee would, read back, then directory facts → approved → the worker regenerates;',
    `           privileged (1 in 5): OTP, the manager's attestation link (read from the manager's inbox, confirmed over`,
    `           /v1/links/attest), a government ID → awaiting_approval. ${RUNS.openers} agent opens tickets (${RUNS.openPauseMs} ms between), each for a new`,
    `           employee; ${RUNS.approvers} approver lists awaiting_approval, approves each, lists the live queue (${RUNS.approverPauseMs} ms between),`,
    `           holding two approvers' tokens (a privileged ticket needs two approvals from two people). No think`,
    `           time otherwise: a stress of the interactive paths, not a model of a real desk's pace. ${PEOPLE.preopened} tickets were waiting at start.`,
    `set-up     ${extra.setupSeconds.toFixed(1)} s over HTTP before the runs: staff and tokens, ${PEOPLE.managers + PEOPLE.signers + PEOPLE.callers} employees by one directory import each for`,
    `           managers and the rest, ${PEOPLE.signers} first code sets (${PEOPLE.enrolWidth} at a time, hashed by the API), ${PEOPLE.preopened} tickets, the outbox drained.`,
    `baseline   the same requests by ONE user alone, in turn (4 sign-ins, open a ticket, proof the next, approve what waits), for`,
    `           ${RUNS.soloSeconds} s just before the loaded run, after one untimed round: each request type's latency with nothing else`,
    "           running but the worker. Memory: the API's resident set idle after set-up, before both runs.",
    `rate       requests answered (any status) ÷ seconds until the last user stopped (${load.seconds.toFixed(1)} s; 1 user: ${solo.seconds.toFixed(1)} s).`,
    `           tickets proofed: left open/proofing during the run; completed: reached completed during the run (the worker's job).`,
    `messages   step start → the message in the inbox file (outbox, Redis, the worker's relay, the file):`,
    `           loaded ${deliveryLine(load)}; 1 user ${deliveryLine(solo)}.`,
    `           inbox over the whole bench, by template: ${[...extra.inbox.counts.entries()].map(([t, n]) => `${t} ${n}`).join(', ')}.`,
    `queue      POST /v1/tickets/next found the queue empty (204) ${extra.empty} times in the loaded run (agents then wait ${RUNS.agentIdleMs} ms).`,
    `codes      ${extra.codesLeft} of ${extra.codesTotal} enrolled codes left unused at the end${extra.codesLeft === 0 ? ': THE SIGN-INS RAN OUT OF CODES before the end' : ''}.`,
    `non-2xx    ${nonOk.length ? nonOk.join('; ') : 'none'}`,
    `surprises  ${surprises.length ? surprises.map(([k, n]) => `${k} ×${n}`).join('; ') : 'none (every ticket reached the state its last step should give)'}`,
    `memory     API resident set (GET /metrics process_resident_memory_bytes every ${RUNS.memoryPollMs} ms, ${memory.load.samples} samples in the loaded run):`,
    `           just after boot ${mib(memory.boot)}, idle before the runs ${mib(memory.idle)}, peak with 1 user ${mib(memory.solo.api)}, peak loaded ${mib(memory.load.api)};`,
    `           lifetime peak (VmHWM, set-up's enrolment hashing included) ${memory.lifetime.api ? mib(memory.lifetime.api) : '—'}. Worker (/proc VmRSS): idle`,
    `           ${memory.workerIdle ? mib(memory.workerIdle) : '—'}, peak loaded ${mib(memory.load.worker)}, lifetime peak ${memory.lifetime.worker ? mib(memory.lifetime.worker) : '—'}.`,
    `           At the API's loaded peak: ${describePeak(memory.load.apiAtPeak)}.`,
    "cpu        CPU-seconds during each run, from /proc (the service's processes, PostgreSQL's backends for rd_bench, the bench):",
    `           loaded: ${describeCpu(load.cpu)}.`,
    `           1 user: ${describeCpu(solo.cpu)}.`,
    `noise      ${describeLoad('at the end')}: the service's two processes, the bench's users, PostgreSQL and Redis share the same cores;`,
    '           "everything else" is other work on the machine (Redis, other test runs) during the run.',
  ].join('\n');
}

/** The loaded peak split into V8's heap (used of total), memory V8 tracks outside it, and the rest (code, the C heap: argon2, sockets). */
function describePeak(peak: ApiMemory): string {
  if (peak.heapTotal === undefined || peak.external === undefined) return 'no V8 figures in /metrics';
  const rest = peak.rss - peak.heapTotal - peak.external;
  return `V8 heap ${mib(peak.heapTotal)} (${mib(peak.heapUsed ?? 0)} used), external ${mib(peak.external)}, the rest (code, stacks, the C heap: argon2, sockets) ${mib(rest)}`;
}

export async function runLoadBench(): Promise<void> {
  const machine = describeMachine();
  log('preparing a fresh rd_bench database…');
  const backends = await prepareBenchBackends();
  const dir = mkdtempSync(join(tmpdir(), 'rd-load-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const adminToken = `rds_bench_admin_${randomBytes(24).toString('hex')}`;
  const env = serviceEnv(backends, port, join(dir, 'inbox.jsonl'), adminToken);
  log(`starting the service: an api process on :${port} and a worker process…`);
  const api = startService('api', 'api', env);
  const worker = startService('worker', 'worker', env);
  const client = new Client({ connectionString: backends.databaseUrl });
  const inbox = new Inbox(env.NOTIFY_FILE!, ['proofing.otp', 'proofing.attestation']);
  let sampler: ReturnType<typeof memorySampler> | undefined;
  try {
    await waitUntilReady(api, baseUrl);
    await waitUntil(worker, 'started', () => worker.tail.some((line) => line.includes('worker started')));
    const boot = residentFromMetrics(await (await fetch(`${baseUrl}/metrics`)).text())!;
    await client.connect();
    inbox.start();

    const recorder = new Recorder();
    const http = new Api(baseUrl, recorder);
    log('set-up over HTTP as the admin: staff, tokens, the directory import, first code sets…');
    const setupStart = performance.now();
    const tokens = {
      service: await staffToken(http, adminToken, 'Login application', ['service'], ['enrol', 'verify']),
      agents: [] as string[],
      opener: await staffToken(http, adminToken, 'Agent who opens', ['agent']),
      // A privileged ticket needs two approvals, and each approver signs a ticket once.
      approvers: [await staffMember(http, adminToken, 'Approver 1', ['approver']), await staffMember(http, adminToken, 'Approver 2', ['approver'])],
    };
    for (let i = 0; i < RUNS.agents; i += 1) tokens.agents.push(await staffToken(http, adminToken, `Agent ${i + 1}`, ['agent']));
    const people = await importPeople(http, adminToken, client, PEOPLE);
    const enrolled = await enrol(http, tokens.service, people.signers, PEOPLE.enrolWidth);
    const codes = roundRobin(enrolled);
    const codesTotal = codes.length;
    const mix: Mix = {
      api: http,
      recorder,
      inbox,
      tokens,
      codes,
      forTickets: [...people.callers],
      byId: new Map<string, Employee>([...people.callers].map((e) => [e.id, e])),
      wrongShare: RUNS.wrongShare,
      signal: new AbortController().signal,
    };
    for (let i = 0; i < PEOPLE.preopened; i += 1) await openTicket(mix);
    await drainOutbox(client);
    const setupSeconds = (performance.now() - setupStart) / 1000;

    sampler = memorySampler(baseUrl, worker);
    await sleep(4 * RUNS.memoryPollMs);
    const idle = sampler.mark();
    log(`the baseline: one user doing the mix alone for ${RUNS.soloSeconds} s…`);
    await soloRound(mix); // untimed: the recorder is off until timedRun
    const cpu = async () => cpuSnapshot((await client.query<{ pid: number }>(BACKENDS_SQL)).rows, { API: api, worker });
    const solo = await timedRun(mix, client, RUNS.soloSeconds, soloUser, cpu);
    const soloPeak = sampler.mark();
    await drainOutbox(client);
    sampler.mark();
    log(`the loaded run: ${RUNS.loginApps + RUNS.agents + RUNS.openers + RUNS.approvers} users for ${RUNS.seconds} s…`);
    const load = await timedRun(mix, client, RUNS.seconds, loadUsers, cpu);
    const loadPeak = sampler.mark();
    const empty = load.statuses.get(REQUEST.next)?.get('204') ?? 0;
    const memory: Memory = {
      boot,
      idle: idle.api,
      workerIdle: idle.worker,
      solo: soloPeak,
      load: loadPeak,
      lifetime: { api: residentMemory(api.child.pid)?.peak, worker: residentMemory(worker.child.pid)?.peak },
    };
    console.log(report(machine, load, solo, memory, { codesLeft: mix.codes.length, codesTotal, inbox, empty, setupSeconds }));
  } finally {
    sampler?.stop();
    inbox.stop();
    await client.end().catch(() => undefined);
    log('stopping the service processes…');
    await Promise.all([stopService(api), stopService(worker)]);
    rmSync(dir, { recursive: true, force: true });
  }
}
