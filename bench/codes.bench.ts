import { randomBytes } from 'node:crypto';
import { ConfigService } from '@nestjs/config';
import * as argon2 from 'argon2';
import { CLI } from '../src/audit/audit-actor';
import { CodeHasher } from '../src/codes/code-hasher';
import { displayCode, generateCodeSet, parseCode } from '../src/codes/code-format';
import { CodesService } from '../src/codes/codes.service';
import type { Verdict } from '../src/codes/verification.service';
import type { Env } from '../src/config/env.validation';
import { startApiProcess } from './api-process';
import { postTo } from './http';
import { BenchApp, startBenchApp } from './bench-app';
import { stopService } from './load-processes';
import { startRuntimeVerifier } from './runtime-verify';
import { collect, median, percentile, timed, timeMs } from './measure';
import { naiveOrder, naiveVerify } from './naive-verify';
import { describeLoad, describeMachine, ms, summaryTable, times } from './table';

/** Samples per figure. The naive scan of 50 hashes costs ~50 verifies a try, hence its smaller counts. */
const RUNS = {
  bareVerify: 30,
  hashing: 7,
  endpoint: 100, // per set size: 100 valid codes and 100 wrong codes, interleaved
  warmUp: 5,
  naive: { 10: { valid: 20, wrong: 20 }, 50: { valid: 20, wrong: 8 } },
} as const;
const SET_SIZES = [10, 50] as const;
type SetSize = (typeof SET_SIZES)[number];

/** An account's active set, as the subject holds it (display codes). */
interface Enrolled {
  accountId: string;
  codes: string[];
}

/** The accounts one set size is measured on. */
interface SetsOfSize {
  size: SetSize;
  /** Never consumed, so its set stays whole: wrong codes and the naive baseline run against it. */
  probe: Enrolled;
  /**
   * One valid code per endpoint sample of each API (this process's, then a process of its own), at most half of each
   * set, so every set keeps ≥ size/2 unused codes.
   */
  validCodes: { accountId: string; code: string }[];
  validCodesOwnProcess: { accountId: string; code: string }[];
}

const log = (line: string) => process.stderr.write(`codes: ${line}\n`);

/** A code of the set with one secret character changed: it finds a real row and fails that row's hash. */
function wrongCode(code: string): string {
  return code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
}

