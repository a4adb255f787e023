import { Client } from 'pg';
import { Policy } from '../src/config/policy';
import { BenchApp, startBenchApp } from './bench-app';
import { percentile, timed, timeMs } from './measure';
import { captureQueries, describePlan, describeScans, explain, explainable, PlanSummary } from './plans';
import { seedAccounts, seedClosedTickets, seedLiveTickets, SeedStaff } from './queue-seed';
import { describeLoad, describeMachine, ms, summaryTable, times } from './table';

const RUNS = {
  samples: 100, // requests per figure, one after another
  warmUp: 10, // untimed requests before each figure
  walks: 10, // full walks of `deepPage` pages
  deepPage: 40,
  pageSize: 50,
} as const;
const SIZES = {
  accounts: 100_000,
  /** Live tickets (one per account 1…live): the same queue at both sizes, only the closed history grows. */
  live: 4_000,
  small: 10_000,
  large: 1_000_000,
  batch: 100_000, // closed tickets per INSERT … SELECT
  agents: 20,
  approvers: 6,
} as const;
const SEED_TABLES = 'tickets, ticket_steps, approvals, accounts';

type Agent = { token: string };
type TicketPage = { items: { id: string; state: string }[]; nextCursor: string | null };
type Ms = number[];

const log = (line: string) => process.stderr.write(`queue: ${line}\n`);

/** A GET that must answer 200 with a full page. */
async function page(bench: BenchApp, agent: Agent, path: string): Promise<TicketPage> {
  const res = await bench.get<TicketPage>(path, agent.token);
  if (res.status !== 200 || res.body.items.length !== RUNS.pageSize) throw new Error(`GET ${path} answered ${res.status} with ${res.body.items?.length} items`);
  return res.body;
}

/** `RUNS.warmUp` untimed calls, then `RUNS.samples` timed ones. */
async function sample(run: () => Promise<unknown>): Promise<Ms> {
  for (let i = 0; i < RUNS.warmUp; i += 1) await run();
  const samples: Ms = [];
  for (let i = 0; i < RUNS.samples; i += 1) samples.push(await timeMs(run));
  return samples;
}

const openPage = (cursor?: string) => `/v1/tickets?state=open&limit=${RUNS.pageSize}${cursor ? `&cursor=${cursor}` : ''}`;

/** Follows nextCursor from the first page of open tickets; the cursor that fetches page `pages`. */
async function cursorOfPage(bench: BenchApp, agent: Agent, pages: number): Promise<string> {
  let cursor: string | undefined;
  for (let n = 1; n < pages; n += 1) {
    const body = await page(bench, agent, openPage(cursor));
    if (!body.nextCursor || body.items.some((t) => t.state !== 'open')) throw new Error(`page ${n} of open tickets has no next page or a ticket not open`);
    cursor = body.nextCursor;
  }
  return cursor!;
}

/** Take the next ticket, then give it back: each timed on its own. */
async function takeAndRelease(bench: BenchApp, agent: Agent) {
  const next = await timed(() => bench.post<{ id: string; state: string }>('/v1/tickets/next', agent.token));
  if (next.value.status !== 200 || next.value.body.state !== 'proofing')
    throw new Error(`next answered ${next.value.status}: ${JSON.stringify(next.value.body)}`);
  const release = await timed(() => bench.post<{ state: string }>(`/v1/tickets/${next.value.body.id}/release`, agent.token));
  if (release.value.status !== 200 || release.value.body.state !== 'open') throw new Error(`release answered ${release.value.status}`);
  return { next: next.ms, release: release.ms };
}

/** Every figure at the table's current size. */
async function measureStage(bench: BenchApp, agent: Agent) {
  const firstPage = await sample(() => page(bench, agent, openPage()));
  const deepCursor = await cursorOfPage(bench, agent, RUNS.deepPage);
  const deepPage = await sample(() => page(bench, agent, openPage(deepCursor)));
  const walks: Ms = [];
  for (let i = 0; i < RUNS.walks; i += 1) walks.push(await timeMs(() => cursorOfPage(bench, agent, RUNS.deepPage + 1)));
  const live = await sample(() => page(bench, agent, '/v1/tickets'));
  for (let i = 0; i < RUNS.warmUp; i += 1) await takeAndRelease(bench, agent);
  const next: Ms = [];
  const release: Ms = [];
  for (let i = 0; i < RUNS.samples; i += 1) {
    const cycle = await takeAndRelease(bench, agent);
    next.push(cycle.next);
    release.push(cycle.release);
  }
  return { firstPage, deepPage, walks, live, next, release, deepCursor };
}
type Stage = Awaited<ReturnType<typeof measureStage>>;

