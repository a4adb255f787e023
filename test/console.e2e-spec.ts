import { createTestApp, TestApp } from './helpers/app';
import { signIn, useBrowser } from './helpers/browser';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp(__filename);
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
});

describe('the console shell', () => {
  it('shows the sign-in screen at /, with strict page headers', async () => {
    const { page } = await browser.tab();
    const response = await page.goto('/');
    expect(response!.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['referrer-policy']).toBe('no-referrer');
    await page.getByLabel('Staff token').waitFor();
    expect(await page.getByRole('heading', { name: 'Recovery desk' }).isVisible()).toBe(true);
  });

  it('keeps the token in sessionStorage only, never in localStorage or the address', async () => {
    const { staff, token } = await t.createStaff(['auditor']);
    const opened = await browser.tab();
    await signIn(opened, token);
    expect(await opened.page.getByText(staff.name).isVisible()).toBe(true);
    const storage = await opened.page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage), href: location.href }));
    expect(storage.session).toContain(token);
    expect(storage.local).not.toContain(token);
    expect(storage.href).not.toContain(token);
  });

  it('refuses a wrong token with the server’s message and stays on sign-in', async () => {
    const { page } = await browser.tab();
    await page.goto('/');
    await page.getByLabel('Staff token').fill('rd_not-a-real-token-000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByLabel('Staff token').isVisible()).toBe(true);
  });

  it('lands an expired token on sign-in with a clear notice when the console is opened again', async () => {
    const { token } = await t.createStaff(['agent'], { expiresInDays: 1 });
    const opened = await browser.tab();
    await signIn(opened, token);
    // A page that polls nothing, so the only request after the reload is the session check.
    await opened.page.goto('/no-such-page');
    await opened.page.getByText('There is no such page').waitFor();
    t.clock.advance(2 * 24 * 60 * 60 * 1000);
    try {
      await opened.page.reload();
      await opened.page.getByText('Your session has ended').waitFor();
    } finally {
      t.clock.reset();
    }
    expect(await opened.page.getByLabel('Staff token').isVisible()).toBe(true);
    expect(await opened.page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('lands on sign-in by itself when the token expires while the queue is open (its next refresh)', async () => {
    const { token } = await t.createStaff(['agent'], { expiresInDays: 1 });
    const opened = await browser.tab();
    await signIn(opened, token);
    await opened.page.getByRole('heading', { name: 'Recovery queue' }).waitFor();
    t.clock.advance(2 * 24 * 60 * 60 * 1000);
    try {
      await opened.page.getByText('Your session has ended').waitFor();
    } finally {
      t.clock.reset();
    }
    expect(await opened.page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('sends an API 404 for unknown /v1 paths, not the console', async () => {
    await t.http().get('/v1/nothing-here').expect(404).expect('Content-Type', /json/);
  });
});
