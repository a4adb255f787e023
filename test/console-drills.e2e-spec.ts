import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Account } from '../src/accounts/account.entity';
import { createTestApp, TestApp } from './helpers/app';
import { PHONE, screenshot, signIn, useBrowser, type Tab } from './helpers/browser';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * The drill runner's screen. Test policy as in drills.e2e-spec.ts: privileged = OTP + directory
 * facts + 1 approver, so a scripted drill can reach an approver.
 */
let t: TestApp;
let desk: Desk;
let runnerToken: string;
let runner: Auth;
let agent: Auth;
let approver: Auth;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-console-drills-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({ tiers: { privileged: { steps: ['registered_channel_otp', 'directory_facts'], approvers: 1, coolingOffMinutes: 0 } } }),
  );
  t = await createTestApp(__filename, { POLICY_FILE: policyFile, LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  runnerToken = (await t.createStaff(['drill_runner'], { name: 'Rita Runner' })).token;
  runner = bearer(runnerToken);
  await t.createStaff(['intake'], { name: 'Phone system' }); // drill tickets enter through intake
  agent = bearer((await t.createStaff(['agent'], { name: 'Agent Smith' })).token);
  approver = bearer((await t.createStaff(['approver'], { name: 'Approver Ada' })).token);
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
});

async function drillsScreen(viewport?: typeof PHONE): Promise<Tab> {
  const opened = await browser.tab(viewport);
  await signIn(opened, runnerToken);
  await opened.page.getByRole('link', { name: 'Drills' }).click();
  await opened.page.getByRole('heading', { name: 'Drills', level: 1 }).waitFor();
  return opened;
}

const drillCount = async () => (await t.db.query('SELECT count(*)::int AS n FROM drills')).rows[0].n as number;
const drain = () => t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`);

function scenario(name: string, account: Account, extra: Record<string, unknown> = {}) {
  return {
    name,
    campaign: 'c3 console',
    target: { externalId: account.externalId },
    channel: 'phone',
    reason: 'new_phone',
    pretext: `${name}: please hurry`,
    ...extra,
  };
}

const posts = (page: Page) => {
  const seen: string[] = [];
  page.on('request', (request) => request.method() === 'POST' && request.url().includes('/v1/drills') && seen.push(request.url()));
  return seen;
};

describe('submitting a scenario', () => {
  it('shows each schema error at its field path beside the editor, and creates nothing', async () => {
    const account = await t.createAccount();
    const before = await drillCount();
    const { page } = await drillsScreen();
    const bad = scenario('nested mistakes', account, { claims: { callerName: 'Sam', newPhone: 'yes' }, answers: { registered_channel_otp: { says: 482913 } } });
    await page.getByLabel('Scenario JSON').fill(JSON.stringify(bad, null, 2));
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/drills') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Start drill' }).click(),
    ]);
    expect(response.status()).toBe(400);

    const problems = page.getByRole('alert').filter({ hasText: 'The server refused this scenario' });
    await problems.waitFor();
    expect(await problems.locator('li').allInnerTexts()).toEqual([
      expect.stringMatching(/^claims\.newPhone: must be boolean\s*line 12$/),
      expect.stringMatching(/^answers\.registered_channel_otp\.says: must be string\s*line 16$/),
    ]);
    expect(await page.getByLabel('Scenario JSON').getAttribute('aria-invalid')).toBe('true');
    // "line 16" selects that line in the editor
    await page.getByRole('button', { name: 'Show line 16 (answers.registered_channel_otp.says)' }).click();
    const selected = await page.getByLabel('Scenario JSON').evaluate((area: HTMLTextAreaElement) => area.value.slice(area.selectionStart, area.selectionEnd));
    expect(selected.trim()).toBe('"says": 482913');
    expect(await drillCount()).toBe(before);
    await screenshot(page, 'drill-scenario-refused');
  });

  it('reports malformed JSON at once with its line and column, and sends nothing', async () => {
    const before = await drillCount();
    const { page } = await drillsScreen();
    const sent = posts(page);
    await page.getByLabel('Scenario JSON').fill('{\n  "name": "half a scenario",\n  "campaign": \n}');
    await page.getByText('Not valid JSON (line 4, column 1)').waitFor();
    await page.getByRole('button', { name: 'Start drill' }).click();
    expect(await page.getByLabel('Scenario JSON').evaluate((area) => document.activeElement === area)).toBe(true);
    await page.waitForTimeout(300);
    expect(sent).toEqual([]);
    expect(await drillCount()).toBe(before);
  });

  it('starts a drill from an uploaded file; it appears in the list with its ticket; an example fills the editor', async () => {
    await drain();
    const account = await t.createAccount();
    const { page } = await drillsScreen();
    await page
      .getByLabel('Upload a scenario file')
      .setInputFiles({ name: 'upload.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario('uploaded file', account))) });
    const uploaded = await eventually(() => page.getByLabel('Scenario JSON').inputValue(), 'the file read into the editor');
    expect(JSON.parse(uploaded)).toEqual(scenario('uploaded file', account));
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/drills') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Start drill' }).click(),
    ]);
    expect(response.status()).toBe(201);
    const drill = (await response.json()) as { id: string; ticketId: string };
    await page.getByRole('status').filter({ hasText: drill.ticketId }).waitFor();

    const row = page.locator(`tr[data-drill="${drill.id}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    expect(cells.slice(1)).toEqual([
      expect.stringContaining('uploaded file'),
      expect.stringContaining(account.externalId),
      expect.stringContaining(drill.ticketId),
      'Pending',
      '—',
    ]);

    await page.getByLabel('Load example').selectOption({ label: 'Wrong OTP read-back (standard tier)' });
    expect(JSON.parse(await page.getByLabel('Scenario JSON').inputValue())).toMatchObject({ name: 'Wrong OTP read-back', target: { tier: 'standard' } });
  });
});