/** Rows and on-disk size (with indexes) of the seeded tables, and tickets by state. */
async function describeTables(client: Client): Promise<string> {
  const sizes: { relname: string; n: string; size: string }[] = [];
  for (const table of SEED_TABLES.split(', ')) {
    const { rows } = await client.query(
      `SELECT $1::text AS relname, count(*) AS n, pg_size_pretty(pg_total_relation_size($1::regclass)) AS size FROM ${table}`,
      [table],
    );
    sizes.push(rows[0]);
  }
  const { rows: states } = await client.query(`SELECT state, count(*)::int AS n FROM tickets GROUP BY state ORDER BY count(*) DESC`);
  return [
    sizes.map((r) => `${r.relname} ${Number(r.n).toLocaleString('en')} rows ${r.size}`).join(', '),
    states.map((r: { state: string; n: number }) => `${r.state} ${r.n.toLocaleString('en')}`).join(', '),
  ].join('\n           ');
}

/** VACUUM (ANALYZE) of the seeded tables, as autovacuum would have left a table grown over years; its milliseconds. */
async function vacuumAnalyze(client: Client): Promise<number> {
  const took = await timeMs(() => client.query(`VACUUM (ANALYZE) ${SEED_TABLES}`));
  await client.query('CHECKPOINT'); // the measurements do not pay for the seeding's dirty pages
  return took;
}

/** The measured requests whose SQL is explained, and the statement among theirs that finds the tickets (none for release). */
const PLANNED = [
  { label: 'listing state=open, page 1 ', finds: /FROM "tickets".*ORDER BY/s },
  { label: `listing state=open, page ${RUNS.deepPage}`, finds: /FROM "tickets".*ORDER BY/s },
  { label: 'listing, all live states   ', finds: /FROM "tickets".*ORDER BY/s },
  { label: 'take-next (SKIP LOCKED)    ', finds: /SKIP LOCKED/i },
  { label: 'release                    ', finds: undefined },
] as const;

/** Per measured request: the plan of the statement that finds tickets, and of every read and update it sent. */
type StagePlans = { main?: PlanSummary; all: { sql: string; plan: PlanSummary }[] }[];

/**
 * The service's own statements for each measured request, captured while it
 * runs, then EXPLAIN ANALYZE'd with their parameters.
 */
async function stagePlans(bench: BenchApp, client: Client, agent: Agent, deepCursor: string): Promise<StagePlans> {
  const capture = (run: () => Promise<unknown>) => captureQueries(bench.dataSource, run);
  let claimed = '';
  const captured = [
    await capture(() => page(bench, agent, openPage())),
    await capture(() => page(bench, agent, openPage(deepCursor))),
    await capture(() => page(bench, agent, '/v1/tickets')),
    await capture(async () => {
      claimed = (await bench.post<{ id: string }>('/v1/tickets/next', agent.token)).body.id;
    }),
    await capture(() => bench.post(`/v1/tickets/${claimed}/release`, agent.token)),
  ];
  const plans: StagePlans = [];
  for (const [i, queries] of captured.entries()) {
    const { label, finds } = PLANNED[i];
    const main = finds && queries.find((q) => finds.test(q.sql));
    if (finds && !main) throw new Error(`${label.trim()}: no statement matching ${finds} among:\n${queries.map((q) => q.sql).join('\n')}`);
    const all = [];
    for (const query of queries.filter(explainable)) all.push({ sql: query.sql, plan: await explain(client, query) });
    plans.push({ main: main && all.find((p) => p.sql === main.sql)!.plan, all });
  }
  return plans;
}

