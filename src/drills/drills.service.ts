import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { Conflict, InvalidInput, NotFound } from '../common/errors';
import { decodeTimeCursor, Page, toPage } from '../common/pagination';
import { Policy } from '../config/policy';
import { SealingKeys } from '../notifications/sealing-keys';
import { Rendered } from '../notifications/templates';
import { Staff } from '../staff/staff.entity';
import { Ticket } from '../tickets/ticket.entity';
import { TicketsService } from '../tickets/tickets.service';
import { TERMINAL_STATES } from '../tickets/ticket.machine';
import { Drill } from './drill.entity';
import { parseScenario, Scenario } from './scenario';
import { scoreDrill } from './scoring';

/** A drill as the list shows it: with its target account and its ticket's state. */
export interface DrillListing {
  drill: Drill;
  account: Account | null;
  ticketState: string | null;
}

export interface DrillListFilter {
  campaign?: string;
  limit: number;
  cursor?: string;
}

export interface SinkMessage {
  channel: string;
  intendedFor: string;
  template: string;
  subject: string;
  body: string;
  links: string[];
  createdAt: string;
}

/**
 * Runs drills. A drill's ticket is opened through the same TicketsService as a
 * real one, under an intake identity real calls come in by, with the caller's
 * own words as notes, flagged only in a column no agent- or approver-facing
 * response carries. Safety does not rest here: the outbox diverts a drill ticket's
 * messages to its sink, and the regeneration path never issues codes for one.
 */
