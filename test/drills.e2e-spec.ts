import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Account } from '../src/accounts/account.entity';
import { DrillsService } from '../src/drills/drills.service';
import { OutboxService } from '../src/notifications/outbox.service';
import { createTestApp, TestApp } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * Drills, with staff actions scripted as the agents and approvers would act.
 * Test policy: privileged = OTP + directory facts + 1 approver, so a drill can
 * reach an approver; critical keeps the manager attestation.
 */
let t: TestApp;
let desk: Desk;
let runner: Auth;
let runnerId: string;
let agent: Auth;
let approver: Auth;
let service: Auth;
let auditor: Auth;
let intake: Auth;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-drill-policy-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      tiers: { privileged: { steps: ['registered_channel_otp', 'directory_facts'], approvers: 1, coolingOffMinutes: 0 } },
      drills: { debriefDelayMinutes: 30 },
    }),
  );
  t = await createTestApp(__filename, { POLICY_FILE: policyFile, LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  const r = await t.createStaff(['drill_runner']);
  runner = bearer(r.token);
  runnerId = r.staff.id;
  agent = bearer((await t.createStaff(['agent'], { name: 'Agent Smith' })).token);
  approver = bearer((await t.createStaff(['approver'], { name: 'Approver Ada' })).token);
  service = bearer((await t.createStaff(['service'])).token);
  auditor = bearer((await t.createStaff(['auditor'])).token);
  intake = bearer((await t.createStaff(['intake'], { name: 'Phone system' })).token);
});
afterAll(() => t?.close());

const drain = () => t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`);

async function subjectWithCodes(overrides: Partial<Account> = {}) {
  const account = await t.createAccount({ employeeNumber: `EMP${Math.floor(Math.random() * 1e6)}`, ...overrides });
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return { account, codes: res.body.codes as string[] };
}

function scenario(name: string, account: Account, extra: Record<string, unknown> = {}) {
  return { name, campaign: 'q4-desk', target: { accountId: account.id }, channel: 'phone', reason: 'new_phone', pretext: `${name}: please hurry`, ...extra };
}

async function runDrill(body: Record<string, unknown>) {
  const res = await t.http().post('/v1/drills').set(runner).send(body);
  if (res.status !== 201) throw new Error(`drill → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; ticketId: string; status: string };
}

const drillView = async (id: string) => (await t.http().get(`/v1/drills/${id}`).set(runner).expect(200)).body;

/** What the impostor's phone would get in a SIM swap: the OTP from the drill's sink. */
async function intercepted(drillId: string): Promise<string> {
  const view = await eventually(async () => {
    const v = await drillView(drillId);
    return v.sink.some((m: { template: string }) => m.template === 'proofing.otp') ? v : undefined;
  }, 'the OTP in the sink');
  const otp = /code is (\d{6,8})/.exec(view.sink.find((m: { template: string }) => m.template === 'proofing.otp').body)![1];
  t.secrets.add(otp);
  return otp;
}

async function subjectMessages(account: Account) {
  await new Promise((resolve) => setTimeout(resolve, 300)); // give the relay its chance
  return t.inbox().filter((m) => [account.email, account.phone].includes(m.to));
}

