import type { Account } from '../src/accounts/account.entity';
import { TicketSweep } from '../src/tickets/ticket-sweep.service';
import { createTestApp, TestApp } from './helpers/app';
import { onServer, PHONE, screenshot, useBrowser } from './helpers/browser';
import { bearer, Desk, type Auth } from './helpers/desk';
import { linksIn, Mailbox } from './helpers/mailbox';
import { eventually } from './helpers/wait';

/**
 * The pages people reach from their messages: redeem new codes, "this wasn't me", manager attestation. E-mail
 * goes over SMTP to a real server in this process, and each page is opened from the link in the mail's HTML part,
 * as the person would; text messages (the OTP) go to the file inbox.
 */
const mailbox = new Mailbox();
let t: TestApp;
let desk: Desk;
let agent: Auth;
const approvers: Auth[] = [];

beforeAll(async () => {
  await mailbox.start();
  t = await createTestApp(__filename, {
    LINK_RATE_LIMIT: '1000',
    NOTIFY_ADAPTER: 'smtp',
    SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
    NOTIFY_RETRY_DELAY_MS: '100',
  });
  desk = new Desk(t);
  agent = bearer((await t.createStaff(['agent'])).token);
  for (let i = 0; i < 2; i += 1) approvers.push(bearer((await t.createStaff(['approver'])).token));
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
  await mailbox.stop();
});
afterEach(async () => {
  await t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`);
});

/** The e-mails that reached `to` whose idempotency key starts with the template's name. */
const mailsTo = (to: string, template: string) => mailbox.arrivals.filter((a) => a.key.startsWith(`${template}:`) && a.rcptTo.includes(to));

/** The link (/r/, /c/ or /a/) in the last such e-mail, as its HTML shows it; its token is a secret of this file. */
async function linkFor(to: string, template: string, prefix: string): Promise<string> {
  const mail = await eventually(() => mailsTo(to, template).pop(), `the ${template} e-mail to ${to}`);
  const link = linksIn(mail).find((l) => l.includes(prefix))!;
  t.secrets.add(link.split(prefix)[1]);
  return onServer(link, browser.baseUrl);
}

/** The manager confirms through the link in their e-mail (over the API: the browser test of that page is below). */
async function managerConfirms(ticketId: string, manager: Account): Promise<void> {
  await t.http().post(`/v1/tickets/${ticketId}/steps/manager_attestation/start`).set(agent).send({}).expect(200);
  const link = await linkFor(manager.email, 'proofing.attestation', '/a/');
  await t
    .http()
    .post('/v1/links/attest')
    .send({ token: link.split('/a/')[1], decision: 'confirm' })
    .expect(200);
}

async function completedStandardTicket(): Promise<Account> {
  const account = await t.createAccount();
  const opened = await desk.open(agent, account);
  await desk.claim(agent);
  await desk.passOtp(agent, opened.id, account);
  await desk.passDirectory(agent, opened.id, account);
  await desk.waitFor(opened.id, 'completed');
  return account;
}

async function envelopeRedeemed(account: Account): Promise<boolean> {
  const { rows } = await t.db.query(`SELECT redeemed_at FROM delivery_envelopes WHERE account_id = $1`, [account.id]);
  return rows.length === 1 && rows[0].redeemed_at !== null;
}

describe('redeem new codes (/r/<token>)', () => {
  it('shows nothing and uses nothing until the click: a link scanner’s GET leaves the envelope intact', async () => {
    const account = await completedStandardTicket();
    const link = await linkFor(account.email, 'delivery.link', '/r/');
    const scanner = await fetch(link, { redirect: 'manual' });
    expect(scanner.status).toBe(200);
    expect(scanner.headers.get('referrer-policy')).toBe('no-referrer');
    expect(scanner.headers.get('content-security-policy')).toContain("default-src 'none'");
    const { page } = await browser.tab();
    await page.goto(link);
    await page.getByRole('button', { name: 'Show my codes' }).waitFor();
    expect(await envelopeRedeemed(account)).toBe(false);
  });

  it('reveals N codes once after one click; a second visit gets the used-link page', async () => {
    const account = await completedStandardTicket();
    const link = await linkFor(account.email, 'delivery.link', '/r/');
    const { page } = await browser.tab();
    await page.goto(link);
    await page.getByRole('button', { name: 'Show my codes' }).click();
    await page.getByText('You will not see these again').waitFor();
    const codes = await page.getByRole('list', { name: 'Backup codes' }).getByRole('listitem').allInnerTexts();
    codes.forEach((code) => t.secrets.add(code));
    expect(codes).toHaveLength(10);
    codes.forEach((code) => expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/));
    expect(await page.getByText('You will not see these again').isVisible()).toBe(true);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download .txt' }).click();
    expect((await download).suggestedFilename()).toBe('backup-codes.txt');
    await screenshot(page, 'redeem');

    const again = await browser.tab(PHONE);
    await again.page.goto(link);
    await again.page.getByRole('button', { name: 'Show my codes' }).click();
    await again.page.getByRole('heading', { name: 'This link can no longer be used' }).waitFor();
  });

  it('answers an unknown token with the same page as a used one', async () => {
    const { page } = await browser.tab();
    await page.goto(`${browser.baseUrl}/r/rdd_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Show my codes' }).click();
    await page.getByRole('heading', { name: 'This link can no longer be used' }).waitFor();
  });
});

