import type { Page } from 'playwright-core';
import { createTestApp, TestApp, unique } from './helpers/app';
import { PHONE, screenshot, signIn, useBrowser } from './helpers/browser';
import { eventually } from './helpers/wait';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp(__filename);
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
});

async function signedIn(token: string, path: string, viewport?: typeof PHONE): Promise<Page> {
  const opened = await browser.tab(viewport);
  await signIn(opened, token);
  await opened.page.goto(path);
  return opened.page;
}

const countAccounts = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts')).rows[0].n;

describe('staff (admin)', () => {
  it('creates a member and issues a token that is shown once and signs in as that member in a fresh tab', async () => {
    const admin = await browser.tab();
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: browser.baseUrl });
    await signIn(admin, t.adminToken);
    const { page } = admin;
    await page.goto('/admin/staff');
    const name = unique('Dana Agent ');

    await page.getByRole('button', { name: 'New staff member' }).click();
    const form = page.getByRole('form', { name: 'New staff member' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('agent', { exact: true }).check();
    // An agent is linked to the employee account they are (staff rule ticket-roles-need-an-account).
    const person = await t.createAccount();
    await form.getByLabel('Find linked account').fill(person.externalId);
    await form.getByRole('button', { name: `Pick ${person.displayName} (${person.externalId})` }).click();
    await form.getByRole('button', { name: 'Create staff member' }).click();
    await page.getByRole('heading', { name: `Manage ${name}` }).waitFor();
    await page.getByRole('region', { name: 'Staff members' }).getByText(name).waitFor();

    await page.getByLabel('Label').fill('front desk laptop');
    await page.getByRole('button', { name: 'Issue token' }).click();
    const dialog = page.getByRole('dialog', { name: `New token for ${name}` });
    await dialog.waitFor();
    const token = (await dialog.getByLabel('New token').textContent())!.trim();
    t.secrets.add(token);
    expect(token).toMatch(/^rds_/);
    expect(await dialog.getByText('it will not be shown again').isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await screenshot(page, 'admin-staff-token');

    await dialog.getByRole('button', { name: 'Done, I have stored it' }).click();
    await dialog.waitFor({ state: 'detached' });
    const tokens = page.getByRole('list', { name: `Tokens of ${name}` });
    await tokens.getByText('front desk laptop').waitFor();
    expect(await page.content()).not.toContain(token);
    const kept = await page.evaluate(() => JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage }, href: location.href }));
    expect(kept).not.toContain(token);
    await screenshot(page, 'admin-staff');

    const fresh = await browser.tab();
    await signIn(fresh, token);
    expect(await fresh.page.locator('.whoami').textContent()).toContain(name);
    expect(await fresh.page.locator('.whoami').textContent()).toContain('agent');
  });

  it('hides admin screens from an agent, and a direct visit shows the not-for-your-role page', async () => {
    const { token } = await t.createStaff(['agent']);
    const page = await signedIn(token, '/');
    const nav = page.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('link').first().waitFor();
    const links = await nav.getByRole('link').allInnerTexts();
    for (const adminScreen of ['Staff', 'Accounts', 'Critical systems', 'Code hygiene', 'Audit']) expect(links).not.toContain(adminScreen);
    await page.goto('/admin/staff');
    await page.getByText('There is no such page for your roles').waitFor();
    expect(await page.getByRole('heading', { name: 'Staff' }).count()).toBe(0);
  });
});

