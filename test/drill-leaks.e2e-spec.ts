import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Account } from '../src/accounts/account.entity';
import { createTestApp, TestApp } from './helpers/app';
import { signIn, useBrowser } from './helpers/browser';
import { Auth, bearer, Desk } from './helpers/desk';
import { leakCheck } from './helpers/leak-check';
import { eventually } from './helpers/wait';

/**
 * Every shipped scenario, against a real ticket that entered the same way (the phone system's intake identity), in the
 * same state: at open, in proofing and awaiting approval, as the agent and as the approver, over HTTP and in the
 * console. Test policy: every tier = OTP + directory facts + 1 approver, so both tickets reach an approver.
 */
const DRILLS_DIR = join(__dirname, '..', 'drills');
const SCENARIOS = readdirSync(DRILLS_DIR)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
  .sort();

type Scenario = {
  name: string;
  campaign: string;
  pretext: string;
  channel: string;
  reason: string;
  target: { tier?: 'standard' | 'privileged' | 'critical' };
  claims?: { callerName?: string; callbackPhone?: string; callbackEmail?: string; notes?: string };
};

let t: TestApp;
let desk: Desk;
const people = {} as Record<'agent' | 'approver' | 'runner' | 'intake' | 'admin' | 'service', { id: string; name: string; token: string; auth: Auth }>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-drill-leaks-'));
  const policyFile = join(dir, 'policy.json');
  const tier = { steps: ['registered_channel_otp', 'directory_facts'], approvers: 1, coolingOffMinutes: 0 }; // no shipped scenario targets critical
  writeFileSync(policyFile, JSON.stringify({ tiers: { standard: tier, privileged: tier }, risk: { deskVelocity: { maxPrivilegedTickets: 10000 } } }));
  t = await createTestApp(__filename, { POLICY_FILE: policyFile, LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  const roles = { agent: ['agent'], approver: ['approver'], runner: ['drill_runner'], intake: ['intake'], admin: ['admin'], service: ['service'] } as const;
  for (const [who, staffRoles] of Object.entries(roles)) {
    const name = { agent: 'Agent Smith', approver: 'Approver Ada', runner: 'Rita Runner', intake: 'Phone system', admin: 'Admin Alex', service: 'Login app' }[
      who
    ]!;
    const { staff, token } = await t.createStaff([...staffRoles], { name });
    people[who as keyof typeof people] = { id: staff.id, name, token, auth: bearer(token) };
  }
});
const browser = useBrowser(() => t);
afterAll(() => t?.close());
beforeEach(() => t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval', 'approved')`));

async function subject(tier: Account['tier']): Promise<Account> {
  const account = await t.createAccount({ tier, employeeNumber: `EMP${Math.floor(Math.random() * 1e6)}` });
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(people.service.auth).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return account;
}

/** A real caller on the same channel with the same kinds of details: the phone system opens their ticket. */
function realCall(scenario: Scenario, account: Account) {
  const claims = scenario.claims ?? {};
  return {
    accountId: account.id,
    channel: scenario.channel,
    reason: scenario.reason,
    callback: {
      ...(claims.callerName && { name: 'Jo Real' }),
      ...(claims.callbackPhone && { phone: '+44 7700 900123' }),
      ...(claims.callbackEmail && { email: 'jo.real@example.net' }),
    },
    ...(claims.notes && { notes: 'I left my phone in a taxi this morning and I need to get back into my mail before a meeting.' }),
  };
}

async function drillOtp(drillId: string): Promise<string> {
  const view = await eventually(async () => {
    const v = (await t.http().get(`/v1/drills/${drillId}`).set(people.runner.auth).expect(200)).body;
    return v.sink.some((m: { template: string }) => m.template === 'proofing.otp') ? v : undefined;
  }, 'the OTP in the sink');
  const otp = /code is (\d{6,8})/.exec(view.sink.find((m: { template: string }) => m.template === 'proofing.otp').body)![1];
  t.secrets.add(otp);
  return otp;
}

describe.each(SCENARIOS)('the shipped scenario %s', (file) => {
  it('cannot be told from a real intake ticket by the agent or the approver: at open, in proofing, awaiting approval', async () => {
    const scenario = JSON.parse(readFileSync(join(DRILLS_DIR, file), 'utf8')) as Scenario;
    const tier = scenario.target.tier ?? 'standard';
    const [realAccount, target] = [await subject(tier), await subject(tier)];

    const realRes = await t.http().post('/v1/intake/tickets').set(people.intake.auth).send(realCall(scenario, realAccount));
    expect(realRes.status).toBe(201);
    const drillRes = await t
      .http()
      .post('/v1/drills')
      .set(people.runner.auth)
      .send({ ...scenario, target: { accountId: target.id } });
    expect(drillRes.status).toBe(201);
    const real = { ticketId: realRes.body.id as string, accountId: realAccount.id };
    const drill = {
      ticketId: drillRes.body.ticketId as string,
      accountId: target.id,
      runner: { id: people.runner.id, name: people.runner.name },
      scenario,
    };
    const pages: Partial<Record<'agent' | 'approver', Page>> = {};
    const check = async (state: string) => {
      expect(await desk.state(real.ticketId)).toBe(state);
      expect(await desk.state(drill.ticketId)).toBe(state);
      for (const who of ['agent', 'approver'] as const) {
        if (!pages[who]) {
          const tab = await browser.tab();
          await signIn(tab, people[who].token);
          pages[who] = tab.page;
        }
        await leakCheck({ t, as: people[who].auth, admin: people.admin.auth, drill, real, page: pages[who], role: who });
      }
    };

    await check('open');
    expect((await desk.claim(people.agent.auth)).id).toBe(real.ticketId);
    expect((await desk.claim(people.agent.auth)).id).toBe(drill.ticketId);
    await check('proofing');
    await desk.passOtp(people.agent.auth, real.ticketId, realAccount);
    await t.http().post(`/v1/tickets/${drill.ticketId}/steps/registered_channel_otp/start`).set(people.agent.auth).send({ channel: 'sms' }).expect(200);
    await desk.submit(people.agent.auth, drill.ticketId, 'registered_channel_otp', { code: await drillOtp(drillRes.body.id) }).expect(200);
    await desk.passDirectory(people.agent.auth, real.ticketId, realAccount);
    await desk.passDirectory(people.agent.auth, drill.ticketId, target);
    await check('awaiting_approval');
  }, 240_000);
});

describe('the leak check itself', () => {
  it('fails on a field only the drill carries, a drill-only value, and the pretext as notes', async () => {
    const scenario = JSON.parse(readFileSync(join(DRILLS_DIR, SCENARIOS[0]), 'utf8')) as Scenario;
    const tier = scenario.target.tier ?? 'standard';
    const [realAccount, target] = [await subject(tier), await subject(tier)];
    const realRes = await t.http().post('/v1/intake/tickets').set(people.intake.auth).send(realCall(scenario, realAccount)).expect(201);
    const drillRes = await t
      .http()
      .post('/v1/drills')
      .set(people.runner.auth)
      .send({ ...scenario, target: { accountId: target.id } })
      .expect(201);
    const input = {
      t,
      as: people.agent.auth,
      admin: people.admin.auth,
      real: { ticketId: realRes.body.id as string, accountId: realAccount.id },
      drill: { ticketId: drillRes.body.ticketId as string, accountId: target.id, runner: { id: people.runner.id, name: people.runner.name }, scenario },
    };
    await leakCheck(input); // as shipped: passes

    // The old way: the pretext as notes.
    await t.db.query(`UPDATE tickets SET notes = $2 WHERE id = $1`, [input.drill.ticketId, scenario.pretext]);
    await expect(leakCheck(input)).rejects.toThrow(
      /notes are not the scenario's claims\.notes[\s\S]*notes read like a description of an attack|notes are not the scenario's claims\.notes/,
    );
    await t.db.query(`UPDATE tickets SET notes = $2 WHERE id = $1`, [input.drill.ticketId, scenario.claims?.notes ?? null]);
    await t.db.query(`UPDATE tickets SET callback = callback || '{"name": "Drill caller"}' WHERE id = $1`, [input.drill.ticketId]);
    await expect(leakCheck(input)).rejects.toThrow(/callback\.name|drill/);
    await t.db.query(`UPDATE tickets SET callback = callback - 'name' WHERE id = $1`, [input.drill.ticketId]);
    await t.db.query(`UPDATE tickets SET is_drill = true, debriefed_at = now() WHERE id = $1`, [input.drill.ticketId]);
    await expect(leakCheck(input)).rejects.toThrow(/only the drill ticket carries ticket\.drill\.debriefedAt/);
  });
});
