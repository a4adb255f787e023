import type { Page } from 'playwright-core';
import type { Account } from '../src/accounts/account.entity';
import { createTestApp, TestApp } from './helpers/app';
import { PHONE, screenshot, signIn, useBrowser } from './helpers/browser';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * Risk signals in the console: on the agent's queue and ticket page and in the approver's inbox,
 * the admin's Held tickets screen (clearing a hold, and a refusal) and the Outbox screen (a failed
 * message resent). The signals come from the service, on the data that raises them (test/risk.e2e-spec.ts).
 */
let t: TestApp;
let desk: Desk;
let admin: Auth;
const people: Record<'agent' | 'approver', { token: string; auth: Auth }> = {} as never;

const DAY = 86_400_000;
const HELD_TEXT = 'Held by a risk signal: this ticket cannot be claimed or approved until an admin clears it.';
const CHANGED = 'Registered e-mail or phone changed recently';

beforeAll(async () => {
  t = await createTestApp(__filename);
  desk = new Desk(t);
  admin = bearer(t.adminToken);
  for (const who of ['agent', 'approver'] as const) {
    const { token } = await t.createStaff([who]);
    people[who] = { token, auth: bearer(token) };
  }
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
});
beforeEach(() => t.db.query(`UPDATE tickets SET state = 'cancelled' WHERE state IN ('open', 'proofing', 'awaiting_approval')`));

async function signedIn(token: string, path: string, viewport?: typeof PHONE): Promise<Page> {
  const opened = await browser.tab(viewport);
  await signIn(opened, token);
  await opened.page.goto(path);
  return opened.page;
}

let reviewer: Auth | undefined;
/** Once a second admin exists, sensitive changes are change requests: a third admin (never the subject) approves them. */
async function approveAsAnotherAdmin(requestId: string) {
  reviewer ??= bearer((await t.createStaff(['admin'])).token);
  await t.http().post(`/v1/change-requests/${requestId}/approve`).set(reviewer).send({ reason: 'confirmed with the employee' }).expect(200);
}

