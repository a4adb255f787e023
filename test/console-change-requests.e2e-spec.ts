import type { Page } from 'playwright-core';
import { createTestApp, TestApp } from './helpers/app';
import { screenshot, signIn, useBrowser } from './helpers/browser';
import { bearer } from './helpers/desk';

/**
 * The console's Change requests screen and a sensitive form: with two admins, an account's phone change says it
 * needs a second admin, shows the pending request after saving; the requester sees it but cannot review it (and
 * why); the other admin approves it with a reason and the change applies.
 */
let t: TestApp;
let otherAdmin: string;

beforeAll(async () => {
  t = await createTestApp(__filename);
  otherAdmin = (await t.createStaff(['admin'])).token;
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
});

async function signedIn(token: string, path: string): Promise<Page> {
  const opened = await browser.tab();
  await signIn(opened, token);
  await opened.page.goto(path);
  return opened.page;
}

it('a phone change becomes a change request the other admin approves on the Change requests screen', async () => {
  const account = await t.createAccount({ tier: 'critical', displayName: 'Casey Critical' });
  const requester = await signedIn(t.adminToken, '/admin/accounts');
  await requester.getByRole('search').getByLabel('Search').fill(account.externalId);
  await requester.getByRole('search').getByRole('button', { name: 'Search' }).click();
  await requester.getByRole('button', { name: 'Edit Casey Critical' }).click();
  const form = requester.getByRole('form', { name: 'Edit Casey Critical' });
  await form.getByLabel('Phone').fill('+447700900555');
  await form.getByText(/This will need a second admin/).waitFor();
  await form.getByRole('button', { name: 'Save changes' }).click();
  await form.getByText(/Waiting for a second admin: change request/).waitFor();
  expect((await t.db.query('SELECT phone FROM accounts WHERE id = $1', [account.id])).rows[0].phone).toBe(account.phone);

  await requester.goto('/admin/change-requests');
  const own = requester.getByRole('article').filter({ hasText: account.id }).first();
  await own.getByText('You cannot review this: you made this request').waitFor();
  await screenshot(requester, 'change-requests-own');

  const reviewer = await signedIn(otherAdmin, '/admin/change-requests');
  await reviewer
    .getByRole('note', { name: 'Multi-party approval' })
    .getByText(/Multi-party approval is on/)
    .waitFor();
  const card = reviewer.getByRole('article').filter({ hasText: account.id }).first();
  await card.getByRole('table', { name: 'Before and after' }).getByText('+447700900555').waitFor();
  await card.getByLabel('Reason').fill('confirmed with the employee by video call');
  await card.getByRole('button', { name: 'Approve and apply' }).click();
  await reviewer.getByText(/is now applied/).waitFor();
  expect((await t.db.query('SELECT phone FROM accounts WHERE id = $1', [account.id])).rows[0].phone).toBe('+447700900555');
  await screenshot(reviewer, 'change-requests-approved');
  expect((await t.http().get('/v1/change-requests').set(bearer(otherAdmin))).body.items[0]).toMatchObject({ state: 'applied' });
});

it('a critical system’s k change says it needs a second admin, shows the pending request, and reads as such to the reviewer', async () => {
  const [a, b, c] = [await t.createAccount({ tier: 'critical' }), await t.createAccount({ tier: 'critical' }), await t.createAccount({ tier: 'critical' })];
  const system = (
    await t
      .http()
      .post('/v1/critical-systems')
      .set(bearer(t.adminToken))
      .send({ name: 'vault-hsm', custodianIds: [a.id, b.id, c.id] })
      .expect(201)
  ).body;
  const requester = await signedIn(t.adminToken, '/admin/systems');
  await requester.getByText(/This will need a second admin/).waitFor();
  const rule = requester.getByRole('form', { name: 'Unlock rule of vault-hsm' });
  await rule.getByLabel('Custodians needed (k)').fill('3');
  await rule.getByRole('button', { name: 'Change the rule' }).click();
  const card = requester.getByRole('group', { name: 'Critical system vault-hsm' });
  await card.getByText(/Waiting for a second admin: change request/).waitFor();
  expect((await t.db.query('SELECT k FROM critical_systems WHERE id = $1', [system.id])).rows[0].k).toBe(2);
  await screenshot(requester, 'admin-systems-pending');

  const reviewer = await signedIn(otherAdmin, '/admin/change-requests');
  const request = reviewer.getByRole('article').filter({ hasText: system.id }).first();
  await request.getByRole('heading', { name: /critical system’s k or window/ }).waitFor();
  await request.getByLabel('Reason').fill('three signatures agreed with the owner');
  await request.getByRole('button', { name: 'Approve and apply' }).click();
  await reviewer.getByText(/is now applied/).waitFor();
  expect((await t.db.query('SELECT k FROM critical_systems WHERE id = $1', [system.id])).rows[0].k).toBe(3);
});

it('a SCIM connection another admin approved: its requester fetches the secret once on the Directory screen', async () => {
  const requester = await signedIn(t.adminToken, '/admin/directory');
  await requester.getByText(/This will need a second admin/).waitFor();
  await requester.getByLabel('Name').fill('Okta staging');
  await requester.getByRole('button', { name: 'Create connection' }).click();
  await requester.getByText(/Waiting for a second admin: change request/).waitFor();
  const [request] = (await t.db.query(`SELECT id FROM change_requests WHERE kind = 'scim_connection.create' AND state = 'pending'`)).rows as { id: string }[];
  await t.http().post(`/v1/change-requests/${request.id}/approve`).set(bearer(otherAdmin)).send({ reason: 'staging directory agreed' }).expect(200);

  const other = await signedIn(otherAdmin, '/admin/directory');
  await other.getByText('only the admin who asked for it can fetch its secret').waitFor();
  await requester.reload();
  await requester.getByRole('button', { name: 'Show its secret (once)' }).click();
  const secret = (await requester.getByRole('dialog').getByLabel('New token').textContent())!.trim();
  t.secrets.add(secret);
  expect(secret).toMatch(/^rdscim_/);
  await t
    .http()
    .get('/scim/v2/Users?count=1')
    .set({ Authorization: `Bearer ${secret}` })
    .expect(200);
});