describe('a campaign of six scenarios, scored as designed', () => {
  beforeEach(drain);

  it('wrong OTP read-back: three wrong codes deny it → passed at registered_channel_otp', async () => {
    const { account } = await subjectWithCodes();
    const drill = await runDrill(scenario('wrong OTP', account, { answers: { registered_channel_otp: { says: '482913' } } }));
    await desk.claim(agent);
    await t.http().post(`/v1/tickets/${drill.ticketId}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'sms' }).expect(200);
    for (let i = 0; i < 3; i += 1) await desk.submit(agent, drill.ticketId, 'registered_channel_otp', { code: '482913' }).expect(200);
    expect(await drillView(drill.id)).toMatchObject({ status: 'resolved', outcome: 'passed', decidedStep: 'registered_channel_otp' });
    expect(await subjectMessages(account)).toEqual([
      expect.objectContaining({ template: 'codes.issued' }),
      expect.objectContaining({ template: 'codes.issued' }),
    ]);
    // The failed system-verified step alerts security: into the drill's sink, not the real security contact's inbox.
    await eventually(
      async () =>
        (await drillView(drill.id)).sink.some(
          (m: { template: string; intendedFor: string }) => m.template === 'security.possible_social_engineering' && m.intendedFor === 'security',
        ),
      'the alert in the sink',
    );
    expect(t.inbox().filter((m) => m.body.includes(drill.ticketId))).toEqual([]);
  });

  it('caller-supplied callback number: the agent flags it → passed at flag', async () => {
    const { account } = await subjectWithCodes();
    const drill = await runDrill(scenario('callback number', account, { claims: { callbackPhone: '+447700900999' } }));
    const claimed = await desk.claim(agent);
    expect(claimed.callback).toEqual({ phone: '+447700900999' });
    await t.http().post(`/v1/tickets/${drill.ticketId}/flag`).set(agent).send({ reason: 'insisted on a new number' }).expect(200);
    expect(await drillView(drill.id)).toMatchObject({ outcome: 'passed', decidedStep: 'flag' });
  });

  it('manager unavailable: the manager step cannot pass; the agent denies → passed at deny', async () => {
    const manager = await t.createAccount();
    const { account } = await subjectWithCodes({ tier: 'critical', managerId: manager.id });
    const drill = await runDrill(scenario('manager unavailable', account, { answers: { manager_attestation: { manager: 'unavailable' } } }));
    await desk.claim(agent);
    await t.http().post(`/v1/tickets/${drill.ticketId}/steps/manager_attestation/start`).set(agent).send({}).expect(200);
    // the link went to the drill's sink, not the real manager
    expect((await drillView(drill.id)).sink).toEqual(
      expect.arrayContaining([expect.objectContaining({ template: 'proofing.attestation', intendedFor: 'manager' })]),
    );
    expect(t.inbox().some((m) => m.to === manager.email)).toBe(false);
    await t.http().post(`/v1/tickets/${drill.ticketId}/deny`).set(agent).send({ reason: 'manager could not confirm' }).expect(200);
    expect(await drillView(drill.id)).toMatchObject({ outcome: 'passed', decidedStep: 'deny' });
  });

  it('executive urgency: the agent attests an ID under pressure → failed at government_id', async () => {
    const manager = await t.createAccount();
    const { account } = await subjectWithCodes({ tier: 'critical', managerId: manager.id });
    const drill = await runDrill(scenario('executive urgency', account, { channel: 'chat', claims: { executiveName: 'the CFO', urgency: 'extreme' } }));
    await desk.claim(agent);
    await desk
      .submit(agent, drill.ticketId, 'government_id', { documentType: 'passport', last4: '7Q2M', note: 'caller read it out, camera broken' })
      .expect(200);
    expect(await drillView(drill.id)).toMatchObject({ outcome: 'failed', decidedStep: 'government_id', decidedBy: expect.stringMatching(/^staff:/) });
  });

  it('SIM swap and approver pressure: approved all the way, yet nothing happens to the subject → failed at approval', async () => {
    const { account, codes } = await subjectWithCodes({ tier: 'privileged' });
    const before = await t.db.query(`SELECT id FROM code_sets WHERE account_id = $1 AND revoked_at IS NULL`, [account.id]);
    const inboxBefore = (await subjectMessages(account)).length;
    const drill = await runDrill(scenario('sim swap', account, { answers: { registered_channel_otp: { says: 'intercepted' } } }));
    await desk.claim(agent);
    await t.http().post(`/v1/tickets/${drill.ticketId}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'sms' }).expect(200);
    await desk.submit(agent, drill.ticketId, 'registered_channel_otp', { code: await intercepted(drill.id) }).expect(200);
    await desk.passDirectory(agent, drill.ticketId, account);
    expect(await desk.state(drill.ticketId)).toBe('awaiting_approval');
    await desk.approve(approver, drill.ticketId, 'COO is waiting').expect(200);
    await desk.waitFor(drill.ticketId, 'completed');

    expect(await drillView(drill.id)).toMatchObject({ outcome: 'failed', decidedStep: 'approval' });
    const after = await t.db.query(`SELECT id FROM code_sets WHERE account_id = $1 AND revoked_at IS NULL`, [account.id]);
    expect(after.rows).toEqual(before.rows); // the same set, still active
    const envelopes = await t.db.query(`SELECT count(*)::int AS n FROM delivery_envelopes WHERE account_id = $1`, [account.id]);
    expect(envelopes.rows[0].n).toBe(0);
    expect((await t.http().post(`/v1/accounts/${account.id}/codes/verify`).set(service).send({ code: codes[0] }).expect(200)).body.valid).toBe(true);
    expect((await subjectMessages(account)).length).toBe(inboxBefore + 1); // only the codes.used notice of the line above
    const outbox = await t.db.query(`SELECT template FROM outbox WHERE recipient IN ($1, $2) AND template <> 'codes.used'`, [account.email, account.phone]);
    expect(outbox.rows.map((r: { template: string }) => r.template).sort()).toEqual(['codes.issued', 'codes.issued']);
  });

  it('knows the directory facts but fails the OTP → passed at registered_channel_otp', async () => {
    const { account } = await subjectWithCodes();
    const drill = await runDrill(scenario('directory then OTP', account, { channel: 'chat', answers: { registered_channel_otp: { says: '246810' } } }));
    await desk.claim(agent);
    await desk.passDirectory(agent, drill.ticketId, account);
    await t.http().post(`/v1/tickets/${drill.ticketId}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'email' }).expect(200);
    for (let i = 0; i < 3; i += 1) await desk.submit(agent, drill.ticketId, 'registered_channel_otp', { code: '246810' }).expect(200);
    expect(await drillView(drill.id)).toMatchObject({ outcome: 'passed', decidedStep: 'registered_channel_otp' });
  });

  it('reports per campaign, agent and approver, as JSON, CSV and a CLI table', async () => {
    const json = await t.http().get('/v1/drills/report?campaign=q4-desk').set(auditor).expect(200);
    const campaign = json.body.campaigns.find((c: { campaign: string }) => c.campaign === 'q4-desk');
    expect(campaign).toMatchObject({ drills: 6, passed: 4, failed: 2, inconclusive: 0, undecided: 0 });
    expect(campaign.byStep).toEqual({
      registered_channel_otp: { passed: 2, failed: 0 },
      flag: { passed: 1, failed: 0 },
      deny: { passed: 1, failed: 0 },
      government_id: { passed: 0, failed: 1 },
      approval: { passed: 0, failed: 1 },
    });
    expect(json.body.agents).toEqual([expect.objectContaining({ name: 'Agent Smith', drills: 6, passed: 4, failed: 2 })]);
    expect(json.body.approvers).toEqual([expect.objectContaining({ name: 'Approver Ada', approved: 1, denied: 0 })]);
    const csv = await t
      .http()
      .get('/v1/drills/report?campaign=q4-desk&format=csv')
      .set(runner)
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    expect(csv.text.split('\n')[1]).toBe(`campaign,q4-desk,q4-desk,6,4,2,0,0,${campaign.medianTimeToDecisionMs},,`);

    const table = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['dist/src/cli.js', 'drill:report', '--campaign', 'q4-desk'],
        { cwd: join(__dirname, '..'), env: { ...process.env, ...t.env } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect(table).toMatch(/q4-desk\s+6\s+4\s+2\s+0\s+0/);
    expect(table).toMatch(/Agent Smith\s+6\s+4\s+2/);
  });
});

describe('indistinguishable to staff', () => {
  beforeEach(drain);

  /** The shape of a value: keys, and for leaves their format, never the value itself. */
  function shape(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(shape);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, shape(v)]),
      );
    if (typeof value === 'string') {
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) return 'uuid';
      if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return 'date-time';
      return `string`;
    }
    return value === null ? 'null' : typeof value;
  }

  it('a drill ticket and a real ticket in the same state look the same to agents and approvers, field by field and event by event', async () => {
    const real = await subjectWithCodes();
    const fake = await subjectWithCodes();
    const realTicket = (
      await t
        .http()
        .post('/v1/intake/tickets')
        .set(intake)
        .send({ accountId: real.account.id, channel: 'phone', reason: 'new_phone', callback: { phone: '+447700900111' }, notes: 'I need my codes' })
        .expect(201)
    ).body;
    const realClaim = await desk.claim(agent);
    expect(realClaim.id).toBe(realTicket.id);
    const drill = await runDrill(scenario('lookalike', fake.account, { claims: { callbackPhone: '+447700900222', notes: 'I lost my phone' } }));
    const drillClaim = await desk.claim(agent);
    expect(drillClaim.id).toBe(drill.ticketId);
    for (const [ticketId, account] of [
      [realTicket.id, real.account],
      [drill.ticketId, fake.account],
    ] as const) {
      await t.http().post(`/v1/tickets/${ticketId}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'sms' }).expect(200);
      await desk.passDirectory(agent, ticketId, account);
    }
    for (const who of [agent, approver]) {
      const a = (await t.http().get(`/v1/tickets/${realTicket.id}`).set(who).expect(200)).body;
      const b = (await t.http().get(`/v1/tickets/${drill.ticketId}`).set(who).expect(200)).body;
      expect(shape(b)).toEqual(shape(a));
      expect(a.state).toBe(b.state);
      expect(b).not.toHaveProperty('drill');
      const ea = (await t.http().get(`/v1/tickets/${realTicket.id}/events`).set(who).expect(200)).body;
      const eb = (await t.http().get(`/v1/tickets/${drill.ticketId}/events`).set(who).expect(200)).body;
      // the same actors too: both opened by the phone system, both worked by the same agent
      expect(eb.map((e: { action: string; actorKind: string; actorId: string | null }) => [e.action, e.actorKind, e.actorId])).toEqual(
        ea.map((e: { action: string; actorKind: string; actorId: string | null }) => [e.action, e.actorKind, e.actorId]),
      );
      expect(shape(eb)).toEqual(shape(ea));
      const list = (await t.http().get('/v1/tickets?state=proofing').set(who).expect(200)).body.items;
      expect(shape(list.find((i: { id: string }) => i.id === drill.ticketId))).toEqual(shape(list.find((i: { id: string }) => i.id === realTicket.id)));
    }
    expect(JSON.stringify((await t.http().get(`/v1/tickets/${drill.ticketId}`).set(agent)).body)).not.toMatch(/drill/i);
  });

  it('after the debrief delay, the staff involved are told, and the ticket is marked in their views', async () => {
    const { account } = await subjectWithCodes();
    const drill = await runDrill(scenario('debrief me', account));
    await desk.claim(agent);
    await t.http().post(`/v1/tickets/${drill.ticketId}/flag`).set(agent).send({ reason: 'sounded scripted' }).expect(200);
    const drills = t.app.get(DrillsService);
    expect((await drills.sweep()).debriefed).toBe(0); // not yet: the delay is 30 min
    t.clock.advance(31 * 60_000);
    try {
      expect((await drills.sweep()).debriefed).toBeGreaterThanOrEqual(1);
    } finally {
      t.clock.reset();
    }
    const messages = (await t.http().get('/v1/me/messages').set(agent).expect(200)).body;
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ticketId: drill.ticketId,
          subject: 'That recovery ticket was a social-engineering drill',
          body: expect.stringMatching(/stopped at flag/),
        }),
      ]),
    );
    const view = (await t.http().get(`/v1/tickets/${drill.ticketId}`).set(agent).expect(200)).body;
    expect(view.drill).toEqual({ debriefedAt: expect.any(String) });
  });
});