/** Per request: its ticket-finding statement at 1M (one line, with the verdict), at 10k, then all its statements together. */
function planLines(large: StagePlans, small: StagePlans): string[] {
  const total = (all: StagePlans[number]['all']) => all.reduce((sum, s) => sum + s.plan.ms, 0);
  const indent = ' '.repeat(PLANNED[0].label.length + 2);
  const lines = large.flatMap((request, i) => {
    const before = small[i].main;
    const reading = request.all.filter((s) => s.plan.scans.length > 0);
    const without = reading.filter((s) => !s.plan.usesIndex);
    const every = `all ${request.all.length} statements ${total(request.all).toFixed(2)} ms (10k: ${total(small[i].all).toFixed(2)} ms), ${
      without.length ? `${without.length} WITHOUT an index: ${without.map((s) => s.sql.replace(/\s+/g, ' ').slice(0, 60)).join(' | ')}` : 'all by index'
    }`;
    if (!request.main || !before) return [`${PLANNED[i].label}  ${every}`];
    const then = describeScans(before) === describeScans(request.main) ? 'same plan' : describeScans(before);
    return [`${PLANNED[i].label}  ${describePlan(request.main)}`, `${indent}at 10k: ${then}, ${before.ms.toFixed(2)} ms, ${before.buffers} buffers; ${every}`];
  });
  const indexes = [...new Set(large.flatMap((request) => request.all.flatMap((s) => s.plan.indexes)))];
  lines.push(`indexes used: ${indexes.join(', ')}`);
  return lines;
}

interface Seeding {
  accounts: number;
  small: number;
  smallVacuum: number;
  large: number;
  largeVacuum: number;
}

function report(
  machine: string,
  small: Stage,
  large: Stage,
  seeding: Seeding,
  tables: { small: string; large: string },
  plans: { small: StagePlans; large: StagePlans },
  loads: { small: string; large: string },
): string {
  const n = `(n ${RUNS.samples} · ${RUNS.samples})`;
  const rows: string[][] = [];
  const add = (label: string, samples: (s: Stage) => Ms, withP95 = true) => {
    const at = (p: number) => [percentile(samples(large), p), percentile(samples(small), p)];
    const [l50, s50] = at(50);
    rows.push([`${label}, p50 ${withP95 ? n : `(n ${RUNS.walks} · ${RUNS.walks})`}`, ms(l50), ms(s50), times(l50 / s50)]);
    if (withP95) {
      const [l95, s95] = at(95);
      rows.push([`${label}, p95`, ms(l95), ms(s95), times(l95 / s95)]);
    }
  };
  add(`GET /v1/tickets?state=open&limit=${RUNS.pageSize}, page 1`, (s) => s.firstPage);
  add(`  the same, page ${RUNS.deepPage} (by nextCursor)`, (s) => s.deepPage);
  add(`  all ${RUNS.deepPage} pages, following nextCursor`, (s) => s.walks, false);
  add('GET /v1/tickets (all live states), page 1', (s) => s.live);
  add('POST /v1/tickets/next (take the next ticket)', (s) => s.next);
  add('POST /v1/tickets/:id/release', (s) => s.release);
  const perSecond = (count: number, msTaken: number) => `${Math.round(count / (msTaken / 1000)).toLocaleString('en')} rows/s`;
  const grown = SIZES.large - SIZES.small;
  return [
    `Benchmark: queue (${new Date().toISOString()})`,
    machine,
    `API in-process (role api), real HTTP on the loopback; PostgreSQL and Redis on this machine. One agent, requests one after another.`,
    '',
    summaryTable('queue', ['measure', '1M tickets', '10k tickets', '1M ÷ 10k'], rows),
    '',
    `data       ${SIZES.accounts.toLocaleString('en')} accounts (2 % critical, 18 % privileged, 80 % standard) and ${SIZES.live.toLocaleString('en')} live tickets, one per account`,
    '           (standard: 4 in 5 open, 1 in 5 proofing; privileged/critical: 1/2 open, 1/4 proofing, 1/4 awaiting_approval),',
    `           the same at both sizes; the rest closed (70 % completed, 10 % denied, 12 % expired, 8 % cancelled), opened`,
    '           1 day to 3 years ago on random accounts, with their ticket_steps and approvals. Tier, tier_rank, required steps,',
    '           approvers, cooling-off and SLA dates (due_at) from the policy. Written by INSERT … SELECT generate_series, with',
    '           every index in place; no audit events or outbox rows for seeded tickets (neither request reads them).',
    `           at 10k: ${tables.small}`,
    `           at 1M:  ${tables.large}`,
    `seeding    accounts ${ms(seeding.accounts)}; to 10k tickets ${ms(seeding.small)}, VACUUM (ANALYZE) ${ms(seeding.smallVacuum)};`,
    `           to 1M (+${grown.toLocaleString('en')} closed tickets in ${Math.ceil(grown / SIZES.batch)} statements of up to ${SIZES.batch.toLocaleString('en')}) ${(seeding.large / 1000).toFixed(1)} s = ${perSecond(grown, seeding.large)} with their steps`,
    `           and approvals, VACUUM (ANALYZE) ${(seeding.largeVacuum / 1000).toFixed(1)} s; a CHECKPOINT after each.`,
    `measures   ${RUNS.samples} requests each after ${RUNS.warmUp} for warm-up, as one agent (the listing as agents see it: 50 tickets with their steps,`,
    `           approvals and masked accounts). page ${RUNS.deepPage}: rows ${(RUNS.deepPage - 1) * RUNS.pageSize + 1}–${RUNS.deepPage * RUNS.pageSize} of the open queue, with the cursor got by following`,
    `           nextCursor ${RUNS.deepPage - 1} times from page 1; "all ${RUNS.deepPage} pages": ${RUNS.deepPage} requests one after another, ${RUNS.walks} times.`,
    '           next and release are timed separately, one pair at a time: each next claims the most urgent open ticket',
    '           (critical first, then nearest due_at), the release puts it back with a new due_at (open SLA from now).',
    `plans      EXPLAIN (ANALYZE, BUFFERS) of the statements the service sent for each request, captured from TypeORM and run`,
    '           with their parameters; times are planning + execution, the median of 5 runs. Per request: the statement that',
    '           finds the tickets at 1M, the same at 10k, then all the reads and updates of the request together (auth, the',
    "           page's steps, approvals and accounts, the transition's lock, guard facts, audit head, update; not the audit INSERT):",
    ...planLines(plans.large, plans.small).map((line) => `           ${line}`),
    `noise      ${loads.small}, ${loads.large}, ${describeLoad('at the end')}. The two sizes are`,
    '           measured minutes apart, so other work on the machine can shift one HTTP column against the other; the SQL',
    '           times under plans are the steadier evidence. The milliseconds are of this machine only.',
  ].join('\n');
}

