import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inbox } from './inbox';

/** The request types of the mix, as the tables name them. */
export const REQUEST = {
  verifyValid: 'POST /v1/accounts/:id/codes/verify, valid',
  verifyWrong: 'POST /v1/accounts/:id/codes/verify, wrong',
  open: 'POST /v1/tickets (open)',
  next: 'POST /v1/tickets/next',
  otpStart: 'POST …/steps/registered_channel_otp/start',
  otp: 'POST …/steps/registered_channel_otp',
  facts: 'POST …/steps/directory_facts',
  attestStart: 'POST …/steps/manager_attestation/start',
  attest: 'POST /v1/links/attest',
  governmentId: 'POST …/steps/government_id',
  listAwaiting: 'GET /v1/tickets?state=awaiting_approval',
  listLive: 'GET /v1/tickets',
  approve: 'POST /v1/tickets/:id/approve',
} as const;
export type RequestType = (typeof REQUEST)[keyof typeof REQUEST];

/** Latencies and statuses per request type, while `on`. */
export class Recorder {
  on = false;
  readonly latency = new Map<RequestType, number[]>();
  /** Per status, and for a refusal its error code too: "200", "403 manager_chain". */
  readonly statuses = new Map<RequestType, Map<string, number>>();
  /** Milliseconds from a step's start request to its message in the inbox (the relay's delay, not a request). */
  readonly delivery: number[] = [];
  /** Things that went differently from the script (a state not reached, a message that never came). */
  readonly surprises = new Map<string, number>();

  record(type: RequestType, ms: number, status: number, code?: string): void {
    if (!this.on) return;
    (this.latency.get(type) ?? this.latency.set(type, []).get(type)!).push(ms);
    const byStatus = this.statuses.get(type) ?? this.statuses.set(type, new Map()).get(type)!;
    const key = code ? `${status} ${code}` : String(status);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }

  surprise(what: string): void {
    if (this.on) this.surprises.set(what, (this.surprises.get(what) ?? 0) + 1);
  }

  count(): number {
    return [...this.latency.values()].reduce((sum, samples) => sum + samples.length, 0);
  }

  reset(): void {
    this.latency.clear();
    this.statuses.clear();
    this.delivery.length = 0;
    this.surprises.clear();
  }
}