describe('a real request always wins', () => {
  beforeEach(drain);

  for (const [label, open] of [
    [
      'an agent taking the call',
      (account: Account) => t.http().post('/v1/tickets').set(agent).send({ accountId: account.id, channel: 'phone', reason: 'lost_device' }),
    ],
    [
      'the phone system',
      (account: Account) => t.http().post('/v1/intake/tickets').set(intake).send({ accountId: account.id, channel: 'phone', reason: 'lost_device' }),
    ],
  ] as const) {
    it(`a real ticket opened by ${label} while a drill runs on the account: created; the drill ticket superseded; the drill inconclusive; no drill wording for staff`, async () => {
      const { account } = await subjectWithCodes({ tier: 'privileged' });
      const drill = await runDrill(scenario('pre-empted', account, { claims: { notes: 'I lost my phone on the train.' } }));
      await desk.claim(agent); // an agent is already working the drill ticket
      const real = await open(account);
      expect(real.status).toBe(201);
      expect(real.body).toMatchObject({ state: 'open', account: { id: account.id } });
      expect(await desk.state(drill.ticketId)).toBe('superseded');

      // Withdrawn exactly as any superseded ticket: the same event, by the system, naming the newer ticket.
      const events = (await t.http().get(`/v1/tickets/${drill.ticketId}/events`).set(agent).expect(200)).body;
      expect(events.at(-1)).toEqual({
        seq: expect.any(Number),
        occurredAt: expect.any(String),
        action: 'ticket.supersede',
        actorKind: 'system',
        actorId: null,
        payload: { from: 'proofing', to: 'superseded', accountId: account.id, supersededBy: real.body.id },
      });
      const live = (await t.http().get('/v1/tickets').set(agent).expect(200)).body.items.map((i: { id: string }) => i.id);
      expect(live).toContain(real.body.id);
      expect(live).not.toContain(drill.ticketId);
      const superseded = (await t.http().get('/v1/tickets?state=superseded').set(approver).expect(200)).body.items.map((i: { id: string }) => i.id);
      expect(superseded).toContain(drill.ticketId);

      expect(await drillView(drill.id)).toMatchObject({
        status: 'resolved',
        outcome: 'inconclusive',
        endedReason: 'pre-empted by a real request',
        decidedStep: null,
      });
      // Nothing an agent or approver can read mentions a drill.
      for (const who of [agent, approver]) {
        for (const path of [
          `/v1/tickets/${drill.ticketId}`,
          `/v1/tickets/${drill.ticketId}/events`,
          `/v1/tickets/${real.body.id}`,
          `/v1/tickets/${real.body.id}/events`,
          '/v1/tickets?state=superseded',
          '/v1/tickets',
          '/v1/tickets/counts',
        ]) {
          expect(JSON.stringify((await t.http().get(path).set(who).expect(200)).body)).not.toMatch(/drill|pre-empted|pretext/i);
        }
      }
    });
  }

  it('an exposure report while a drill runs opens a real ticket rather than joining the drill’s', async () => {
    const { account } = await subjectWithCodes();
    const drill = await runDrill(scenario('exposed meanwhile', account));
    const res = await t.http().post(`/v1/accounts/${account.id}/code-sets/current/exposure`).set(service).send({ reason: 'pasted into a chat' }).expect(200);
    expect(res.body.ticketId).not.toBe(drill.ticketId);
    expect(JSON.stringify(res.body)).not.toContain(drill.ticketId); // the reporter is never handed the drill
    expect(JSON.stringify(res.body)).not.toContain(drill.id);
    expect(JSON.stringify(res.body)).not.toMatch(/drill/i);
    const real = (await t.db.query('SELECT is_drill, state FROM tickets WHERE id = $1', [res.body.ticketId])).rows[0];
    expect(real).toEqual({ is_drill: false, state: 'open' });
    const { rows } = await t.db.query('SELECT ticket_id FROM reissue_requests WHERE account_id = $1', [account.id]);
    expect(rows.map((r) => r.ticket_id)).toEqual([res.body.ticketId]);
    expect(await desk.state(drill.ticketId)).toBe('superseded');
    expect(await drillView(drill.id)).toMatchObject({ outcome: 'inconclusive', endedReason: 'pre-empted by a real request' });
  });

  it('a drill never supersedes anything: it is refused on an account with a live ticket, without naming it', async () => {
    const { account } = await subjectWithCodes();
    const realTicket = await desk.open(agent, account);
    const res = await t.http().post('/v1/drills').set(runner).send(scenario('too late', account)).expect(409);
    expect(res.body.message).toBe('the target account already has a recovery ticket in progress; pick another target or time');
    expect(await desk.state(realTicket.id)).toBe('open');
  });
});

