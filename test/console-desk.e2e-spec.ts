import type { Page } from 'playwright-core';
import type { Account } from '../src/accounts/account.entity';
import { createTestApp, TestApp } from './helpers/app';
import { PHONE, screenshot, signIn, useBrowser } from './helpers/browser';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';
import { structure } from './helpers/leak-check';

/**
 * The desk's own screens in a real browser against the real service: the agent's queue and
 * ticket page, the approver's inbox. Default policy: standard = code + directory facts, no
 * approver; privileged = code + manager attestation + ID check, one approver, no cooling-off.
 */
let t: TestApp;
let desk: Desk;
const people: Record<'agent' | 'approver' | 'agentApprover' | 'runner' | 'intake', { token: string; auth: Auth }> = {} as never;

beforeAll(async () => {
  t = await createTestApp(__filename);
  desk = new Desk(t);
  const roles = { agent: ['agent'], approver: ['approver'], agentApprover: ['agent', 'approver'], runner: ['drill_runner'], intake: ['intake'] } as const;
  for (const [who, staffRoles] of Object.entries(roles)) {
    const { token } = await t.createStaff([...staffRoles]);
    people[who as keyof typeof people] = { token, auth: bearer(token) };
  }
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
});
beforeEach(() => t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`));

async function signedIn(who: keyof typeof people, path: string, viewport?: typeof PHONE): Promise<Page> {
  const opened = await browser.tab(viewport);
  await signIn(opened, people[who].token);
  await opened.page.goto(path);
  return opened.page;
}

/** A privileged account and its manager on file. */
async function privileged(): Promise<{ account: Account; manager: Account }> {
  const manager = await t.createAccount();
  return { account: await t.createAccount({ tier: 'privileged', managerId: manager.id }), manager };
}

/** The code the subject's registered phone received (the file adapter stands for their inbox). */
async function otpSentTo(account: Account): Promise<string> {
  const message = await eventually(
    () =>
      t
        .inbox()
        .filter((m) => m.template === 'proofing.otp' && m.to === account.phone)
        .pop(),
    'the OTP sms',
  );
  const otp = /code is (\d{6,8})/.exec(message.body)![1];
  t.secrets.add(otp);
  return otp;
}

/** A privileged ticket `agent` claims and proofs over HTTP, up to awaiting_approval. */
async function proofedByApi(agent: Auth, { account, manager }: { account: Account; manager: Account }, extra: Record<string, unknown> = {}): Promise<string> {
  const opened = await desk.open(people.agent.auth, account, extra);
  expect((await desk.claim(agent)).id).toBe(opened.id);
  await desk.passPrivilegedSteps(agent, opened.id, account, manager);
  expect(await desk.state(opened.id)).toBe('awaiting_approval');
  return opened.id;
}

const stepForm = (page: Page, name: string) => page.getByRole('form', { name });
const stateBadge = (page: Page, text: string) => page.locator('.desk-badges').getByText(text, { exact: true });
const item = (page: Page, account: Account) => page.getByRole('article', { name: `Recovery for ${account.displayName}` });

describe('the recovery queue', () => {
  it('lists tickets by state with counts, says near breach in words, and fits a phone', async () => {
    const accounts = [
      await t.createAccount(),
      (await privileged()).account,
      await t.createAccount({ tier: 'critical', managerId: (await t.createAccount()).id }),
    ];
    const opened = [];
    for (const [i, account] of accounts.entries()) {
      opened.push(
        await desk.open(people.agent.auth, account, { channel: ['phone', 'chat', 'walk_in'][i], reason: ['lost_device', 'new_phone', 'app_deleted'][i] }),
      );
    }
    await t.db.query('UPDATE tickets SET due_at = $2 WHERE id = $1', [opened[0].id, new Date(Date.now() + 10 * 60_000)]);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM tickets WHERE state = 'open'`);
    const counts = (await t.http().get('/v1/tickets/counts').set(people.approver.auth).expect(200)).body;
    expect(counts).toMatchObject({ open: rows[0].n, proofing: 0, awaiting_approval: 0 });

    const page = await signedIn('agent', '/queue');
    const nearBreach = page.getByRole('row', { name: new RegExp(accounts[0].displayName) }).locator('.near-breach');
    await nearBreach.waitFor();
    expect(await nearBreach.textContent()).toMatch(/^Near breach: \d+ min left$/);
    expect(await page.getByRole('button', { name: /^Open/ }).textContent()).toBe(`Open ${counts.open}`);
    expect(await page.getByRole('button', { name: /^Cancelled/ }).textContent()).toBe(`Cancelled ${counts.cancelled}`);
    expect(await page.getByText('or press N').isVisible()).toBe(true);
    // Critical first, then privileged, then standard; within a tier nearest to its deadline.
    const names = await page.locator('tbody tr td:first-child a').allTextContents();
    expect(names).toEqual([accounts[2].displayName, accounts[1].displayName, accounts[0].displayName]);
    await screenshot(page, 'queue');

    const phone = await signedIn('agent', '/queue', PHONE);
    await phone.getByRole('link', { name: accounts[0].displayName }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(phone, 'queue-phone');

    await page.getByRole('button', { name: /^Cancelled/ }).click();
    await page.waitForURL(/\?state=cancelled$/);
    await page.getByRole('region', { name: 'Cancelled tickets' }).waitFor();

    await t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state = 'open'`);
    await page.getByRole('button', { name: 'Take next' }).click();
    await page.getByText('Nothing to take: no open ticket is waiting for an agent (a held ticket waits for an admin).').waitFor();
  });
});

describe('the ticket page', () => {
  it('an agent takes the next standard ticket with N, proofs it with the code from the registered phone and directory facts, and sees it completed', async () => {
    const account = await t.createAccount();
    const ticket = await desk.open(people.agent.auth, account, { callback: { name: 'Caller', phone: '+447700900111' }, notes: 'new phone, old one lost' });
    const page = await signedIn('agent', '/queue');
    await page.getByRole('link', { name: account.displayName }).waitFor();
    await page.keyboard.press('n');
    await page.waitForURL(`**/tickets/${ticket.id}`);
    await page.getByRole('heading', { name: account.displayName, level: 1 }).waitFor();
    await stateBadge(page, 'Proofing').waitFor();

    await stepForm(page, 'Send the code').getByRole('button', { name: 'Send code' }).click();
    const otp = await otpSentTo(account);
    const codeField = stepForm(page, 'Check the code').getByLabel('Code the caller reads back');
    await codeField.waitFor();
    await screenshot(page, 'ticket');

    await codeField.fill(otp === '000000' ? '111111' : '000000'); // a wrong read-back first: counted, not fatal
    await stepForm(page, 'Check the code').getByRole('button', { name: 'Check code' }).click();
    await page.getByText('That code did not match (1 wrong read-back).').waitFor();
    await codeField.fill(otp);
    await stepForm(page, 'Check the code').getByRole('button', { name: 'Check code' }).click();
    await stepForm(page, 'Check the code').waitFor({ state: 'detached' });

    const facts = stepForm(page, 'Check directory facts');
    await facts.getByLabel('Employee number').fill(account.employeeNumber!);
    await facts.getByLabel('Cost centre').fill(account.costCentre!);
    await facts.getByRole('button', { name: 'Check facts' }).click();
    await stateBadge(page, 'Completed').waitFor({ timeout: 30_000 });
    expect(await desk.state(ticket.id)).toBe('completed');

    const html = await page.content();
    for (const secret of [otp, account.phone, account.email]) expect(html).not.toContain(secret);
    expect(await page.getByText('Completed: new codes sealed for the subject').isVisible()).toBe(true);
  });

  it('shows the server’s refusal next to the form it belongs to, on a phone', async () => {
    const account = await t.createAccount();
    const ticket = await desk.open(people.agent.auth, account);
    await desk.claim(people.agent.auth);
    const page = await signedIn('agent', `/tickets/${ticket.id}`, PHONE);
    const sendForm = stepForm(page, 'Send the code');
    await sendForm.getByRole('button', { name: 'Send code' }).click();
    for (let sent = 1; sent <= 3; sent += 1) {
      await eventually(() => t.inbox().filter((m) => m.template === 'proofing.otp' && m.to === account.phone).length === sent, `code ${sent}`);
      if (sent === 1) await stepForm(page, 'Check the code').waitFor();
      await sendForm.getByRole('button', { name: 'Send a new code' }).click();
    }
    const alert = sendForm.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('no more codes can be sent for this ticket (limit 3)');
    expect(await stepForm(page, 'Check the code').getByRole('alert').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'ticket-phone');
  });
});

describe('the approvals inbox', () => {
  it('an agent proofs a privileged ticket (code, manager’s link, ID check) and an approver approves it', async () => {
    const { account, manager } = await privileged();
    const ticket = await desk.open(people.agent.auth, account, { channel: 'chat', reason: 'new_phone' });
    const page = await signedIn('agent', '/queue');
    await page.getByRole('link', { name: account.displayName }).waitFor();
    await page.getByRole('button', { name: 'Take next' }).click();
    await page.waitForURL(`**/tickets/${ticket.id}`);

    await stepForm(page, 'Send the code').getByRole('button', { name: 'Send code' }).click();
    await stepForm(page, 'Check the code')
      .getByLabel('Code the caller reads back')
      .fill(await otpSentTo(account));
    await stepForm(page, 'Check the code').getByRole('button', { name: 'Check code' }).click();
    await stepForm(page, 'Check the code').waitFor({ state: 'detached' });

    await stepForm(page, 'Send the manager’s link').getByRole('button', { name: 'Send link to the manager' }).click();
    await page.getByText('Waiting for their answer').waitFor();
    const link = await eventually(() => t.inbox().find((m) => m.template === 'proofing.attestation' && m.to === manager.email), 'the manager’s link');
    const token = link.links[0].split('/a/')[1];
    t.secrets.add(token);
    await t.http().post('/v1/links/attest').send({ token, decision: 'confirm' }).expect(200);
    const idCheck = stepForm(page, 'Record the ID check');
    await page.getByText('Waiting for their answer').waitFor({ state: 'detached' }); // the page polls
    await idCheck.getByLabel('Document checked').selectOption('driving_licence');
    await idCheck.getByLabel('Last 4 of the document number').fill('4F7K');
    await idCheck.getByLabel('What you checked').fill('photo matches the caller on camera; licence valid');
    await idCheck.getByRole('button', { name: 'Record ID check' }).click();
    await stateBadge(page, 'Awaiting approval').waitFor();

    const inbox = await signedIn('approver', '/approvals');
    const waiting = item(inbox, account);
    await waiting.waitFor();
    expect(await waiting.getByText('Driving licence ending 4F7K').isVisible()).toBe(true);
    expect(await waiting.getByText('0 of 1').isVisible()).toBe(true);
    await screenshot(inbox, 'approver-inbox');
    const phone = await signedIn('approver', '/approvals', PHONE);
    await item(phone, account).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(phone, 'approver-inbox-phone');
    await waiting.getByLabel('Reason for your decision').fill('manager confirmed, ID checked on camera');
    await waiting.getByRole('button', { name: 'Approve' }).click();
    await inbox.getByText(`You approved the recovery for ${account.displayName}`).waitFor();
    await inbox.getByText('Nothing is waiting for approval.').waitFor();
    await desk.waitFor(ticket.id, 'completed');
  });

  it('an approver who proofed the ticket finds Approve disabled with the reason; where the page cannot know, the server’s refusal is shown', async () => {
    const { agentApprover: both, agent } = people;
    const proofedAll = await privileged();
    const proofedAllId = await proofedByApi(both.auth, proofedAll);

    // Proofed one step, released it; another agent finished: only the server knows who decided which step.
    const proofedOne = await privileged();
    const opened = await desk.open(agent.auth, proofedOne.account);
    await desk.claim(both.auth);
    await desk.passOtp(both.auth, opened.id, proofedOne.account);
    await t.http().post(`/v1/tickets/${opened.id}/release`).set(both.auth).expect(200);
    await desk.claim(agent.auth);
    await desk.managerAnswers(agent.auth, opened.id, proofedOne.manager, 'confirm');
    await desk.passGovernmentId(agent.auth, opened.id);

    const page = await signedIn('agentApprover', '/approvals');
    const mine = item(page, proofedAll.account);
    await mine.waitFor();
    expect(await mine.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    expect(await mine.getByText('You cannot sign this ticket: you proofed it. Another approver must.').isVisible()).toBe(true);
    expect(await mine.locator('dt:text-is("Proofed by") + dd').textContent()).toBe('You');

    const theirs = item(page, proofedOne.account);
    await theirs.getByLabel('Reason for your decision').fill('record looks complete');
    await theirs.getByRole('button', { name: 'Approve' }).click();
    const refusal = theirs.getByRole('form', { name: 'Sign this ticket' }).getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe('the agent who proofed a ticket cannot approve it');
    expect(await desk.state(opened.id)).toBe('awaiting_approval');

    // The ticket page shares the rule and the component.
    await page.goto(`/tickets/${proofedAllId}`);
    await page.getByRole('heading', { name: 'Approvals', level: 2 }).waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    expect(await page.getByText('You cannot sign this ticket: you proofed it.', { exact: false }).isVisible()).toBe(true);
  });
});

describe('drill tickets', () => {
  /** What the drill's ticket would have sent (readable by drill runners only): the OTP and the manager's link. */
  async function sink(drillId: string): Promise<{ otp?: string; link?: string }> {
    const view = (await t.http().get(`/v1/drills/${drillId}`).set(people.runner.auth).expect(200)).body as {
      sink: { template: string; body: string; links: string[] }[];
    };
    const otp = view.sink.find((m) => m.template === 'proofing.otp');
    const link = view.sink.find((m) => m.template === 'proofing.attestation');
    return { otp: otp && /code is (\d{6,8})/.exec(otp.body)![1], link: link?.links[0].split('/a/')[1] };
  }

  it('a drill ticket and a real ticket in the same state render the same structure for the agent and the approver', async () => {
    const { agent, runner } = people;
    const real = await privileged();
    const realTicketId = await proofedByApi(agent.auth, real, {
      channel: 'phone',
      reason: 'new_phone',
      callback: { phone: '+447700900111' },
      notes: 'caller in a hurry',
    });

    const { account: target } = await privileged();
    const drillRes = await t
      .http()
      .post('/v1/drills')
      .set(runner.auth)
      .send({
        name: 'lookalike',
        campaign: 'console',
        target: { accountId: target.id },
        channel: 'phone',
        reason: 'new_phone',
        pretext: 'impostor in a hurry',
        claims: { callbackPhone: '+447700900222', notes: 'I am in a hurry' },
      });
    expect(drillRes.status).toBe(201);
    const drill = drillRes.body as { id: string; ticketId: string };
    expect((await desk.claim(agent.auth)).id).toBe(drill.ticketId);
    await t.http().post(`/v1/tickets/${drill.ticketId}/steps/registered_channel_otp/start`).set(agent.auth).send({ channel: 'sms' }).expect(200);
    const otp = await eventually(async () => (await sink(drill.id)).otp, 'the OTP in the sink');
    t.secrets.add(otp);
    await desk.submit(agent.auth, drill.ticketId, 'registered_channel_otp', { code: otp }).expect(200);
    await t.http().post(`/v1/tickets/${drill.ticketId}/steps/manager_attestation/start`).set(agent.auth).send({}).expect(200);
    const link = await eventually(async () => (await sink(drill.id)).link, 'the manager link in the sink');
    t.secrets.add(link);
    await t.http().post('/v1/links/attest').send({ token: link, decision: 'confirm' }).expect(200);
    await desk.passGovernmentId(agent.auth, drill.ticketId);
    expect(await desk.state(drill.ticketId)).toBe('awaiting_approval');
    expect(await desk.state(realTicketId)).toBe('awaiting_approval');
    // Counted like any other ticket: the queue's numbers do not give a drill away either.
    expect((await t.http().get('/v1/tickets/counts').set(agent.auth).expect(200)).body.awaiting_approval).toBe(2);

    for (const who of ['agent', 'approver'] as const) {
      const page = await signedIn(who, '/');
      const pages: string[][] = [];
      for (const id of [realTicketId, drill.ticketId]) {
        await page.goto(`/tickets/${id}`);
        await page.getByRole('heading', { name: 'Timeline', level: 2 }).waitFor();
        pages.push(await structure(page.locator('main')));
      }
      expect(pages[1]).toEqual(pages[0]);
      expect(pages[0].join('\n')).toContain(who === 'approver' ? 'button "Approve" enabled' : 'button "Cancel ticket" enabled');
    }

    const inbox = await signedIn('approver', '/approvals');
    await item(inbox, target).waitFor();
    await item(inbox, real.account).waitFor();
    expect(await structure(item(inbox, target))).toEqual(await structure(item(inbox, real.account)));
  });
});