@Injectable()
export class DrillsService {
  private readonly logger = new Logger(DrillsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tickets: TicketsService,
    private readonly audit: AuditService,
    private readonly keys: SealingKeys,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  create(runner: Staff, input: unknown): Promise<Drill> {
    const scenario = parseScenario(input);
    return this.dataSource.transaction(async (em) => {
      const account = await this.target(em, scenario, runner);
      const now = this.clock.now();
      const scheduledFor = scenario.schedule ? this.pickMoment(scenario.schedule) : now;
      const drill = em.create(Drill, {
        campaign: scenario.campaign,
        name: scenario.name,
        scenario: scenario as unknown as Record<string, unknown>,
        runnerId: runner.id,
        accountId: account.id,
        status: 'scheduled',
        ticketId: null,
        scheduledFor,
        startedAt: null,
        outcome: null,
        endedReason: null,
        decidedStep: null,
        decidedBy: null,
        decidedAt: null,
        timeToDecisionMs: null,
        debriefedAt: null,
        createdAt: now,
      });
      await em.save(drill);
      await this.audit.record(em, {
        actor: { kind: 'staff', id: runner.id },
        action: 'drill.created',
        target: { type: 'drill', id: drill.id },
        // No target and (at start) no ticket: auditors read this trail, and a live drill ticket must not be known to
        // them. drill.resolved (once its ticket is closed) and drill.debriefed name both.
        payload: { campaign: drill.campaign, name: drill.name, scheduledFor: scheduledFor.toISOString() },
      });
      if (scheduledFor <= now) await this.start(em, drill, account);
      return drill;
    });
  }

  async get(id: string): Promise<{ drill: Drill; ticketState: string | null; sink: SinkMessage[] }> {
    await this.resolve(id);
    const drill = await this.dataSource.getRepository(Drill).findOneBy({ id });
    if (!drill) throw new NotFound('drill', id);
    const ticket = drill.ticketId ? await this.dataSource.getRepository(Ticket).findOneBy({ id: drill.ticketId }) : null;
    const rows = drill.ticketId
      ? ((await this.dataSource.query(
          `SELECT channel, intended_for, template, sealed_body, idempotency_key, created_at FROM drill_messages WHERE ticket_id = $1 ORDER BY created_at`,
          [drill.ticketId],
        )) as { channel: string; intended_for: string; template: string; sealed_body: Buffer; idempotency_key: string; created_at: Date }[])
      : [];
    const sink = rows.map((r) => {
      const content = JSON.parse(this.keys.outbox.open(r.sealed_body, r.idempotency_key)) as Rendered;
      return { channel: r.channel, intendedFor: r.intended_for, template: r.template, ...content, createdAt: r.created_at.toISOString() };
    });
    return { drill, ticketState: ticket?.state ?? null, sink };
  }

  /** Scores running drills (of one campaign, or all) whose ticket saw a decisive act; how many it scored. */
  async scoreRunning(campaign?: string): Promise<number> {
    const running = (await this.dataSource.query(`SELECT id FROM drills WHERE status = 'running' AND ($1::text IS NULL OR campaign = $1) LIMIT 500`, [
      campaign || null,
    ])) as { id: string }[];
    let resolved = 0;
    for (const { id } of running) if (await this.resolve(id)) resolved += 1;
    return resolved;
  }

  /** Drills newest first, a page at a time, optionally of one campaign. */
  async list(filter: DrillListFilter): Promise<Page<DrillListing>> {
    // A bad cursor is refused before scoring writes anything: a refused request writes nothing.
    const after = filter.cursor ? decodeTimeCursor(filter.cursor) : undefined;
    // What staff decided since the last sweep counts at once, as GET /:id does.
    await this.scoreRunning(filter.campaign);
    const page = await this.page(filter.limit, after, filter.campaign);
    const accountIds = [...new Set(page.items.map((d) => d.accountId))];
    const ticketIds = page.items.flatMap((d) => (d.ticketId ? [d.ticketId] : []));
    const accounts = new Map((accountIds.length ? await this.dataSource.getRepository(Account).findBy({ id: In(accountIds) }) : []).map((a) => [a.id, a]));
    const tickets = new Map((ticketIds.length ? await this.dataSource.getRepository(Ticket).findBy({ id: In(ticketIds) }) : []).map((t) => [t.id, t.state]));
    return {
      items: page.items.map((drill) => ({
        drill,
        account: accounts.get(drill.accountId) ?? null,
        ticketState: (drill.ticketId && tickets.get(drill.ticketId)) || null,
      })),
      nextCursor: page.nextCursor,
    };
  }

  private async page(limit: number, after?: [createdAt: string, id: string], campaign?: string): Promise<Page<Drill>> {
    const query = this.dataSource.getRepository(Drill).createQueryBuilder('d').orderBy('d.created_at', 'DESC').addOrderBy('d.id', 'DESC');
    if (campaign) query.andWhere('d.campaign = :campaign', { campaign });
    if (after) {
      const [createdAt, id] = after;
      query.andWhere('(d.created_at, d.id) < (:createdAt, :id)', { createdAt, id });
    }
    const rows = await query.take(limit + 1).getMany();
    return toPage(
      rows,
      limit,
      (d) => [d.createdAt.toISOString(), d.id],
      (d) => d,
    );
  }

  /** Scores a running drill from its ticket's audit trail, once something decisive happened. */
  async resolve(id: string): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const drill = await em.findOne(Drill, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!drill || drill.status !== 'running' || !drill.ticketId) return false;
      const ticket = await em.findOneByOrFail(Ticket, { id: drill.ticketId });
      const events = await em.find(AuditEvent, { where: { targetType: 'ticket', targetId: drill.ticketId }, order: { seq: 'ASC' } });
      const score = scoreDrill(events, ticket.state);
      if (!score) return false;
      Object.assign(drill, {
        status: 'resolved',
        outcome: score.outcome,
        endedReason: score.reason ?? null,
        decidedStep: score.step,
        decidedBy: score.by,
        decidedAt: score.at,
        timeToDecisionMs: score.at && drill.startedAt ? score.at.getTime() - drill.startedAt.getTime() : null,
      });
      await em.save(drill);
      await this.audit.record(em, {
        actor: SYSTEM,
        action: 'drill.resolved',
        target: { type: 'drill', id: drill.id },
        payload: {
          campaign: drill.campaign,
          outcome: score.outcome,
          step: score.step,
          by: score.by,
          reason: score.reason ?? null,
          timeToDecisionMs: drill.timeToDecisionMs,
          ...(TERMINAL_STATES.includes(ticket.state) && { ticketId: drill.ticketId, accountId: drill.accountId }),
        },
      });
      return true;
    });
  }

  /** For the sweep: start drills whose moment has come, score running ones, debrief resolved ones. */
  async sweep(): Promise<{ started: number; resolved: number; debriefed: number }> {
    const now = this.clock.now();
    let started = 0;
    for (const { id } of (await this.dataSource.query(`SELECT id FROM drills WHERE status = 'scheduled' AND scheduled_for <= $1 LIMIT 100`, [now])) as {
      id: string;
    }[]) {
      const ok = await this.dataSource
        .transaction(async (em) => {
          const drill = await em.findOne(Drill, { where: { id }, lock: { mode: 'pessimistic_write' } });
          if (drill?.status !== 'scheduled') return false;
          await this.start(em, drill, await em.findOneByOrFail(Account, { id: drill.accountId }));
          return true;
        })
        .catch((error: Error) => {
          this.logger.warn({ drillId: id, err: error.message }, 'scheduled drill could not start yet');
          return false;
        });
      if (ok) started += 1;
    }
    return { started, resolved: await this.scoreRunning(), debriefed: await this.debriefDue() };
  }

  /** Tells the staff involved, after the configured delay, that it was a drill and how it went. */
  async debriefDue(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.policy.drills.debriefDelayMinutes * 60_000);
    const due = (await this.dataSource.query(
      `SELECT id FROM drills WHERE status = 'resolved' AND debriefed_at IS NULL AND COALESCE(decided_at, started_at) <= $1 LIMIT 100`,
      [cutoff],
    )) as { id: string }[];
    for (const { id } of due) await this.dataSource.transaction((em) => this.debrief(em, id));
    return due.length;
  }

  private async debrief(em: EntityManager, id: string): Promise<void> {
    const drill = await em.findOne(Drill, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!drill || drill.debriefedAt || !drill.ticketId) return;
    const now = this.clock.now();
    const involved = (await em.query(
      `SELECT DISTINCT actor_id FROM audit_events WHERE target_type = 'ticket' AND target_id = $1 AND actor_kind = 'staff' AND actor_id <> $2 AND action <> 'ticket.opened'`,
      [drill.ticketId, drill.runnerId],
    )) as { actor_id: string }[];
    const verdict =
      drill.outcome === 'passed'
        ? `It was stopped at ${drill.decidedStep}: well done.`
        : drill.outcome === 'failed'
          ? `The impostor got through at ${drill.decidedStep}. In a real attack this would have handed over someone else's account: review the proofing policy for this step.`
          : 'It ended without a decision.';
    for (const { actor_id } of involved) {
      await em.query(`INSERT INTO staff_messages (staff_id, subject, body, ticket_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
        actor_id,
        'That recovery ticket was a social-engineering drill',
        `Ticket ${drill.ticketId} was a drill (${drill.name}). ${verdict}`,
        drill.ticketId,
        now,
      ]);
    }
    await em.update(Ticket, { id: drill.ticketId }, { debriefedAt: now });
    await em.update(Drill, { id }, { debriefedAt: now });
    await this.audit.record(em, {
      actor: SYSTEM,
      action: 'drill.debriefed',
      target: { type: 'drill', id },
      payload: { staffCount: involved.length, ticketId: drill.ticketId, accountId: drill.accountId },
    });
  }

  private async start(em: EntityManager, drill: Drill, target: Account): Promise<void> {
    const scenario = drill.scenario as unknown as Scenario;
    const account = await em.findOneOrFail(Account, { where: { id: target.id }, lock: { mode: 'pessimistic_write' } });
    // A drill never supersedes anything: it waits for a quiet account (a real request, though, supersedes a drill).
    if (await this.tickets.liveTicketId(em, account.id))
      throw new Conflict('the target account already has a recovery ticket in progress; pick another target or time');
    const claims = scenario.claims ?? {};
    const ticket = await this.tickets.openIn(
      em,
      account,
      {
        channel: scenario.channel,
        reason: scenario.reason,
        callback: { name: claims.callerName, phone: claims.callbackPhone, email: claims.callbackEmail },
        // What the caller says, as intake records it; the pretext is the drill runner's own description.
        notes: claims.notes,
      },
      { kind: 'staff', id: (await this.intakeIdentity(em, scenario.channel)).id },
      true,
    );
    const now = this.clock.now();
    await em.update(Drill, { id: drill.id }, { status: 'running', ticketId: ticket.id, startedAt: now });
    Object.assign(drill, { status: 'running', ticketId: ticket.id, startedAt: now });
    await this.audit.record(em, { actor: SYSTEM, action: 'drill.started', target: { type: 'drill', id: drill.id }, payload: {} });
  }

  /**
   * Who a drill ticket is opened by: the intake identity (phone system, chat, web form) that most recently opened a
   * ticket on the scenario's channel, so the `ticket.opened` actor is one real calls on that channel show; until one
   * has, any active intake identity. Never the drill runner.
   */
  private async intakeIdentity(em: EntityManager, channel: string): Promise<{ id: string }> {
    const [recent] = (await em.query(
      `SELECT s.id FROM tickets t JOIN staff s ON t.opened_by = 'staff:' || s.id::text
        WHERE t.channel = $1 AND s.active AND 'intake' = ANY(s.roles) ORDER BY t.created_at DESC LIMIT 1`,
      [channel],
    )) as { id: string }[];
    if (recent) return recent;
    const [any] = (await em.query(`SELECT id FROM staff WHERE active AND 'intake' = ANY(roles) ORDER BY random() LIMIT 1`)) as { id: string }[];
    if (!any)
      throw new Conflict(
        'a drill ticket enters through intake, and there is no active staff identity with the intake role (create the phone system’s, chat’s or web form’s)',
      );
    return any;
  }

  private async target(em: EntityManager, scenario: Scenario, runner: Staff): Promise<Account> {
    const { accountId, externalId, tier } = scenario.target;
    let account: Account | null;
    if (accountId) account = await em.findOneBy(Account, { id: accountId });
    else if (externalId) account = await em.findOneBy(Account, { externalId });
    else {
      const [pick] = (await em.query(
        `SELECT a.id FROM accounts a WHERE a.tier = $1 AND a.status = 'active' AND a.id IS DISTINCT FROM $2
         AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.account_id = a.id AND t.state IN ('open', 'proofing', 'awaiting_approval', 'approved', 'regenerating', 'failed'))
         ORDER BY random() LIMIT 1`,
        [tier, runner.accountId],
      )) as { id: string }[];
      account = pick ? await em.findOneBy(Account, { id: pick.id }) : null;
      if (!account) {
        const [{ busy }] = (await em.query(
          `SELECT count(*)::int AS busy FROM accounts a WHERE a.tier = $1 AND a.status = 'active' AND a.id IS DISTINCT FROM $2`,
          [tier, runner.accountId],
        )) as { busy: number }[];
        if (busy > 0)
          throw new Conflict(
            `every account matching this target has a recovery in progress (${busy} ${tier} account${busy === 1 ? '' : 's'}); try again later`,
            { matching: busy },
          );
        throw new InvalidInput('target', `names no active ${tier} account to drill against`);
      }
    }
    if (!account) throw new InvalidInput('target', 'names no active account to drill against');
    if (account.status !== 'active') throw new InvalidInput('target', 'names a deactivated account');
    return account;
  }

  private pickMoment(range: { notBefore: string; notAfter: string }): Date {
    const from = Date.parse(range.notBefore);
    const to = Date.parse(range.notAfter);
    return new Date(from + Math.floor(Math.random() * Math.max(1, to - from)));
  }
}
