import { createTestApp, TestApp, unique } from './helpers/app';
import { signIn, useBrowser } from './helpers/browser';

/** The admin's Directory screen: SCIM connections, a secret shown once, counts and last errors, revoke. */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp(__filename);
});
const browser = useBrowser(() => t);
afterAll(async () => {
  await t?.close();
});

it('creates a connection whose secret is shown once and works, shows its counts and last error, and revokes it', async () => {
  const admin = await browser.tab();
  await signIn(admin, t.adminToken);
  const { page } = admin;
  await page.goto('/admin/directory');
  const name = unique('Okta ');
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create connection' }).click();
  const dialog = page.getByRole('dialog', { name: `New token for ${name}` });
  await dialog.waitFor();
  const secret = (await dialog.getByLabel('New token').textContent())!.trim();
  t.secrets.add(secret);
  expect(secret).toMatch(/^rdscim_/);
  await dialog.getByRole('button', { name: 'Done, I have stored it' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect(await page.content()).not.toContain(secret);

  const scim = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/scim+json' };
  await t.http().get('/scim/v2/Users?filter=userName%20xx').set(scim).expect(400);
  await page.getByRole('button', { name: 'Refresh' }).click();
  const row = page.getByRole('region', { name: 'SCIM connections' }).locator('tr', { hasText: name });
  await row.getByText('invalidFilter').waitFor();
  await row.getByText('1 requests, 1 errors').waitFor();

  await row.getByRole('button', { name: 'Revoke…' }).click();
  await row.getByRole('button', { name: 'Revoke', exact: true }).click();
  await row.getByText('revoked').waitFor();
  await t.http().get('/scim/v2/Users').set(scim).expect(401);
});
