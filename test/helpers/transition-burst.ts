import type { Client } from 'pg';
import type { BurstAccount, StaffMember } from './approval-burst';
import { call, HttpAnswer } from './fleet';

/**
 * A burst of ticket transitions over HTTP that keeps going through a fault:
 * agents claim the next ticket and release it, an opener opens tickets for
 * fresh accounts. Every answer is recorded. A request the service refused
 * with 503 is retried as a client would; a 409 on that retry means the
 * refused attempt had in fact committed (its COMMIT reached PostgreSQL, the
 * answer did not reach us), which is legitimate and counted.
 */

export interface Observed {
  at: number;
  loop: string;
  op: 'next' | 'release' | 'open';
  retry: boolean;
  status: number;
  retryAfter: string | null;
  /** X-Request-Id, to find what the service logged about this request. */
  requestId: string | null;
  body: unknown;
  text: string;
  /** The connection failed (no HTTP answer at all). */
  networkError?: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TransitionBurst {
  readonly observed: Observed[] = [];
  private stopping = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly bases: string[],
    private readonly agents: StaffMember[],
    private readonly opener: StaffMember,
    private readonly accountsToOpen: BurstAccount[],
  ) {}

  start(): void {
    this.loops = [...this.agents.map((agent, i) => this.agentLoop(`agent${i}`, agent, this.bases[i % this.bases.length])), this.openerLoop()];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  /** Successful answers (2xx) per loop after a moment. */
  successesSince(at: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const o of this.observed) if (o.at >= at && o.status >= 200 && o.status < 300) counts[o.loop] = (counts[o.loop] ?? 0) + 1;
    return counts;
  }

  private async send(
    loop: string,
    op: Observed['op'],
    retry: boolean,
    base: string,
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<Observed> {
    let answer: HttpAnswer | undefined;
    let networkError: string | undefined;
    try {
      answer = await call(base, method, path, token, body, 60_000);
    } catch (error) {
      networkError = (error as Error).message;
    }
    const seen: Observed = {
      at: Date.now(),
      loop,
      op,
      retry,
      status: answer?.status ?? 0,
      retryAfter: answer?.headers.get('retry-after') ?? null,
      requestId: answer?.headers.get('x-request-id') ?? null,
      body: answer?.body,
      text: answer?.text ?? '',
      networkError,
    };
    this.observed.push(seen);
    if (seen.status === 503 || seen.status === 0) await pause(100); // a client backs off a little (less than Retry-After, to see the outage)
    return seen;
  }

  private async agentLoop(loop: string, agent: StaffMember, base: string): Promise<void> {
    while (!this.stopping) {
      const next = await this.send(loop, 'next', false, base, 'POST', '/v1/tickets/next', agent.token);
      if (next.status === 204) await pause(20);
      if (next.status !== 200) continue;
      const id = (next.body as { id: string }).id;
      // Release until it is done: a retry answered 409 finds it already open (the 503'd attempt committed).
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const released = await this.send(loop, 'release', attempt > 0, base, 'POST', `/v1/tickets/${id}/release`, agent.token);
        if (released.status !== 503 && released.status !== 0) break; // 200, 409 (an earlier attempt committed), or a failure the test reports
      }
    }
  }

  private async openerLoop(): Promise<void> {
    for (const [i, account] of this.accountsToOpen.entries()) {
      if (this.stopping) return;
      const base = this.bases[i % this.bases.length];
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const opened = await this.send('opener', 'open', attempt > 0, base, 'POST', '/v1/tickets', this.opener.token, {
          accountId: account.id,
          channel: 'phone',
          reason: 'lost_device',
        });
        if (opened.status !== 503 && opened.status !== 0) break;
        if (this.stopping) return;
      }
      await pause(50);
    }
  }
}

export interface TicketStory {
  id: string;
  state: string;
  version: number;
  assignedTo: string | null;
  opened: number;
  /** The transition events' from → to, oldest first. */
  transitions: { action: string; from: string; to: string }[];
  openedNotices: number;
}

/** Each ticket with its audit trail and outbox rows, to check that no change was half-applied. */
export async function ticketStories(db: Client): Promise<TicketStory[]> {
  const { rows } = await db.query<TicketStory>(
    `SELECT t.id, t.state, t.version, t.assigned_to AS "assignedTo",
       (SELECT count(*)::int FROM audit_events a WHERE a.target_id = t.id::text AND a.action = 'ticket.opened') AS opened,
       coalesce((SELECT json_agg(json_build_object('action', a.action, 'from', a.payload ->> 'from', 'to', a.payload ->> 'to') ORDER BY a.seq)
          FROM audit_events a WHERE a.target_id = t.id::text AND a.target_type = 'ticket' AND a.payload ? 'to'), '[]') AS transitions,
       (SELECT count(*)::int FROM outbox o WHERE o.idempotency_key LIKE 'ticket.opened:' || t.id::text || '%') AS "openedNotices"
     FROM tickets t ORDER BY t.created_at`,
  );
  return rows;
}

/** What is wrong with a ticket's story (empty when its state agrees with its events). */
export function storyProblems(story: TicketStory): string[] {
  const problems: string[] = [];
  if (story.opened !== 1) problems.push(`${story.opened} ticket.opened events`);
  let state = 'open';
  for (const t of story.transitions) {
    if (t.from !== state) problems.push(`${t.action} from ${t.from}, but the trail had it ${state}`);
    state = t.to;
  }
  if (state !== story.state) problems.push(`the trail ends in ${state}, the row says ${story.state}`);
  if (story.version !== 1 + story.transitions.length) problems.push(`version ${story.version} after ${story.transitions.length} transitions`);
  if ((story.state === 'proofing') !== (story.assignedTo !== null)) problems.push(`${story.state} with assigned_to ${story.assignedTo}`);
  if (story.openedNotices !== 2) problems.push(`${story.openedNotices} ticket.opened notices (e-mail and SMS expected)`);
  return problems;
}

/** What the service logged as the error of each request id ("request failed" lines of the exception filter). */
export function loggedErrors(log: string): Map<string, string> {
  const errors = new Map<string, string>();
  for (const line of log.split('\n')) {
    if (!line.includes('"request failed"')) continue;
    // The HTTP filter logs what failed as `failure` ({ class, message }); `err` is pino's own key, kept for other loggers.
    const entry = JSON.parse(line) as { req?: { id?: string }; failure?: { class?: string; message?: string }; err?: { message?: string } };
    const failure = entry.failure ? `${entry.failure.class ?? 'Error'}: ${entry.failure.message ?? ''}` : (entry.err?.message ?? '');
    if (entry.req?.id) errors.set(entry.req.id, failure);
  }
  return errors;
}
