import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSignerKey } from '../src/audit/checkpoint-note';
import { Client } from 'pg';
import { BenchBackends } from './bench-app';
import { Api, Employee } from './load-users';

let AUDIT_KEY: string | undefined;
let WITNESS_DIR: string | undefined;

/**
 * The service's environment for the run, from scratch (PATH and HOME only
 * inherited), so nothing of the shell's POLICY_FILE, ROLE or LOG_FILE leaks in.
 */
export function serviceEnv(backends: BenchBackends, port: number, notifyFile: string, adminToken: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: backends.databaseUrl,
    REDIS_URL: backends.redisUrl,
    REDIS_PREFIX: backends.redisPrefix,
    CODE_PEPPER: randomBytes(24).toString('base64'), // 32 characters
    DELIVERY_KEY: randomBytes(32).toString('base64'),
    GRANT_SIGNING_KEY: randomBytes(32).toString('base64'),
    // One log for every process of the run: the same key and witness.
    AUDIT_CHECKPOINT_KEY: (AUDIT_KEY ??= generateSignerKey('bench.local/audit')),
    AUDIT_WITNESS_DIR: (WITNESS_DIR ??= mkdtempSync(join(tmpdir(), 'rd-witness-'))),
    BOOTSTRAP_ADMIN_TOKEN: adminToken,
    NOTIFY_ADAPTER: 'file',
    NOTIFY_FILE: notifyFile,
    // One login application verifies for every employee, and every manager's link comes from this one address.
    VERIFY_RATE_LIMIT: '100000',
    LINK_RATE_LIMIT: '100000',
    LOG_LEVEL: 'warn',
  };
}

/** A staff member created by the admin over HTTP (linked to an employee account of its own), and a token of theirs. */
export async function staffToken(api: Api, admin: string, name: string, roles: string[], scopes?: string[]): Promise<string> {
  return (await staffMember(api, admin, name, roles, scopes)).token;
}

/** The same, with the member's id. */
export async function staffMember(api: Api, admin: string, name: string, roles: string[], scopes?: string[]): Promise<{ id: string; token: string }> {
  const tag = randomBytes(3).toString('hex');
  const person = {
    externalId: `S${tag}`,
    displayName: name,
    tier: 'standard',
    email: `s${tag}@example.com`,
    phone: `+4477008${parseInt(tag, 16) % 100000}`.padEnd(13, '0'),
  };
  const account = await api.untimed<{ id: string }>('POST', '/v1/accounts', admin, person);
  if (account.status !== 201) throw new Error(`POST /v1/accounts answered ${account.status}: ${JSON.stringify(account.body)}`);
  const member = await api.untimed<{ id: string }>('POST', '/v1/staff', admin, { name, roles, accountId: account.body.id });
  if (member.status !== 201) throw new Error(`POST /v1/staff answered ${member.status}: ${JSON.stringify(member.body)}`);
  const issued = await api.untimed<{ token: string }>('POST', `/v1/staff/${member.body.id}/tokens`, admin, { expiresInDays: 1, ...(scopes && { scopes }) });
  if (issued.status !== 201) throw new Error(`POST /v1/staff/:id/tokens answered ${issued.status}: ${JSON.stringify(issued.body)}`);
  return { id: member.body.id, token: issued.body.token };
}

export interface People {
  managers: Employee[];
  /** Enrolled for sign-in; never get a ticket (a reissue would revoke the codes the login application is using). */
  signers: Employee[];
  /** One ticket each. */
  callers: Employee[];
}

function employee(prefix: string, n: number, tier: Employee['tier'], managerEmail?: string): Employee & { externalId: string } {
  const externalId = `L-${prefix}${String(n).padStart(4, '0')}`;
  const number = { M: 1, S: 3, C: 5 }[prefix]! * 10_000 + n;
  return {
    id: '',
    externalId,
    displayName: `Load ${prefix}${n} Employee`,
    tier,
    email: `${externalId.toLowerCase()}@example.com`,
    phone: `+4477009${String(number).padStart(5, '0')}`,
    employeeNumber: `E${number}`,
    costCentre: `CC-${n % 40}`,
    managerEmail,
  };
}

/** Managers, then everyone else, through the admin's directory import (one request each); ids read back from the database. */
export async function importPeople(
  api: Api,
  admin: string,
  client: Client,
  counts: { managers: number; signers: number; callers: number; privilegedEvery: number },
): Promise<People> {
  const managers = Array.from({ length: counts.managers }, (_, i) => employee('M', i + 1, 'standard'));
  const signers = Array.from({ length: counts.signers }, (_, i) => employee('S', i + 1, 'standard'));
  const callers = Array.from({ length: counts.callers }, (_, i) => {
    const privileged = (i + 1) % counts.privilegedEvery === 0;
    return employee('C', i + 1, privileged ? 'privileged' : 'standard', privileged ? managers[i % managers.length].email : undefined);
  });
  const managerOf = new Map(managers.map((m) => [m.email, m.externalId]));
  const row = (e: ReturnType<typeof employee>) => ({
    externalId: e.externalId,
    displayName: e.displayName,
    tier: e.tier,
    email: e.email,
    phone: e.phone,
    employeeNumber: e.employeeNumber,
    costCentre: e.costCentre,
    ...(e.managerEmail && { managerExternalId: managerOf.get(e.managerEmail) }),
  });
  for (const batch of [managers, [...signers, ...callers]]) {
    const res = await api.untimed<{ created: number; rejected: unknown[] }>('POST', '/v1/accounts/import', admin, {
      format: 'json',
      content: JSON.stringify(batch.map(row)),
    });
    if (res.status >= 300 || res.body.created !== batch.length) throw new Error(`the import answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  const { rows } = await client.query(`SELECT id, external_id FROM accounts WHERE external_id LIKE 'L-%'`);
  const ids = new Map(rows.map((r: { id: string; external_id: string }) => [r.external_id, r.id]));
  for (const e of [...managers, ...signers, ...callers]) e.id = ids.get(e.externalId)!;
  return { managers, signers, callers };
}

/** Each signer's first set, enrolled by the login application over HTTP (the service hashes them), `width` at a time. */
export async function enrol(api: Api, service: string, signers: Employee[], width: number): Promise<Map<string, string[]>> {
  const codes = new Map<string, string[]>();
  let next = 0;
  const worker = async () => {
    while (next < signers.length) {
      const { id } = signers[next++];
      const res = await api.untimed<{ codes: string[] }>('POST', `/v1/accounts/${id}/code-sets`, service);
      if (res.status !== 201) throw new Error(`enrolment answered ${res.status}: ${JSON.stringify(res.body)}`);
      codes.set(id, res.body.codes);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return codes;
}

/** Every enrolled code, code 1 of every account first, then code 2 …: consecutive sign-ins are different employees. */
export function roundRobin(codes: Map<string, string[]>): { accountId: string; code: string }[] {
  const order: { accountId: string; code: string }[] = [];
  const longest = Math.max(...[...codes.values()].map((c) => c.length));
  for (let i = 0; i < longest; i += 1) {
    for (const [accountId, set] of codes) if (set[i]) order.push({ accountId, code: set[i] });
  }
  return order;
}