const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** A privileged account whose registered phone an admin changed `daysAgo` days ago (by the service's clock). */
async function recentlyChanged(daysAgo = 3): Promise<{ account: Account; manager: Account }> {
  const manager = await t.createAccount();
  const account = await t.createAccount({ tier: 'privileged', managerId: manager.id });
  const phone = `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
  t.clock.advance(-daysAgo * DAY);
  try {
    const res = await t.http().patch(`/v1/accounts/${account.id}`).set(admin).send({ phone });
    if (res.status === 202) await approveAsAnotherAdmin(res.body.id);
    else expect(res.status).toBe(200);
  } finally {
    t.clock.advance(daysAgo * DAY);
  }
  account.phone = phone;
  return { account, manager };
}

/** A ticket for that account: a recent channel change holds it. */
async function heldTicket(): Promise<{ account: Account; ticketId: string }> {
  const { account } = await recentlyChanged();
  const { id } = await desk.open(people.agent.auth, account, { channel: 'phone', reason: 'new_phone' });
  const view = (await t.http().get(`/v1/tickets/${id}`).set(people.agent.auth).expect(200)).body as { held: boolean };
  expect(view.held).toBe(true);
  return { account, ticketId: id };
}

describe('signals on the desk', () => {
  it('the queue shows a held ticket as Held, its page the reason and the hold; the inbox shows a callback not on file', async () => {
    const { account, ticketId } = await heldTicket();

    const queue = await signedIn(people.agent.token, '/queue');
    const row = queue.getByRole('row', { name: new RegExp(account.displayName) });
    await row.waitFor();
    expect(await row.getByText('Held', { exact: true }).isVisible()).toBe(true);
    expect(await row.getByText('1 signal', { exact: true }).isVisible()).toBe(true);
    await screenshot(queue, 'queue-signals');

    await row.getByRole('link', { name: account.displayName }).click();
    await queue.waitForURL(`**/tickets/${ticketId}`);
    const signals = queue.getByRole('list', { name: 'Risk signals' });
    await signals.waitFor();
    const item = signals.getByRole('listitem').filter({ hasText: CHANGED });
    expect(await item.getByText(/changed 3 days ago .*within the 14-day window/).isVisible()).toBe(true);
    expect(await item.getByText('Held until an admin clears it.').isVisible()).toBe(true);
    expect(await item.getByText('Holds the ticket', { exact: true }).isVisible()).toBe(true);
    expect(await queue.getByRole('status').filter({ hasText: HELD_TEXT }).isVisible()).toBe(true);
    await screenshot(queue, 'ticket-signals');

    const phone = await signedIn(people.agent.token, `/tickets/${ticketId}`, PHONE);
    await phone.getByRole('list', { name: 'Risk signals' }).waitFor();
    expect(await fitsWidth(phone)).toBe(true);
    await screenshot(phone, 'ticket-signals-phone');

    // A privileged ticket whose caller gave a number that is not on file, proofed up to approval.
    const manager = await t.createAccount();
    const other = await t.createAccount({ tier: 'privileged', managerId: manager.id });
    const { id } = await desk.open(people.agent.auth, other, { callback: { phone: '+15555550123' } });
    expect((await desk.claim(people.agent.auth)).id).toBe(id); // the held ticket is skipped
    await desk.passPrivilegedSteps(people.agent.auth, id, other, manager);
    expect(await desk.state(id)).toBe('awaiting_approval');

    const inbox = await signedIn(people.approver.token, '/approvals');
    const entry = inbox.getByRole('article', { name: `Recovery for ${other.displayName}` });
    await entry.waitFor();
    const callback = entry.getByRole('list', { name: 'Risk signals' }).getByRole('listitem').filter({ hasText: 'Callback not on file' });
    expect(
      await callback.getByText('the callback phone number the caller gave is not on file for this account: never call back or send anything there').isVisible(),
    ).toBe(true);
    expect(await callback.getByText('Does not hold the ticket.').isVisible()).toBe(true);
    expect(await callback.getByText('Warning', { exact: true }).isVisible()).toBe(true);
    expect(await entry.getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);
    await screenshot(inbox, 'approver-signals');
  });
});

describe('held tickets (admin)', () => {
  it('lists a held ticket; the subject’s own admin is refused; an admin clears it with a reason and the agent can take it', async () => {
    const { account, ticketId } = await heldTicket();
    const reason = 'called the employee back on the number on file: the change was genuine';

    // An admin who is the subject of the ticket: the server refuses, and the page says why beside the form.
    const own = await t.createStaff(['admin'], { accountId: account.id });
    const refused = await signedIn(own.token, '/admin/held');
    const ownCard = refused.getByRole('article', { name: `Held: ${account.displayName}` });
    await ownCard.waitFor();
    const ownForm = ownCard.getByRole('form', { name: `Clear: ${CHANGED}` });
    await ownForm.getByLabel('Reason for clearing').fill('it is me, honestly');
    await ownForm.getByRole('button', { name: 'Clear hold' }).click();
    await ownForm.getByRole('alert').filter({ hasText: 'nobody may work a recovery ticket for their own account' }).waitFor();

    const page = await signedIn(t.adminToken, '/');
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Held tickets' }).click();
    const card = page.getByRole('article', { name: `Held: ${account.displayName}` });
    await card.waitFor();
    expect(await card.getByText(/changed 3 days ago/).isVisible()).toBe(true);
    const form = card.getByRole('form', { name: `Clear: ${CHANGED}` });
    await form.getByLabel('Reason for clearing').fill(reason);
    await screenshot(page, 'admin-held');
    // Two admins now exist (the subject's own among them): clearing is a change request another admin approves.
    await form.getByText(/This will need a second admin/).waitFor();
    await form.getByRole('button', { name: 'Clear hold' }).click();
    const pending = await page.getByRole('status').filter({ hasText: 'Waiting for a second admin: change request' }).innerText();
    await approveAsAnotherAdmin(/change request ([0-9a-f-]{36})/.exec(pending)![1]);
    await page.reload();
    await page.getByRole('link', { name: 'Held tickets' }).waitFor();
    await page.getByText('No ticket is held: nothing is waiting for an admin.').waitFor();

    const agent = await signedIn(people.agent.token, `/tickets/${ticketId}`);
    const item = agent.getByRole('list', { name: 'Risk signals' }).getByRole('listitem').filter({ hasText: CHANGED });
    await item.getByText('Cleared', { exact: true }).waitFor();
    expect(await item.getByText(new RegExp(`^Cleared by Staff [0-9a-f]{8} at .+, reason “${reason}”\\.`)).isVisible()).toBe(true);
    expect(await agent.getByText(HELD_TEXT).count()).toBe(0);
    await agent.goto('/queue');
    await agent
      .getByRole('row', { name: new RegExp(account.displayName) })
      .getByText('1 signal', { exact: true })
      .waitFor();
    expect(
      await agent
        .getByRole('row', { name: new RegExp(account.displayName) })
        .getByText('Held', { exact: true })
        .count(),
    ).toBe(0);
    await agent.getByRole('button', { name: 'Take next' }).click();
    await agent.waitForURL(`**/tickets/${ticketId}`);
    await agent.locator('.desk-badges').getByText('Proofing', { exact: true }).waitFor();
  });

  it('fits a phone', async () => {
    const { account } = await heldTicket();
    const page = await signedIn(t.adminToken, '/admin/held', PHONE);
    await page.getByRole('article', { name: `Held: ${account.displayName}` }).waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'admin-held-phone');
  });
});

describe('outbox (admin)', () => {
  type Row = { id: string; idempotency_key: string; template: string };

  /** A delivered message made failed, as the relay leaves one it gave up on (the CHECK keeps status and times in step). */
  async function failedMessage(ticketId: string, template: string, channel: 'email' | 'sms'): Promise<Row> {
    const row = await eventually(
      async () =>
        (
          await t.db.query<Row>(
            `SELECT id, idempotency_key, template FROM outbox WHERE ticket_id = $1 AND template = $2 AND channel = $3 AND status = 'sent'`,
            [ticketId, template, channel],
          )
        ).rows[0],
      `the ${template} ${channel} to be sent`,
    );
    await t.db.query(
      `UPDATE outbox SET status = 'failed', delivered_at = NULL, failed_at = now(), last_error = 'RCPT TO answered 550 5.1.1 Mailbox unavailable' WHERE id = $1`,
      [row.id],
    );
    return row;
  }

  it('shows failed messages first, without content; Resend sends one again and a refusal shows beside its button', async () => {
    const account = await t.createAccount();
    const { id: ticketId } = await desk.open(people.agent.auth, account);
    const email = await failedMessage(ticketId, 'ticket.opened', 'email');
    const sms = await failedMessage(ticketId, 'ticket.opened', 'sms');
    const arrived = (key: string) => t.inbox().filter((m) => m.idempotencyKey === key).length;
    const before = arrived(email.idempotency_key);

    const page = await signedIn(t.adminToken, '/admin/outbox');
    expect(await page.getByRole('button', { name: 'Failed' }).getAttribute('aria-pressed')).toBe('true');
    const table = page.getByRole('region', { name: 'Failed messages' });
    const emailRow = table.getByRole('row').filter({ hasText: 'E-mail' }).filter({ hasText: ticketId });
    const smsRow = table.getByRole('row').filter({ hasText: 'SMS' }).filter({ hasText: ticketId });
    await emailRow.waitFor();
    expect(await emailRow.getByText('RCPT TO answered 550 5.1.1 Mailbox unavailable').isVisible()).toBe(true);
    expect(await emailRow.getByText(/\*\*\*@example\.com$/).isVisible()).toBe(true); // masked
    // Never a body, a link or the full recipient.
    const html = await page.content();
    for (const secret of [account.email, account.phone, 'http://desk.test/']) expect(html).not.toContain(secret);
    await screenshot(page, 'admin-outbox');

    await emailRow.getByRole('button', { name: /^Resend/ }).click();
    await page.getByRole('status').filter({ hasText: 'is pending again' }).waitFor();
    await emailRow.waitFor({ state: 'detached' });
    await eventually(() => arrived(email.idempotency_key) === before + 1, 'the resent e-mail in the inbox');
    await eventually(
      async () => (await t.db.query(`SELECT status FROM outbox WHERE id = $1`, [email.id])).rows[0].status === 'sent',
      'the resent e-mail to be sent',
    );

    // Resent behind the page's back: the page's Resend is refused, and says why beside the button.
    await t.http().post(`/v1/outbox/${sms.id}/resend`).set(admin).expect(200);
    await smsRow.getByRole('button', { name: /^Resend/ }).click();
    await smsRow.getByRole('alert').filter({ hasText: 'only a failed message can be resent' }).waitFor();

    await page.getByRole('button', { name: 'Sent' }).click();
    await page.waitForURL(/\?status=sent$/);
    await page.getByRole('region', { name: 'Sent messages' }).getByRole('row').filter({ hasText: ticketId }).first().waitFor();
    expect(
      await page
        .getByRole('region', { name: 'Sent messages' })
        .getByRole('button', { name: /^Resend/ })
        .count(),
    ).toBe(0);
  });

  it('fits a phone, failed and sent', async () => {
    const { id: ticketId } = await desk.open(people.agent.auth, await t.createAccount());
    await failedMessage(ticketId, 'ticket.opened', 'email');
    const page = await signedIn(t.adminToken, '/admin/outbox', PHONE);
    await page
      .getByRole('region', { name: 'Failed messages' })
      .getByRole('button', { name: /^Resend/ })
      .first()
      .waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'admin-outbox-phone');
    await page.getByRole('button', { name: 'Sent' }).click();
    await page.getByRole('region', { name: 'Sent messages' }).waitFor();
    expect(await fitsWidth(page)).toBe(true);
  });
});