describe('clear answers for drill runners', () => {
  beforeEach(drain);

  it('says every matching account has a recovery in progress, with the count, rather than "no active account"', async () => {
    const busy = [await t.createAccount({ tier: 'critical' }), await t.createAccount({ tier: 'critical' })];
    await t.db.query(`UPDATE accounts SET status = 'deactivated' WHERE tier = 'critical' AND id <> ALL($1)`, [busy.map((a) => a.id)]);
    for (const account of busy) await desk.open(agent, account);
    const res = await t
      .http()
      .post('/v1/drills')
      .set(runner)
      .send({ ...scenario('no room', busy[0]), target: { tier: 'critical' } })
      .expect(409);
    expect(res.body.message).toBe('every account matching this target has a recovery in progress (2 critical accounts); try again later');
    expect(res.body.details).toEqual({ matching: 2 });
    await t.db.query(`UPDATE accounts SET status = 'deactivated' WHERE tier = 'critical'`);
    const none = await t
      .http()
      .post('/v1/drills')
      .set(runner)
      .send({ ...scenario('no room', busy[0]), target: { tier: 'critical' } })
      .expect(400);
    expect(none.body.details.fields).toEqual([expect.objectContaining({ field: 'target', errors: ['names no active critical account to drill against'] })]);
  });

  it('drill:run drills/*.json as docs/drills.md shows it: skips the schema, one line per file, every shipped scenario starts', async () => {
    for (const tier of ['standard', 'privileged'] as const) for (let i = 0; i < 4; i += 1) await t.createAccount({ tier });
    const output = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        'sh',
        ['-c', `node dist/src/cli.js drill:run drills/*.json --runner ${runnerId}`],
        { cwd: join(__dirname, '..'), env: { ...process.env, ...t.env } },
        (error, stdout) => resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout }),
      ),
    );
    expect(output.stdout).toMatch(/^drills\/scenario\.schema\.json: skipped: a JSON Schema, not a scenario$/m);
    for (const file of readdirSync(join(__dirname, '..', 'drills')).filter((f) => !f.endsWith('.schema.json'))) {
      expect(output.stdout).toMatch(new RegExp(`^drills/${file.replace('.', '\\.')}: drill [0-9a-f-]{36} running, ticket [0-9a-f-]{36}$`, 'm'));
    }
    expect(output.stdout).toMatch(/^7 file\(s\): 6 started or scheduled, 1 skipped, 0 refused$/m);
    expect(output.code).toBe(0);
  });
});