describe('this wasn’t me (/c/<token>)', () => {
  it('during cooling-off stops regeneration, tells the person what happens next, and alerts security', async () => {
    const manager = await t.createAccount();
    const account = await t.createAccount({ tier: 'critical', managerId: manager.id });
    const opened = await desk.open(agent, account);
    await desk.claim(agent);
    await desk.passOtp(agent, opened.id, account);
    await managerConfirms(opened.id, manager);
    await desk.passGovernmentId(agent, opened.id);
    await desk.approve(approvers[0], opened.id).expect(200);
    await desk.approve(approvers[1], opened.id).expect(200);
    const link = await linkFor(account.email, 'ticket.approved', '/c/');

    const { page } = await browser.tab(PHONE);
    await page.goto(link);
    await page.getByRole('button', { name: /wasn’t me/ }).click();
    await page.getByRole('heading', { name: 'What happens next' }).waitFor();
    expect(await desk.state(opened.id)).toBe('cancelled');

    t.clock.advance(15 * 60_000 + 1_000);
    try {
      await t.app.get(TicketSweep).reconcile();
    } finally {
      t.clock.reset();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await desk.state(opened.id)).toBe('cancelled');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM code_sets WHERE account_id = $1`, [account.id]);
    expect(rows[0].n).toBe(0);
    await eventually(() => mailsTo('security@example.com', `alert:${opened.id}`).length > 0, 'the alert to security');
  });
});

describe('manager attestation (/a/<token>)', () => {
  it('shows who asked, when, how and the callback as given; a rejection denies the ticket', async () => {
    const manager = await t.createAccount();
    const account = await t.createAccount({ tier: 'privileged', managerId: manager.id });
    const opened = await desk.open(agent, account, { channel: 'phone', callback: { name: 'Sam', phone: '+44 7700 900999' } });
    await desk.claim(agent);
    await desk.passOtp(agent, opened.id, account);
    await t.http().post(`/v1/tickets/${opened.id}/steps/manager_attestation/start`).set(agent).send({}).expect(200);
    const link = await linkFor(manager.email, 'proofing.attestation', '/a/');

    const { page } = await browser.tab();
    await page.goto(link);
    await page.getByText(account.displayName).waitFor();
    expect(await page.getByText('+44 7700 900999').isVisible()).toBe(true);
    expect(await page.getByText('by phone').isVisible()).toBe(true);
    await screenshot(page, 'attest');
    await page.getByRole('button', { name: /reject/ }).click();
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    await desk.waitFor(opened.id, 'denied');

    await page.goto(link);
    await page.getByRole('heading', { name: 'This link can no longer be used' }).waitFor();
  });
});