describe('accounts (admin)', () => {
  it('shows the server’s refusal of a bad e-mail at the field and creates nothing, then creates the fixed account', async () => {
    const page = await signedIn(t.adminToken, '/admin/accounts');
    const before = await countAccounts();
    const externalId = unique('E');
    await page.getByRole('button', { name: 'New account' }).click();
    const form = page.getByRole('form', { name: 'New account' });
    await form.getByLabel('External id').fill(externalId);
    await form.getByLabel('Display name').fill('Jane Field');
    await form.getByLabel('Tier').selectOption('privileged');
    await form.getByLabel('E-mail').fill('jane at example');
    await form.getByLabel('Phone').fill('+447700900234');
    await form.getByRole('button', { name: 'Create account' }).click();

    const email = form.getByLabel('E-mail');
    await form.locator('.field-error').first().waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await email.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe('must be an e-mail address');
    expect(await form.getByLabel('Phone').getAttribute('aria-invalid')).toBeNull();
    expect(await countAccounts()).toBe(before);
    await screenshot(page, 'admin-accounts-field-error');

    await email.fill('jane.field@example.com');
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.getByText(`Jane Field (${externalId}) saved.`).waitFor();
    expect(await countAccounts()).toBe(before + 1);
    await page.getByRole('region', { name: 'Accounts' }).getByText('jane.field@example.com').waitFor();
  });

  it('imports a CSV file with one good and one bad row and reports both', async () => {
    const page = await signedIn(t.adminToken, '/admin/accounts');
    const good = unique('IMP');
    const csv = [
      'externalId,displayName,tier,email,phone,managerExternalId,employeeNumber,costCentre',
      `${good},Ivy Import,standard,ivy.${good.toLowerCase()}@example.com,+447700900111,,7001,CC-1`,
      `${good}-bad,Bad Row,standard,not-an-email,+447700900112,,7002,CC-1`,
    ].join('\n');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    await page.getByLabel('File').setInputFiles({ name: 'directory.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('Read directory.csv').waitFor();
    expect(await page.getByLabel('Content (or paste it here)').inputValue()).toBe(csv);
    await page.getByRole('button', { name: 'Import', exact: true }).click();

    const report = page.getByRole('region', { name: 'Rows of the import' });
    await report.waitFor();
    const rows = await report.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^1\s.*accepted/s);
    expect(rows[1]).toMatch(/^2\s.*rejected.*email must be an e-mail address/s);
    expect(rows[1]).toContain(`${good}-bad`);
    expect(await page.getByText('1 created').isVisible()).toBe(true);
    expect(await page.getByText('1 rejected').isVisible()).toBe(true);
    expect((await t.db.query('SELECT 1 FROM accounts WHERE external_id = $1', [good])).rowCount).toBe(1);
    expect((await t.db.query('SELECT 1 FROM accounts WHERE external_id = $1', [`${good}-bad`])).rowCount).toBe(0);
    await screenshot(page, 'admin-accounts-import');
  });

  it('has no horizontal overflow of the page at 390×844', async () => {
    await t.createAccount({ displayName: 'Maximiliana Longname-Worthington', email: 'maximiliana.longname-worthington@subsidiary.example.com' });
    const page = await signedIn(t.adminToken, '/admin/accounts', PHONE);
    await page.getByRole('region', { name: 'Accounts' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'admin-accounts-phone');
    await page.getByRole('button', { name: 'New account' }).click();
    await page.getByRole('form', { name: 'New account' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('searches accounts by part of the name', async () => {
    const wanted = await t.createAccount({ displayName: 'Quentin Searchable' });
    await t.createAccount({ displayName: 'Someone Else' });
    const page = await signedIn(t.adminToken, '/admin/accounts');
    const table = page.getByRole('region', { name: 'Accounts' });
    await table.getByText('Someone Else').waitFor();
    await page.getByRole('search').getByLabel('Search').fill('searchab');
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await eventually(async () => (await table.locator('tbody tr').count()) === 1, 'one match');
    expect(await table.locator('tbody tr').innerText()).toContain(wanted.externalId);
    await screenshot(page, 'admin-accounts');
    await page.getByRole('button', { name: 'Show all' }).click();
    await table.getByText('Someone Else').waitFor();
  });

  it('pages through more than one page of accounts with “More”', async () => {
    for (let i = 0; i < 52; i += 1) await t.createAccount({ displayName: `Paged Person ${String(i).padStart(2, '0')}` });
    const total = await countAccounts();
    const page = await signedIn(t.adminToken, '/admin/accounts');
    const rows = page.getByRole('region', { name: 'Accounts' }).locator('tbody tr');
    await eventually(async () => (await rows.count()) === 50, 'the first page of 50');
    await page.getByRole('button', { name: 'More' }).click();
    await eventually(async () => (await rows.count()) === total, `all ${total} accounts`);
    expect(await page.getByRole('button', { name: 'More' }).count()).toBe(0);
  });
});

describe('critical systems (admin)', () => {
  it('creates a system with two custodians, and shows the refusal to go below k', async () => {
    const alice = await t.createAccount({ displayName: 'Alice Custodian', tier: 'critical' });
    const bob = await t.createAccount({ displayName: 'Bob Custodian', tier: 'critical' });
    const page = await signedIn(t.adminToken, '/admin/systems');
    await page.getByText('No critical systems yet.').waitFor();
    await page.getByRole('button', { name: 'New critical system' }).click();
    const form = page.getByRole('form', { name: 'New critical system' });
    await form.getByLabel('Name', { exact: true }).fill('payments-hsm');
    for (const account of [alice, bob]) {
      await form.getByLabel('Find a custodian').fill(account.externalId);
      await form.getByRole('button', { name: `Pick ${account.displayName} (${account.externalId})` }).click();
    }
    await form.getByText('Custodians (2 chosen; at least k)').waitFor();
    await form.getByRole('button', { name: 'Create critical system' }).click();

    const card = page.getByRole('group', { name: 'Critical system payments-hsm' });
    await card.waitFor();
    await card.getByText('Alice Custodian').waitFor(); // names arrive after the card: custodians are ids
    await card.getByText('Bob Custodian').waitFor();
    expect(await card.getByText('2 of 2').isVisible()).toBe(true);
    const [row] = (await t.db.query('SELECT count(*)::int AS n FROM critical_system_custodians')).rows as { n: number }[];
    expect(row.n).toBe(2);

    await card.getByRole('button', { name: 'Remove custodian Alice Custodian' }).click();
    await card.getByRole('alert').getByText('fewer than k (2)').waitFor();
    await screenshot(page, 'admin-systems');
  });
});

describe('code hygiene (admin, auditor)', () => {
  it('renders the report with its tables and empty states', async () => {
    const lonely = await t.createAccount({ displayName: 'Nora Nocodes' });
    const { token } = await t.createStaff(['auditor']);
    const page = await signedIn(token, '/reports/hygiene');
    await page.getByRole('heading', { name: 'Code hygiene' }).waitFor();
    await page.getByRole('region', { name: 'No codes at all' }).getByText(lonely.displayName).waitFor();
    expect(await page.getByText('No active set is past its rotation date.').isVisible()).toBe(true);
    expect(await page.getByText('No active set is running low on codes.').isVisible()).toBe(true);
    await screenshot(page, 'reports-hygiene');
  });
});

describe('audit trail (auditor)', () => {
  /** What an attacker with database access (but not the app) would do: bypass the trigger, after the event was witnessed. */
  async function tamper(seq: number): Promise<void> {
    await t
      .http()
      .post('/v1/audit/checkpoint')
      .set({ Authorization: `Bearer ${t.adminToken}` })
      .expect(200);
    await t.db.query('BEGIN');
    await t.db.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await t.db.query(`UPDATE audit_events SET payload = jsonb_set(payload, '{tier}', '"critical"') WHERE seq = $1`, [seq]);
    await t.db.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    await t.db.query('COMMIT');
  }

  it('filters by action, pages with the cursor, and verifies the log', async () => {
    for (let i = 0; i < 30; i += 1) await t.createAccount();
    const { token } = await t.createStaff(['auditor']);
    const page = await signedIn(token, '/audit');
    const events = page.getByRole('region', { name: 'Audit events' });
    await events.waitFor();

    await page.getByLabel('Per page').selectOption('25');
    await page.getByLabel('Action').fill('account.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const shown = async () => ({
      seqs: (await events.locator('tbody tr td:nth-child(1)').allInnerTexts()).map((s) => Number(s.replace(/\D/g, ''))),
      actions: new Set(await events.locator('tbody tr td:nth-child(4)').allInnerTexts()),
    });
    const onlyCreations = (page: { seqs: number[]; actions: Set<string> }) => page.actions.size === 1 && page.actions.has('account.created');
    const first = await eventually(async () => {
      const page = await shown();
      return page.seqs.length === 25 && onlyCreations(page) && page.seqs;
    }, 'the first filtered page');
    expect(first).toEqual([...first].sort((a, b) => b - a));
    await screenshot(page, 'audit');

    await page.getByRole('button', { name: 'Older →' }).click();
    const second = await eventually(async () => {
      const page = await shown();
      return page.seqs[0] !== first[0] && page.seqs.length > 0 && onlyCreations(page) && page.seqs;
    }, 'the second page');
    expect(Math.max(...second)).toBeLessThan(Math.min(...first));
    expect(await page.getByText('Page 2 ·').isVisible()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await eventually(async () => (await shown()).seqs[0] === first[0], 'the first page again');
    expect((await shown()).seqs).toEqual(first);

    await t
      .http()
      .post('/v1/audit/checkpoint')
      .set({ Authorization: `Bearer ${t.adminToken}` })
      .expect(200);
    const [{ n }] = (await t.db.query('SELECT count(*)::int AS n FROM audit_leaves')).rows as { n: number }[];
    await page.getByRole('button', { name: 'Verify log' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'The log holds' });
    await verdict.waitFor();
    const checked = Number((await verdict.textContent())!.match(/([\d,]+) events recomputed/)![1].replace(/,/g, ''));
    expect(checked).toBeGreaterThanOrEqual(n);
  });

  it('names and highlights the first broken event after a row is rewritten in the database', async () => {
    const victim = await t.createAccount({ displayName: 'Victor Victim' });
    const [{ seq }] = (await t.db.query(`SELECT seq::int FROM audit_events WHERE target_id = $1 AND action = 'account.created'`, [victim.id])).rows as {
      seq: number;
    }[];
    await tamper(seq);
    const { token } = await t.createStaff(['auditor']);
    const page = await signedIn(token, '/audit');
    await page.getByRole('region', { name: 'Audit events' }).waitFor();
    await page.getByRole('button', { name: 'Verify log' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The log is broken' });
    await alert.waitFor();
    expect(await alert.locator('.adm-broken-seq').textContent()).toBe(`#${seq}`);
    const row = page.getByRole('row', { name: `Event ${seq}: first broken link` });
    expect(await row.isVisible()).toBe(true);
    expect(await row.getByText('broken').isVisible()).toBe(true);
    await screenshot(page, 'audit-broken');
  });
});

describe('every admin and auditor screen at 390×844', () => {
  it('keeps the page body within the phone’s width', async () => {
    const opened = await browser.tab(PHONE);
    await signIn(opened, t.adminToken);
    // Each screen, and the button that opens its busiest state (a member's detail, the new-system form).
    for (const [path, open, name] of [
      ['/admin/staff', 'Manage', 'admin-staff-phone'],
      ['/admin/systems', 'New critical system', 'admin-systems-phone'],
      ['/reports/hygiene', 'Refresh', 'reports-hygiene-phone'],
      ['/audit', 'Verify log', 'audit-phone'],
    ] as const) {
      await opened.page.goto(path);
      await opened.page.getByRole('button', { name: open }).last().click();
      await opened.page.waitForLoadState('networkidle');
      await opened.page.evaluate(() => document.querySelectorAll('.adm-table-wrap').forEach((wrap) => wrap.scrollTo(0, 0)));
      const width = await opened.page.evaluate(() => document.documentElement.scrollWidth);
      expect(width <= PHONE.width ? path : `${path} is ${width}px wide`).toBe(path);
      await screenshot(opened.page, name);
    }
  });
});