/** 10 codes (the policy's count) through the HTTP route, as the login application enrols. */
async function enrolTen(bench: BenchApp, token: string): Promise<Enrolled> {
  const account = await bench.createAccount();
  const res = await bench.post<{ codes: string[] }>(`/v1/accounts/${account.id}/code-sets`, token);
  if (res.status !== 201 || res.body.codes?.length !== 10) throw new Error(`enrolment answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { accountId: account.id, codes: res.body.codes };
}

/** A set of any size, through the same service call a reissue uses. */
async function issueSetOf(bench: BenchApp, size: number): Promise<Enrolled> {
  const account = await bench.createAccount();
  const generated = generateCodeSet(size);
  const prepared = { codes: generated, hashes: await bench.app.get(CodeHasher).hashAll(generated.map((c) => c.secret)) };
  await bench.dataSource.transaction((em) => bench.app.get(CodesService).issueSet(em, account, prepared, CLI, null));
  return { accountId: account.id, codes: generated.map(displayCode) };
}

async function prepareSets(bench: BenchApp, token: string, size: SetSize): Promise<SetsOfSize> {
  const enrol = () => (size === 10 ? enrolTen(bench, token) : issueSetOf(bench, size));
  const probe = await enrol();
  const validCodes: SetsOfSize['validCodes'] = [];
  while (validCodes.length < 2 * RUNS.endpoint) {
    const { accountId, codes } = await enrol();
    for (const code of codes.slice(0, size / 2)) validCodes.push({ accountId, code });
  }
  return { size, probe, validCodes: validCodes.slice(0, RUNS.endpoint), validCodesOwnProcess: validCodes.slice(RUNS.endpoint, 2 * RUNS.endpoint) };
}

/** Five failures in 15 minutes lock an account: the bench clears the count before each wrong try. */
const resetGuard = (bench: BenchApp, accountId: string) => bench.dataSource.query(`DELETE FROM code_guards WHERE account_id = $1`, [accountId]);

/** Where the verify requests go: the API in this process (BenchApp.post), or a process of its own (postTo its address). */
type Post = <T>(path: string, token: string, body?: unknown) => Promise<{ status: number; body: T }>;

async function timedVerify(post: Post, token: string, accountId: string, code: string, expected: boolean): Promise<number> {
  const { value, ms } = await timed(() => post<Verdict>(`/v1/accounts/${accountId}/codes/verify`, token, { code }));
  if (value.status !== 200 || value.body.valid !== expected) {
    throw new Error(`verify expected valid=${expected}, answered ${value.status}: ${JSON.stringify(value.body)}`);
  }
  return ms;
}

/** One bare CodeHasher.verify, timed: the unit a figure is counted in, taken between that figure's own samples. */
type BareVerify = () => Promise<number>;

/**
 * Ours: POST /v1/accounts/:id/codes/verify, valid and wrong codes interleaved so drift hits both alike, and a bare
 * verify after each pair, so it hits their unit alike too.
 */
async function measureEndpoint(bench: BenchApp, post: Post, token: string, sets: SetsOfSize, validCodes: SetsOfSize['validCodes'], bareVerify: BareVerify) {
  const valid: number[] = [];
  const wrong: number[] = [];
  const unit: number[] = [];
  for (const [i, { accountId, code }] of validCodes.entries()) {
    valid.push(await timedVerify(post, token, accountId, code, true));
    await resetGuard(bench, sets.probe.accountId);
    wrong.push(await timedVerify(post, token, sets.probe.accountId, wrongCode(sets.probe.codes[i % sets.size]), false));
    unit.push(await bareVerify());
  }
  return { valid, wrong, unit };
}

/** Baseline: the naive scan over the probe's whole set. Valid codes at positions spread evenly, so the mean is the average case. */
async function measureNaive(bench: BenchApp, pepper: Buffer, sets: SetsOfSize, bareVerify: BareVerify) {
  const { accountId, codes } = sets.probe;
  const secretOf = new Map(codes.map((code) => [parseCode(code)!.lookup, parseCode(code)!.secret]));
  const order = await naiveOrder(bench.dataSource, accountId);
  const counts = RUNS.naive[sets.size];
  const unit: number[] = [];
  const tryOnce = async (secret: string, expected: boolean) => {
    const { value, ms } = await timed(() => naiveVerify(bench.dataSource, accountId, secret, pepper));
    if (value !== expected) throw new Error(`naive verify expected ${expected}, got ${value}`);
    unit.push(await bareVerify());
    return ms;
  };
  const valid = await collect(counts.valid, (k) => tryOnce(secretOf.get(order[Math.floor(((k + 0.5) * order.length) / counts.valid)])!, true));
  const wrong = await collect(counts.wrong, (k) => tryOnce(parseCode(wrongCode(codes[k % codes.length]))!.secret, false));
  return { valid, wrong, unit };
}

/** Ours: CodeHasher.verify; baseline: the argon2 library called directly with the same hash and pepper. */
async function measureBareVerify(hasher: CodeHasher, pepper: Buffer) {
  const secret = randomBytes(8).toString('hex');
  const hash = await hasher.hash(secret);
  if (!(await hasher.verify(hash, secret)) || !(await argon2.verify(hash, secret, { secret: pepper }))) throw new Error('bare verify failed');
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < RUNS.bareVerify; i += 1) {
    ours.push(await timeMs(() => hasher.verify(hash, secret)));
    baseline.push(await timeMs(() => argon2.verify(hash, secret, { secret: pepper })));
  }
  return { ours, baseline };
}

/** Ours: CodeHasher.hashAll (Promise.all on libuv's pool); baseline: one await after another. */
async function measureHashing(hasher: CodeHasher) {
  const secrets = generateCodeSet(10).map((c) => c.secret);
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < RUNS.hashing; i += 1) {
    baseline.push(
      await timeMs(async () => {
        for (const secret of secrets) await hasher.hash(secret);
      }),
    );
    ours.push(await timeMs(() => hasher.hashAll(secrets)));
  }
  return { ours, baseline };
}

async function warmUp(bench: BenchApp, post: Post, token: string): Promise<void> {
  const { accountId, codes } = await enrolTen(bench, token);
  for (const code of codes.slice(0, RUNS.warmUp)) {
    await timedVerify(post, token, accountId, code, true);
    await resetGuard(bench, accountId);
    await timedVerify(post, token, accountId, wrongCode(codes.at(-1)!), false);
  }
}

type Figures = Awaited<ReturnType<typeof measureEndpoint>>;

function report(
  machine: string,
  params: string,
  bare: { ours: number[]; baseline: number[] },
  bySize: { sets: SetsOfSize; ours: Figures; own: Figures & { benchUnit: number[] }; naive: Figures }[],
  hashing: { ours: number[]; baseline: number[] },
): string {
  const unit = median(bare.ours);
  const inVerifies = (ours: number, baseline: number, units = { ours: unit, baseline: unit }) =>
    `${(ours / units.ours).toFixed(2)} · ${(baseline / units.baseline).toFixed(1)}`;
  const row = (label: string, ours: number, baseline: number, verifies = inVerifies(ours, baseline)) => [
    label,
    ms(ours),
    ms(baseline),
    times(baseline / ours),
    verifies,
  ];
  const rows = [row(`one argon2id verify, median (n ${bare.ours.length} · ${bare.baseline.length})`, unit, median(bare.baseline))];
  for (const { sets, ours, own, naive } of bySize) {
    for (const [where, figures] of [
      ['', ours],
      [', API process', own],
    ] as const) {
      const units = { ours: median(figures.unit), baseline: median(naive.unit) };
      for (const kind of ['valid', 'wrong'] as const) {
        const n = `(n ${figures[kind].length} · ${naive[kind].length})`;
        for (const p of [50, 95]) {
          const [figure, baseline] = [percentile(figures[kind], p), percentile(naive[kind], p)];
          rows.push(
            row(`verify, ${sets.size} codes, ${kind} code${where}, p${p}${p === 50 ? ` ${n}` : ''}`, figure, baseline, inVerifies(figure, baseline, units)),
          );
        }
      }
      const unitIs = figures === own ? 'bare verify as the service runs' : 'bare verify';
      rows.push(row(`  its unit: ${unitIs}, median (n ${figures.unit.length} · ${naive.unit.length})`, units.ours, units.baseline, '1 · 1'));
      if (figures === own) {
        const benchUnit = median(own.benchUnit);
        rows.push(
          row(
            `  a bare verify in this process, after them (n ${own.benchUnit.length} · ${naive.unit.length})`,
            benchUnit,
            units.baseline,
            inVerifies(benchUnit, units.baseline, units),
          ),
        );
      }
    }
  }
  rows.push(row(`hash a set of 10, median (n ${hashing.ours.length} · ${hashing.baseline.length})`, median(hashing.ours), median(hashing.baseline), '—'));
  const overhead = percentile(bySize[0].ours.wrong, 50) - median(bySize[0].ours.unit);
  return [
    `Benchmark: codes (${new Date().toISOString()})`,
    machine,
    `argon2id ${params}, peppered (argon2 secret); PostgreSQL and Redis on this machine`,
    '',
    summaryTable('codes', ['measure', 'ours', 'baseline', 'baseline ÷ ours', 'in verifies (ours · baseline)'], rows),
    '',
    'ours      row 1: CodeHasher.verify. verify rows: POST /v1/accounts/:id/codes/verify over HTTP, sequential, role service',
    '          (the lookup part finds one row: one argon2 verify), to the API in this process (the client shares its thread:',
    '          the client’s own HTTP work and whatever the API does after answering fall inside each figure), and, rows',
    '          “API process”, to `node dist/src/main.js --role api` started by the bench, as the login application calls it',
    '          from a process of its own (same database and secrets; other codes of the same sets). hashing row:',
    '          CodeHasher.hashAll, Promise.all on libuv’s pool.',
    'baseline  row 1: argon2.verify called directly. verify rows: the naive design, argon2 verify over every unused code of the',
    '          same set (same stored hashes and options) until one matches, in-process: no HTTP, auth, consume or audit.',
    '          hashing row: the same 10 hashes, one await after another.',
    'n         samples (ours · baseline); in verifies: the figure divided by the median of the bare CodeHasher.verify calls',
    '          timed between its own samples (“its unit”: one after each valid/wrong pair of ours, one after each naive try),',
    '          so load that changes during the run hits a figure and its unit alike; row 1 by its own median. The API',
    '          process rows’ unit is timed in a process started as the service is (SERVICE_RUNTIME’s malloc settings and',
    '          Node flags, bench/runtime-verify.ts), where a hash costs what it costs the API process; the row after it',
    '          times this process’s verify after those rows, in that unit.',
    `          ours minus one verify (10 codes, wrong code, p50): ${ms(overhead)} of HTTP, auth, SQL and failure counting.`,
    `noise     ${describeLoad('at the end')}: other work on the machine skews every figure, the concurrent hashing most.`,
  ].join('\n');
}

export async function runCodesBench(): Promise<void> {
  const machine = describeMachine();
  log('starting the API in-process on a fresh rd_bench database…');
  const bench = await startBenchApp();
  try {
    const config = bench.app.get<ConfigService<Env, true>>(ConfigService);
    const pepper = Buffer.from(config.get('CODE_PEPPER', { infer: true }));
    const params = `m=${config.get('ARGON2_MEMORY_KIB', { infer: true })} KiB, t=${config.get('ARGON2_TIME_COST', { infer: true })}, p=${config.get('ARGON2_PARALLELISM', { infer: true })}`;
    const hasher = bench.app.get(CodeHasher);
    const token = await bench.tokenFor(['service'], ['enrol', 'verify']); // the login application's token, as issued

    log('enrolling accounts (sets of 10 over HTTP, sets of 50 through CodesService.issueSet)…');
    const prepared = [];
    for (const size of SET_SIZES) prepared.push(await prepareSets(bench, token, size));
    const inProcess: Post = (path, token, body) => bench.post(path, token, body);
    await warmUp(bench, inProcess, token);

    log('bare argon2id verify…');
    const bare = await measureBareVerify(hasher, pepper);
    const unitSecret = randomBytes(8).toString('hex');
    const unitHash = await hasher.hash(unitSecret);
    const bareVerify = () => timeMs(() => hasher.verify(unitHash, unitSecret));
    log('hashing a set of 10, one after another and concurrently…');
    const hashing = await measureHashing(hasher);
    const measured = [];
    for (const sets of prepared) {
      log(`naive scan over ${sets.size} hashes…`);
      const naive = await measureNaive(bench, pepper, sets, bareVerify);
      log(`the verify endpoint, set of ${sets.size}…`);
      measured.push({ sets, naive, ours: await measureEndpoint(bench, inProcess, token, sets, sets.validCodes, bareVerify) });
    }
    const bySize = [];
    log('the verify endpoint on an API process of its own…');
    const api = await startApiProcess('api');
    // The API process hashes under SERVICE_RUNTIME: its rows' unit is a bare verify under the same settings.
    const runtime = startRuntimeVerifier(unitHash, unitSecret, pepper);
    try {
      const ownProcess: Post = (path, token, body) => postTo(api.baseUrl, path, token, body);
      await warmUp(bench, ownProcess, token);
      for (const size of measured) {
        const own = await measureEndpoint(bench, ownProcess, token, size.sets, size.sets.validCodesOwnProcess, () => runtime.verify());
        bySize.push({ ...size, own: { ...own, benchUnit: await collect(RUNS.bareVerify, () => bareVerify()) } });
      }
    } finally {
      await Promise.all([stopService(api.service), runtime.close()]);
    }
    console.log(report(machine, params, bare, bySize, hashing));
  } finally {
    await bench.close();
  }
}
