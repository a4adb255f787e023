import type { Page } from 'playwright-core';
import { Account } from '../src/accounts/account.entity';
import { createTestApp, TestApp, unique } from './helpers/app';
import { screenshot, useBrowser } from './helpers/browser';
import { Auth, bearer, Desk } from './helpers/desk';
import { freePort, TestProvider } from './helpers/oidc';

let t: TestApp;
let provider: TestProvider;
let desk: Desk;

beforeAll(async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  provider = await TestProvider.start(base);
  t = await createTestApp(__filename, provider.appEnv(base, { STEP_UP_AMR: 'hwk' }));
  await t.app.listen(port, '127.0.0.1');
  desk = new Desk(t);
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
  await provider?.stop();
});

async function person(roles: ('agent' | 'approver')[], groups: string[], amr = ['pwd']) {
  const account = await t.createAccount();
  const { staff, token } = await t.createStaff(roles, { accountId: account.id });
  const login = unique('u');
  await provider.users({ [login]: { email: account.email, email_verified: true, name: account.displayName, groups, amr } });
  return { staff, token, login, account };
}

/** At the provider's own login page: the person types their username and password. */
async function atProviderLogin(page: Page, login: string) {
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.getByLabel('Username').fill(login);
  await page.getByLabel('Password').fill('password');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signInWithProvider(page: Page, login: string, path = '/') {
  await page.goto(path);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await atProviderLogin(page, login);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function ticketAwaitingApproval(agent: Auth, service: Auth): Promise<{ id: string; account: Account }> {
  const manager = await t.createAccount();
  const account = await t.createAccount({ tier: 'privileged', managerId: manager.id });
  (await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201)).body.codes.forEach((c: string) => t.secrets.add(c));
  const opened = await desk.open(agent, account);
  await desk.claim(agent);
  await desk.passPrivilegedSteps(agent, opened.id, account, manager);
  return { id: opened.id, account };
}

describe('console sign-in through the identity provider', () => {
  it('offers the provider first; an agent signs in on its login page, lands on the queue, and no token is readable by page script', async () => {
    const agent = await person(['agent'], ['helpdesk-agents']);
    const { page } = await browser.tab();
    await page.goto('/');
    const links = page.getByRole('link', { name: 'Sign in with Test IdP' });
    await links.waitFor();
    expect(await page.getByLabel('Staff token').isVisible()).toBe(true); // break-glass stays
    await screenshot(page, 'sign-in-with-provider');
    await signInWithProvider(page, agent.login);
    await page.waitForURL(/\/queue$/);
    expect(await page.getByText(agent.staff.name).isVisible()).toBe(true);
    const visible = await page.evaluate(() => ({ cookie: document.cookie, session: Object.keys(sessionStorage), local: Object.keys(localStorage) }));
    expect(visible).toEqual({ cookie: '', session: [], local: [] });
    const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'rd_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    t.secrets.add(cookie.value);

    // The agent works: takes the next ticket (a state-changing request; the console's client adds the CSRF token).
    const other = await t.createStaff(['agent']);
    const ticket = await desk.open(bearer(other.token), await t.createAccount());
    await page.getByRole('button', { name: 'Take next' }).click();
    await page.waitForURL(new RegExp(`/tickets/${ticket.id}$`));
    const { rows } = await t.db.query(`SELECT assigned_to FROM tickets WHERE id = $1`, [ticket.id]);
    expect(rows).toEqual([{ assigned_to: agent.staff.id }]);
    // The same request without the console's CSRF header is refused, though the browser sends the cookie.
    const bare = await page.evaluate(async () => (await fetch('/v1/tickets/next', { method: 'POST' })).status);
    expect(bare).toBe(403);
  });

  it('an approver steps up through the provider and returns to the approval, which then succeeds and records how they signed in', async () => {
    const agent = await person(['agent'], ['helpdesk-agents']);
    const approver = await person(['approver'], ['helpdesk-approvers'], ['pwd']);
    const service = bearer((await t.createStaff(['service'])).token);
    const ticket = await ticketAwaitingApproval(bearer(agent.token), service);

    const { page } = await browser.tab();
    await signInWithProvider(page, approver.login, '/approvals');
    await page.waitForURL(/\/approvals$/);
    const waiting = page.getByRole('article', { name: `Recovery for ${ticket.account.displayName}` });
    await waiting.getByLabel('Reason for your decision').fill('manager confirmed, ID checked');
    // The person now has a security key at the provider; the desk asks for it.
    await provider.users({ [approver.login]: { amr: ['hwk', 'pwd'] } });
    await waiting.getByRole('button', { name: 'Approve' }).click();
    await atProviderLogin(page, approver.login); // prompt=login: a fresh sign-in, whatever the provider's session
    await page.waitForURL(/\/approvals$/);
    expect(await desk.state(ticket.id)).toBe('awaiting_approval');
    const again = page.getByRole('article', { name: `Recovery for ${ticket.account.displayName}` });
    await again.getByLabel('Reason for your decision').fill('manager confirmed, ID checked');
    await again.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(`You approved the recovery for ${ticket.account.displayName}`).waitFor();
    const signed = await t.db.query(`SELECT payload FROM audit_events WHERE action = 'ticket.signed' AND target_id = $1`, [ticket.id]);
    expect(signed.rows[0].payload.authentication).toMatchObject({ method: 'oidc', amr: ['hwk', 'pwd'] });
  });

  it('refuses a cross-site form post carrying the session cookie, and writes nothing', async () => {
    const agent = await person(['agent'], ['helpdesk-agents']);
    const { page } = await browser.tab();
    await signInWithProvider(page, agent.login);
    const account = await t.createAccount();
    const before = await t.snapshot();
    await page.route('http://attacker.test/**', (route) =>
      route.fulfill({
        status: new URL(route.request().url()).pathname === '/' ? 200 : 404,
        contentType: 'text/html',
        body: `<form id="f" method="post" action="${browser.baseUrl}/v1/tickets" enctype="text/plain"><input name='{"accountId":"${account.id}","channel":"phone","reason":"lost_device","x":"' value='"}'></form><script>document.getElementById('f').submit()</script>`,
      }),
    );
    const answer = page.waitForResponse((res) => res.url() === `${browser.baseUrl}/v1/tickets`);
    await page.goto('http://attacker.test/');
    expect((await answer).status()).toBeGreaterThanOrEqual(400);
    expect((await answer).status()).toBeLessThan(500);
    expect(await t.snapshot()).toEqual(before);
  });

  it('signs out at the desk and at the provider', async () => {
    const agent = await person(['agent'], ['helpdesk-agents']);
    const { page } = await browser.tab();
    await signInWithProvider(page, agent.login);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === provider.issuer && url.pathname.startsWith('/session/end'));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor(); // back at the desk (post_logout_redirect_uri)
    const { rows } = await t.db.query(`SELECT count(*)::int AS live FROM staff_sessions WHERE staff_id = $1 AND ended_at IS NULL`, [agent.staff.id]);
    expect(rows).toEqual([{ live: 0 }]);
  });
});