/** JSON over HTTP to the service, each call timed and recorded under its type. */
export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly recorder: Recorder,
  ) {}

  async call<T>(type: RequestType, method: 'GET' | 'POST', path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    const start = performance.now();
    const res = await this.untimed<T>(method, path, token, body);
    const code = res.status >= 400 ? (res.body as { code?: unknown } | undefined)?.code : undefined;
    this.recorder.record(type, performance.now() - start, res.status, typeof code === 'string' ? code : undefined);
    return res;
  }

  /** Set-up requests, never recorded. */
  async untimed<T>(method: 'GET' | 'POST', path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

/** An employee as the directory has them (the bench knows the unmasked channels, as their phone and inbox do). */
export interface Employee {
  id: string;
  displayName: string;
  tier: 'standard' | 'privileged';
  email: string;
  phone: string;
  employeeNumber: string;
  costCentre: string;
  managerEmail?: string;
}

/** What the virtual users share: tokens, the people, the codes still unused, the inbox. */
export interface Mix {
  api: Api;
  recorder: Recorder;
  inbox: Inbox;
  tokens: { service: string; agents: string[]; opener: string; approvers: { id: string; token: string }[] };
  /** Enrolled accounts' unused codes, in the order they are used (round-robin over accounts). */
  codes: { accountId: string; code: string }[];
  /** Accounts for tickets, each used for one ticket only (one live ticket per account). */
  forTickets: Employee[];
  byId: Map<string, Employee>;
  wrongShare: number;
  signal: AbortSignal;
}

type TicketView = { id: string; state: string; tier: string; account: { id: string }; approvals: { approverId: string }[] };

/** A code of the same set with one secret character changed: a real lookup part, a failing hash (a typo). */
const typo = (code: string) => code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');

/**
 * The login application signs one employee in. Now and then the employee
 * mistypes first (a wrong code of their own set), then types it right; the
 * success resets their failure count, so nobody gets locked out by the mix.
 */
export async function signIn(mix: Mix): Promise<boolean> {
  const next = mix.codes.shift();
  if (!next) return false;
  const verify = (code: string, type: RequestType) =>
    mix.api.call<{ valid: boolean }>(type, 'POST', `/v1/accounts/${next.accountId}/codes/verify`, mix.tokens.service, { code });
  if (Math.random() < mix.wrongShare) {
    const wrong = await verify(typo(next.code), REQUEST.verifyWrong);
    if (wrong.status === 200 && wrong.body.valid) mix.recorder.surprise('a wrong code was accepted');
  }
  const right = await verify(next.code, REQUEST.verifyValid);
  if (right.status === 200 && !right.body.valid) mix.recorder.surprise('a valid code was refused');
  return true;
}

/** An agent opens a ticket for the next employee who called; false when every ticket account has been used. */
export async function openTicket(mix: Mix): Promise<boolean> {
  const employee = mix.forTickets.shift();
  if (!employee) return false;
  const res = await mix.api.call(REQUEST.open, 'POST', '/v1/tickets', mix.tokens.opener, { accountId: employee.id, channel: 'phone', reason: 'lost_device' });
  if (res.status !== 201) mix.recorder.surprise(`open answered ${res.status}`);
  return true;
}

/** Step start, then the message it sent as its recipient reads it from the inbox. */
async function sendAndReceive(mix: Mix, type: RequestType, path: string, token: string, body: unknown, match: Parameters<Inbox['waitFor']>[0]) {
  const start = performance.now();
  const res = await mix.api.call<TicketView>(type, 'POST', path, token, body);
  if (res.status !== 200) return undefined;
  try {
    const message = await mix.inbox.waitFor(match, 20_000, mix.signal);
    if (mix.recorder.on) mix.recorder.delivery.push(performance.now() - start);
    return message;
  } catch (error) {
    if (!mix.signal.aborted) mix.recorder.surprise(`a message did not arrive: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * An agent takes the next ticket and proofs it as the policy asks. Standard:
 * the OTP to the registered phone, read back, then directory facts (which
 * approves it and starts the regeneration job). Privileged: the OTP, the
 * manager's attestation through their link, a government ID (→ awaiting_approval).
 * False when the queue was empty.
 */
export async function proofNext(mix: Mix, agent: number): Promise<boolean> {
  const token = mix.tokens.agents[agent];
  const next = await mix.api.call<TicketView>(REQUEST.next, 'POST', '/v1/tickets/next', token);
  if (next.status !== 200) return false;
  const ticket = next.body;
  const employee = mix.byId.get(ticket.account.id)!;
  const steps = `/v1/tickets/${ticket.id}/steps`;
  const expect = (res: { status: number; body: TicketView }, state: string, what: string) => {
    if (res.status === 200 && res.body.state !== state) mix.recorder.surprise(`${what} left the ticket ${res.body.state}, not ${state}`);
    return res.status === 200;
  };

  const otp = await sendAndReceive(
    mix,
    REQUEST.otpStart,
    `${steps}/registered_channel_otp/start`,
    token,
    { channel: 'sms' },
    (m) => m.template === 'proofing.otp' && m.to === employee.phone,
  );
  const code = otp && /code is (\d{6,8})/.exec(otp.body)?.[1];
  if (!code) return true;
  if (!expect(await mix.api.call(REQUEST.otp, 'POST', `${steps}/registered_channel_otp`, token, { code }), 'proofing', 'the OTP')) return true;

  if (ticket.tier === 'standard') {
    const facts = { employeeNumber: employee.employeeNumber, costCentre: employee.costCentre };
    expect(await mix.api.call(REQUEST.facts, 'POST', `${steps}/directory_facts`, token, facts), 'approved', 'directory facts');
    return true;
  }
  const link = await sendAndReceive(
    mix,
    REQUEST.attestStart,
    `${steps}/manager_attestation/start`,
    token,
    {},
    (m) => m.template === 'proofing.attestation' && m.to === employee.managerEmail && m.body.includes(`for ${employee.displayName},`),
  );
  const attestToken = link?.links[0]?.split('/a/')[1];
  if (!attestToken) return true;
  const attested = await mix.api.call(REQUEST.attest, 'POST', '/v1/links/attest', undefined, { token: attestToken, decision: 'confirm' });
  if (attested.status !== 200) return true;
  const evidence = { documentType: 'passport', last4: '4F7K', note: 'photo matches the caller; document valid until 2031' };
  expect(await mix.api.call(REQUEST.governmentId, 'POST', `${steps}/government_id`, token, evidence), 'awaiting_approval', 'the government ID');
  return true;
}

/**
 * An approver reads the queue waiting for them and approves each ticket in it, then looks at the whole queue. A
 * privileged ticket needs two approvals from two people: the one user holds two approvers' tokens and signs each
 * ticket with one that has not signed it yet.
 */
export async function approveWaiting(mix: Mix): Promise<number> {
  const [first] = mix.tokens.approvers;
  const waiting = await mix.api.call<{ items: TicketView[] }>(REQUEST.listAwaiting, 'GET', '/v1/tickets?state=awaiting_approval&limit=20', first.token);
  let approved = 0;
  for (const ticket of waiting.status === 200 ? waiting.body.items : []) {
    const signer = mix.tokens.approvers.find((a) => !ticket.approvals.some((s) => s.approverId === a.id));
    if (!signer) continue;
    const res = await mix.api.call<TicketView>(REQUEST.approve, 'POST', `/v1/tickets/${ticket.id}/approve`, signer.token, {
      reason: 'proofing evidence reviewed',
    });
    if (res.status === 200 && res.body.state === 'approved') approved += 1;
  }
  await mix.api.call(REQUEST.listLive, 'GET', '/v1/tickets', first.token);
  return approved;
}

/** Repeats `work` until the mix is stopped, pausing `pauseMs` after each round (or `idleMs` when it had nothing to do). */
export async function loop(mix: Mix, work: () => Promise<boolean | number>, pauseMs: number, idleMs = pauseMs): Promise<void> {
  while (!mix.signal.aborted) {
    const did = await work();
    const pause = did ? pauseMs : idleMs;
    if (pause > 0 && !mix.signal.aborted) await sleep(pause, undefined, { signal: mix.signal }).catch(() => undefined);
  }
}