describe('who may do what', () => {
  beforeEach(drain);

  it('a drill runner cannot work or sign a drill ticket, even holding those roles (a member made before the staff rules)', async () => {
    const { account } = await subjectWithCodes({ tier: 'privileged' });
    const member = await t.createStaff(['agent']);
    await t.db.query(`UPDATE staff SET roles = '{drill_runner,agent,approver}' WHERE id = $1`, [member.staff.id]);
    const both = bearer(member.token);
    const drill = await runDrill(scenario('no self-play', account));
    const claim = await t.http().post('/v1/tickets/next').set(both).expect(403);
    expect(claim.body).toMatchObject({ code: 'staff_rule_broken', details: { rule: 'drill-readers-do-not-work-tickets' } });
    await desk.claim(agent);
    await t.http().post(`/v1/tickets/${drill.ticketId}/flag`).set(both).send({ reason: 'x x x' }).expect(403);
    await t.db.query(`UPDATE tickets SET state = 'awaiting_approval' WHERE id = $1`, [drill.ticketId]);
    const res = await desk.approve(both, drill.ticketId).expect(403);
    expect(res.body.details).toEqual({ rule: 'drill-readers-do-not-work-tickets' });
  });

  it('refuses making a drill runner or an auditor who also works or signs tickets', async () => {
    const accountId = (await t.createAccount()).id;
    for (const roles of [
      ['drill_runner', 'agent'],
      ['auditor', 'approver'],
    ]) {
      const res = await t.http().post('/v1/staff').set(bearer(t.adminToken)).send({ name: 'two hats', roles, accountId }).expect(403);
      expect(res.body).toMatchObject({ code: 'staff_rule_broken', details: { rule: 'drill-readers-do-not-work-tickets' } });
    }
  });

  it('an agent or approver cannot read drill results; a drill is refused for a bad scenario with the field named', async () => {
    const { account } = await subjectWithCodes();
    const drill = await runDrill(scenario('secret', account));
    for (const who of [agent, approver]) {
      await t.http().get(`/v1/drills/${drill.id}`).set(who).expect(403);
      await t.http().get('/v1/drills').set(who).expect(403);
      await t.http().get('/v1/drills/report').set(who).expect(403);
    }
    await t.http().post('/v1/drills').set(agent).send(scenario('x', account)).expect(403);
    const bad = await t
      .http()
      .post('/v1/drills')
      .set(runner)
      .send({ ...scenario('x', account), channel: 'fax' })
      .expect(400);
    expect(bad.body.details.fields).toEqual([expect.objectContaining({ field: 'channel' })]);
  });

  it('names each refused scenario field by its path and JSON Pointer, and writes nothing', async () => {
    const { account } = await subjectWithCodes();
    const before = await t.snapshot();
    const res = await t
      .http()
      .post('/v1/drills')
      .set(runner)
      .send({ ...scenario('x', account), claims: { newPhone: 'yes' }, answers: { registered_channel_otp: {} }, sneaky: 1 })
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'validation_failed',
      message: expect.any(String),
      details: { fields: expect.any(Array) },
    });
    expect(res.body.details.fields).toEqual(
      expect.arrayContaining([
        { field: 'claims.newPhone', pointer: '/claims/newPhone', errors: ['must be boolean'] },
        { field: 'answers.registered_channel_otp.says', pointer: '/answers/registered_channel_otp/says', errors: ['is required'] },
        { field: 'sneaky', pointer: '/sneaky', errors: ['is not an accepted field'] },
      ]),
    );
    expect(res.body.details.fields).toHaveLength(3);
    expect(await t.snapshot()).toEqual(before);
  });

  it('runs scenario files from the CLI, scheduled ones later', async () => {
    const a = await t.createAccount();
    const dir = mkdtempSync(join(tmpdir(), 'rd-drills-'));
    writeFileSync(join(dir, 'now.json'), JSON.stringify(scenario('cli now', a)));
    writeFileSync(
      join(dir, 'later.json'),
      JSON.stringify({ ...scenario('cli later', await t.createAccount()), schedule: { notBefore: '2030-01-01T00:00:00Z', notAfter: '2030-01-02T00:00:00Z' } }),
    );
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ name: 'broken' }));
    const output = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        ['dist/src/cli.js', 'drill:run', join(dir, 'now.json'), join(dir, 'later.json'), join(dir, 'broken.json'), '--runner', runnerId],
        { cwd: join(__dirname, '..'), env: { ...process.env, ...t.env } },
        (error, stdout) => resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout }),
      ),
    );
    expect(output.code).toBe(2);
    expect(output.stdout).toMatch(/now\.json: drill [0-9a-f-]{36} running, ticket [0-9a-f-]{36}/);
    expect(output.stdout).toMatch(/later\.json: drill [0-9a-f-]{36} scheduled, starts 2030-01-0/);
    expect(output.stdout).toMatch(/broken\.json: refused: .*campaign is required/);
  });
});