describe('a campaign report', () => {
  const campaign = 'c3 console Q4';
  const drillView = async (id: string) => (await t.http().get(`/v1/drills/${id}`).set(runner).expect(200)).body;

  async function runDrill(body: Record<string, unknown>): Promise<{ id: string; ticketId: string }> {
    await drain();
    const res = await t
      .http()
      .post('/v1/drills')
      .set(runner)
      .send({ ...body, campaign });
    if (res.status !== 201) throw new Error(`drill → ${res.status} ${JSON.stringify(res.body)}`);
    expect((await desk.claim(agent)).id).toBe(res.body.ticketId);
    return res.body;
  }

  /** Three drills scripted to a decided outcome: stopped by the OTP (passed), flagged (passed), approved by an approver (failed). */
  beforeAll(async () => {
    const wrongOtp = await runDrill(scenario('wrong OTP', await t.createAccount()));
    await t.http().post(`/v1/tickets/${wrongOtp.ticketId}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'sms' }).expect(200);
    for (let i = 0; i < 3; i += 1) await desk.submit(agent, wrongOtp.ticketId, 'registered_channel_otp', { code: '482913' }).expect(200);

    const flagged = await runDrill(scenario('callback number', await t.createAccount(), { claims: { callbackPhone: '+447700900999' } }));
    await t.http().post(`/v1/tickets/${flagged.ticketId}/flag`).set(agent).send({ reason: 'insisted on a new number' }).expect(200);

    const target = await t.createAccount({ tier: 'privileged' });
    const simSwap = await runDrill(scenario('sim swap', target, { answers: { registered_channel_otp: { says: 'intercepted' } } }));
    await t.http().post(`/v1/tickets/${simSwap.ticketId}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'sms' }).expect(200);
    const sink = await eventually(
      async () => (await drillView(simSwap.id)).sink.find((m: { template: string }) => m.template === 'proofing.otp'),
      'the OTP in the sink',
    );
    const otp = /code is (\d{6,8})/.exec(sink.body)![1];
    t.secrets.add(otp);
    await desk.submit(agent, simSwap.ticketId, 'registered_channel_otp', { code: otp }).expect(200);
    await desk.passDirectory(agent, simSwap.ticketId, target);
    await desk.approve(approver, simSwap.ticketId, 'COO is waiting').expect(200);
    // Not read back one by one: the report scores what staff decided since the last sweep itself.
  });

  async function openReport(viewport?: typeof PHONE): Promise<Page> {
    const { page } = await drillsScreen(viewport);
    const report = page.locator('section.panel').filter({ has: page.getByRole('heading', { name: 'Campaign report' }) });
    await report.getByLabel('Campaign', { exact: true }).selectOption(campaign);
    await report.getByRole('region', { name: 'Per agent' }).getByText('Agent Smith').waitFor();
    return page;
  }

  const rows = (page: Page, table: string) =>
    page
      .getByRole('region', { name: table })
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));

  it('shows per-campaign, per-agent and per-approver results and the funnel of where drills were stopped', async () => {
    const page = await openReport();
    expect(await rows(page, 'Per campaign')).toEqual([[campaign, '3', '2', '1', '0', '0', '67%', expect.stringMatching(/ s$|min$/)]]);
    expect(await rows(page, 'Per agent')).toEqual([['Agent Smith', '3', '2', '1', '0', '0', '67%', expect.any(String)]]);
    expect(await rows(page, 'Per approver')).toEqual([['Approver Ada', '0', '1', '0%']]);

    const chart = page.getByRole('img', { name: /^Funnel for / });
    expect(await chart.getAttribute('aria-label')).toBe(
      `Funnel for ${campaign}: 3 drills scored. Registered-channel code: reached 3, stopped 1, got through 0. Agent flagged or denied: reached 2, stopped 1, got through 0. Approval: reached 1, stopped 0, got through 1. Got through in all: 1 of 3.`,
    );
    const stage = (key: string) => chart.locator(`g[data-stage="${key}"] text`).allTextContents();
    expect(await stage('scored')).toEqual(['Drills scored', '3', 'every drill in the selection was decided']);
    expect(await stage('registered_channel_otp')).toEqual(['Registered-channel code', '3 reached', '1 stopped here · 0 got through here']);
    expect(await stage('agent')).toEqual(['Agent flagged or denied', '2 reached', '1 stopped here · 0 got through here']);
    expect(await stage('approval')).toEqual(['Approval', '1 reached', '0 stopped here · 1 got through here']);
    expect(await stage('through')).toEqual(['Got through', '1 of 3', 'pass rate 67%']);
    expect(await rows(page, 'Funnel data')).toEqual([
      ['Registered-channel code', '3', '1', '0'],
      ['Agent flagged or denied', '2', '1', '0'],
      ['Approval', '1', '0', '1'],
    ]);
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'drill-report');
  });

  it('downloads the same CSV as GET /v1/drills/report?format=csv, with the token in a header, never in a URL', async () => {
    const page = await openReport();
    const [download, request] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForRequest((r) => r.url().includes('/v1/drills/report') && r.url().includes('format=csv')),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('drill-report-c3-console-q4.csv');
    const saved = readFileSync((await download.path())!, 'utf8');
    const expected = await t.http().get('/v1/drills/report').query({ campaign, format: 'csv' }).set(runner).expect(200);
    expect(saved).toBe(expected.text);
    expect(saved.split('\n')).toHaveLength(5); // header, campaign, agent, approver, final newline
    expect(request.url()).not.toContain(runnerToken);
    expect((await request.allHeaders()).authorization).toBe(`Bearer ${runnerToken}`);
    expect(await page.evaluate(() => location.href)).not.toContain(runnerToken);
  });

  it('fits a phone: the funnel scales to the screen and only the tables scroll', async () => {
    const page = await openReport(PHONE);
    const chart = page.getByRole('img', { name: /^Funnel for / });
    const box = (await chart.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'drill-report-phone');
  });
});