export async function runQueueBench(): Promise<void> {
  const machine = describeMachine();
  log('starting the API in-process on a fresh rd_bench database…');
  const bench = await startBenchApp();
  const client = new Client({ connectionString: bench.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT setseed(0.42)'); // the same tickets every run
    const policy = bench.app.get(Policy);
    const staff: SeedStaff = { agents: [], approvers: [] };
    for (let i = 0; i < SIZES.agents; i += 1) staff.agents.push((await bench.createStaff(['agent'])).member.id);
    for (let i = 0; i < SIZES.approvers; i += 1) staff.approvers.push((await bench.createStaff(['approver'])).member.id);
    const agent = { token: await bench.tokenFor(['agent']) };

    log(`seeding ${SIZES.accounts.toLocaleString('en')} accounts and ${SIZES.small.toLocaleString('en')} tickets (${SIZES.live.toLocaleString('en')} live)…`);
    const seeding = {} as Seeding;
    seeding.accounts = await timeMs(() => seedAccounts(client, SIZES.accounts));
    seeding.small = await timeMs(async () => {
      await seedLiveTickets(client, policy, staff, SIZES.live);
      await seedClosedTickets(client, policy, staff, SIZES.accounts, 1, SIZES.small - SIZES.live);
    });
    seeding.smallVacuum = await vacuumAnalyze(client);
    const tables = { small: await describeTables(client), large: '' };
    log('measuring at 10k…');
    const loads = { small: describeLoad('when measuring 10k'), large: '' };
    const small = await measureStage(bench, agent);
    const plans = { small: await stagePlans(bench, client, agent, small.deepCursor), large: [] as StagePlans };

    log(`seeding up to ${SIZES.large.toLocaleString('en')} tickets…`);
    seeding.large = 0;
    for (let from = SIZES.small - SIZES.live + 1; from <= SIZES.large - SIZES.live; from += SIZES.batch) {
      const to = Math.min(from + SIZES.batch - 1, SIZES.large - SIZES.live);
      seeding.large += await timeMs(() => seedClosedTickets(client, policy, staff, SIZES.accounts, from, to));
      log(`  ${(to + SIZES.live).toLocaleString('en')} tickets (${(seeding.large / 1000).toFixed(0)} s)`);
    }
    log('VACUUM (ANALYZE)…');
    seeding.largeVacuum = await vacuumAnalyze(client);
    tables.large = await describeTables(client);
    log('measuring at 1M…');
    loads.large = describeLoad('when measuring 1M');
    const large = await measureStage(bench, agent);
    log('EXPLAIN ANALYZE of the listing and take-next…');
    plans.large = await stagePlans(bench, client, agent, large.deepCursor);
    console.log(report(machine, small, large, seeding, tables, plans, loads));
  } finally {
    await client.end();
    await bench.close();
  }
}