describe('what an auditor sees of a drill', () => {
  beforeEach(drain);

  it('outcomes, but no message store, and not which live ticket (or account) is the drill until the ticket is closed', async () => {
    const { account } = await subjectWithCodes();
    const drill = await runDrill({ ...scenario('auditor view', account), campaign: 'audited' });
    const claimed = await desk.claim(agent);
    expect(claimed.id).toBe(drill.ticketId);
    await t.http().post(`/v1/tickets/${drill.ticketId}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'sms' }).expect(200); // to the drill's store
    const otp = await intercepted(drill.id);

    const live = (await t.http().get(`/v1/drills/${drill.id}`).set(auditor).expect(200)).body;
    expect(live).toMatchObject({ status: 'running', ticketId: null, ticketState: null, accountId: null, sink: null });
    expect(live.scenario).not.toHaveProperty('target');
    const listed = (await t.http().get('/v1/drills?campaign=audited').set(auditor).expect(200)).body.items;
    expect(listed).toEqual([expect.objectContaining({ id: drill.id, ticketId: null, ticketState: null, accountId: null, accountExternalId: null })]);
    const trail = JSON.stringify(
      (await t.http().get('/v1/audit?limit=100').set(auditor).expect(200)).body.items.filter((e: { action: string }) => e.action.startsWith('drill.')),
    );
    for (const secret of [drill.ticketId, account.id, account.externalId, otp]) {
      expect(JSON.stringify(live)).not.toContain(secret);
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(trail).not.toContain(secret);
    }
    // The runner sees it all, the store with the OTP too.
    expect(await drillView(drill.id)).toMatchObject({
      ticketId: drill.ticketId,
      accountId: account.id,
      sink: expect.arrayContaining([expect.objectContaining({ template: 'proofing.otp' })]),
    });

    await t.http().post(`/v1/tickets/${drill.ticketId}/flag`).set(agent).send({ reason: 'sounded scripted' }).expect(200);
    const closed = (await t.http().get(`/v1/drills/${drill.id}`).set(auditor).expect(200)).body;
    expect(closed).toMatchObject({ status: 'resolved', outcome: 'passed', ticketId: drill.ticketId, ticketState: 'denied', accountId: account.id, sink: null });
    expect(JSON.stringify(closed)).not.toContain(otp);
    const resolved = (await t.http().get(`/v1/audit?action=drill.resolved&target=${drill.id}`).set(auditor).expect(200)).body.items;
    expect(resolved[0].payload).toMatchObject({ outcome: 'passed', ticketId: drill.ticketId, accountId: account.id });
  });
});

describe('the drill list', () => {
  beforeEach(drain);

  it('lists drills newest first, a keyset page at a time, by campaign, with target, ticket and current outcome', async () => {
    const names = ['first', 'second', 'third'];
    const drills = [];
    for (const name of names) drills.push(await runDrill({ ...scenario(name, (await subjectWithCodes()).account), campaign: 'list-me' }));
    await runDrill({ ...scenario('elsewhere', (await subjectWithCodes()).account), campaign: 'other-campaign' });
    const claimed = await desk.claim(agent);
    expect(claimed.id).toBe(drills[0].ticketId); // the queue is first come, first served within a tier
    await t.http().post(`/v1/tickets/${claimed.id}/flag`).set(agent).send({ reason: 'sounded scripted' }).expect(200);

    // A refused list writes nothing: a bad or forged cursor does not score the flagged drill on its way to the 400.
    const before = await t.snapshot();
    for (const cursor of ['not-a-cursor', Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url')]) {
      const refused = await t.http().get('/v1/drills').query({ cursor }).set(runner).expect(400);
      expect(refused.body).toMatchObject({ code: 'invalid_input', message: 'cursor is not a cursor this list issued' });
    }
    expect(await t.snapshot()).toEqual(before);
    expect((await t.db.query(`SELECT status FROM drills WHERE id = $1`, [drills[0].id])).rows).toEqual([{ status: 'running' }]);

    const first = (await t.http().get('/v1/drills?campaign=list-me&limit=2').set(runner).expect(200)).body;
    expect(first.items.map((d: { name: string }) => d.name)).toEqual(['third', 'second']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await t.http().get('/v1/drills').query({ campaign: 'list-me', limit: 2, cursor: first.nextCursor }).set(auditor).expect(200)).body;
    expect(second).toEqual({ items: [expect.objectContaining({ name: 'first' })], nextCursor: null });

    const items = [...first.items, ...second.items];
    expect(items.map((d: { id: string }) => d.id)).toEqual([...drills].reverse().map((d) => d.id));
    expect(items[2]).toEqual({
      id: drills[0].id,
      campaign: 'list-me',
      name: 'first',
      accountId: expect.any(String),
      accountExternalId: expect.any(String),
      accountTier: 'standard',
      // flagged just now: the listing scores it itself, without waiting for the sweep
      status: 'resolved',
      ticketId: drills[0].ticketId,
      ticketState: 'denied',
      outcome: 'passed',
      decidedStep: 'flag',
      endedReason: null,
      timeToDecisionMs: expect.any(Number),
      scheduledFor: expect.any(String),
      createdAt: expect.any(String),
    });
    expect(items[0]).toMatchObject({ status: 'running', ticketState: 'open', outcome: null, decidedStep: null });

    const all = (await t.http().get('/v1/drills').set(runner).expect(200)).body.items;
    expect(all[0].name).toBe('elsewhere');
    await t.http().get('/v1/drills?cursor=not-a-cursor').set(runner).expect(400);
    await t.http().get('/v1/drills?limit=0').set(runner).expect(400);
  });
});

describe('a notice written inside another statement', () => {
  it("refuses a ticket's message: only write() routes a drill ticket's notices to its sink", async () => {
    const outbox = t.app.get(OutboxService);
    const message = { channel: 'email' as const, to: 'someone@example.com', template: 'codes.used' as const, vars: { remaining: 1 }, idempotencyKey: 'x' };
    expect(outbox.messageInsert(message, 0, 'true').params).toHaveLength(7);
    const carried = { ...message, ticketId: '00000000-0000-4000-8000-000000000000' };
    expect(() => outbox.messageInsert(carried, 0, 'true')).toThrow(/write\(\), which routes a drill's to its sink/);
  });
});
