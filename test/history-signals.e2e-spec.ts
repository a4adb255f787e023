import { Account } from '../src/accounts/account.entity';
import { CLI } from '../src/audit/audit-actor';
import { StaffService } from '../src/staff/staff.service';
import { createTestApp, TestApp, unique } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

/**
 * The history-aware risk signals against the real service: a tier lowered, a manager (or the manager's e-mail)
 * changed, an approver minted days ago. Default policy (14, 14 and 7 days). One admin: account changes apply at
 * once (multi-party approval is off), so each test makes the change itself, by the admin API or by SCIM.
 */
let t: TestApp;
let desk: Desk;
let admin: Auth;
let agent: Auth;
const approvers: Auth[] = [];
let scimSecret: string;

const DAY = 86_400_000;
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type TicketView = {
  id: string;
  state: string;
  tier: string;
  held: boolean;
  approvalsRequired: number;
  requiredSteps: string[];
  steps: { step: string; status: string }[];
  signals: { signal: string; reason: string; holds: boolean }[];
  approvals: { approverId: string; independent: boolean; notCounted: string[] }[];
};

beforeAll(async () => {
  t = await createTestApp(__filename, { SCIM_RATE_LIMIT: '1000', LINK_RATE_LIMIT: '1000' });
  desk = new Desk(t);
  admin = bearer(t.adminToken);
  agent = bearer((await t.createStaff(['agent'])).token);
  for (let i = 0; i < 3; i += 1) approvers.push(bearer((await t.createStaff(['approver'])).token));
  const res = await t.http().post('/v1/scim-connections').set(admin).send({ name: 'directory' }).expect(201);
  scimSecret = res.body.secret;
  t.secrets.add(scimSecret);
});
afterAll(() => t?.close());

/** Runs `fn` with the service's clock moved by `offsetMs`, then puts it back. */
async function at<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  t.clock.advance(offsetMs);
  try {
    return await fn();
  } finally {
    t.clock.advance(-offsetMs);
  }
}

const patchAccount = (account: Account, changes: Record<string, unknown>, daysAgo = 0) =>
  at(-daysAgo * DAY, async () => (await t.http().patch(`/v1/accounts/${account.id}`).set(admin).send(changes).expect(200)).body as Account);
const scimPatch = (id: string, ...Operations: unknown[]) =>
  t
    .http()
    .patch(`/scim/v2/Users/${id}`)
    .set({ Authorization: `Bearer ${scimSecret}`, 'Content-Type': 'application/scim+json' })
    .send(JSON.stringify({ schemas: [PATCH_OP], Operations }));
const view = async (id: string, who: Auth = agent) => (await t.http().get(`/v1/tickets/${id}`).set(who).expect(200)).body as TicketView;
const signal = (ticket: TicketView, code: string) => ticket.signals.find((s) => s.signal === code);
const cancel = (id: string) => t.http().post(`/v1/tickets/${id}/cancel`).set(agent).send({ reason: 'test over' });
const alerts = (template: string, about: string) =>
  t.inbox().filter((m) => m.to === 'security@example.com' && m.template === template && m.body.includes(about));

/** A subject with a manager, both created a month ago (so no change is recent but the ones a test makes). */
async function subjectWithManager(tier: Account['tier']) {
  return at(-30 * DAY, async () => {
    const manager = await t.createAccount();
    const account = await t.createAccount({ tier, managerId: manager.id });
    return { account, manager };
  });
}

describe('tier_recently_lowered', () => {
  it('a critical account lowered to standard 3 days ago opens a critical ticket, with two approvers, and says why', async () => {
    const { account } = await subjectWithManager('critical');
    await patchAccount(account, { tier: 'standard' }, 3);
    const opened = await desk.open(agent, account);
    const ticket = await view(opened.id, approvers[0]);
    expect(ticket).toMatchObject({ tier: 'critical', approvalsRequired: 2, held: false });
    expect(signal(ticket, 'tier_recently_lowered')?.reason).toMatch(
      /^the account was critical until 3 days ago \(\d{4}-\d\d-\d\d\) and is standard now, within the 14-day window: this ticket uses the critical tier's steps and approvals$/,
    );
    const audit = await t.db.query(`SELECT payload FROM audit_events WHERE target_id = $1 AND action = 'ticket.signal_raised'`, [opened.id]);
    expect(audit.rows.map((r) => r.payload.signal)).toContain('tier_recently_lowered');
    await cancel(opened.id);
  });

  it('15 days after the lowering the ticket uses the tier the account has', async () => {
    const { account } = await subjectWithManager('privileged');
    await patchAccount(account, { tier: 'standard' }, 15);
    const opened = await desk.open(agent, account);
    const ticket = await view(opened.id);
    expect(ticket).toMatchObject({ tier: 'standard', approvalsRequired: 0 });
    expect(signal(ticket, 'tier_recently_lowered')).toBeUndefined();
    await cancel(opened.id);
  });

  it('a directory (SCIM) that lowers the tier feeds the same history', async () => {
    const login = `${unique('tiered.')}@example.com`.toLowerCase();
    const created = await t
      .http()
      .post('/scim/v2/Users')
      .set({ Authorization: `Bearer ${scimSecret}`, 'Content-Type': 'application/scim+json' })
      .send(
        JSON.stringify({
          schemas: [CORE, ENTERPRISE],
          userName: login,
          userType: 'Critical',
          emails: [{ value: login, type: 'work', primary: true }],
          phoneNumbers: [{ value: '+447700911223', type: 'mobile' }],
          active: true,
        }),
      )
      .expect(201);
    await scimPatch(created.body.id, { op: 'Replace', path: 'userType', value: 'Employee' }).expect(200);
    const row = (
      await t.db.query(
        `SELECT tier, (SELECT array_agg(tier_before || '>' || tier_after) FROM account_changes WHERE account_id = $1) AS changes FROM accounts WHERE id = $1`,
        [created.body.id],
      )
    ).rows[0];
    expect(row).toEqual({ tier: 'standard', changes: ['critical>standard'] });
    const account = (await t.http().get(`/v1/accounts/${created.body.id}`).set(admin).expect(200)).body as Account;
    const opened = await desk.open(agent, account);
    expect(await view(opened.id)).toMatchObject({ tier: 'critical', approvalsRequired: 2 });
    await cancel(opened.id);
  });
});

describe('tier_recently_lowered by an import', () => {
  it('a directory import that lowers a tier and moves the manager writes both into the history the next ticket reads', async () => {
    const { account } = await subjectWithManager('critical');
    const boss = await at(-30 * DAY, () => t.createAccount());
    const row = {
      externalId: account.externalId,
      displayName: account.displayName,
      tier: 'standard',
      email: account.email,
      phone: account.phone,
      managerExternalId: boss.externalId,
      employeeNumber: account.employeeNumber,
      costCentre: account.costCentre,
    };
    const report = await t
      .http()
      .post('/v1/accounts/import')
      .set(admin)
      .send({ format: 'json', content: JSON.stringify([row]) })
      .expect(200);
    expect(report.body).toMatchObject({ updated: 1, rejected: [] });
    const changes = (await t.db.query(`SELECT changed, tier_before, tier_after, manager_after FROM account_changes WHERE account_id = $1`, [account.id])).rows;
    expect(changes).toEqual([{ changed: ['tier', 'managerId'], tier_before: 'critical', tier_after: 'standard', manager_after: boss.id }]);
    const opened = await desk.open(agent, account);
    const ticket = await view(opened.id);
    expect(ticket).toMatchObject({ tier: 'critical', held: true });
    expect(ticket.signals.map((s) => s.signal).sort()).toEqual(['manager_recently_changed', 'tier_recently_lowered']);
    await cancel(opened.id);
  });
});

describe('manager_recently_changed', () => {
  it('a privileged subject whose manager a directory changed yesterday (SCIM PATCH) is held, and security is alerted', async () => {
    const { account } = await subjectWithManager('privileged');
    const stooge = await at(-30 * DAY, () => t.createAccount());
    await at(-1 * DAY, async () => scimPatch(account.id, { op: 'replace', path: `${ENTERPRISE}:manager`, value: stooge.id }).expect(200));
    const opened = await desk.open(agent, account);
    const ticket = await view(opened.id);
    expect(ticket.held).toBe(true);
    expect(signal(ticket, 'manager_recently_changed')).toMatchObject({
      holds: true,
      reason: expect.stringMatching(
        /^the subject's manager changed 1 day ago .*within the 14-day window: a manager's attestation may reach the wrong person; held until an admin clears it$/,
      ),
    });
    await eventually(() => alerts('security.possible_social_engineering', opened.id).length > 0, 'the alert');
    expect((await t.http().post('/v1/tickets/next').set(agent)).status).not.toBe(200); // a held ticket is not handed out
    await cancel(opened.id);
  });

  it('the manager’s own registered e-mail changed (by SCIM) holds the subject’s critical ticket', async () => {
    const { account, manager } = await subjectWithManager('critical');
    const moved = `${unique('boss.')}@example.com`.toLowerCase();
    await at(-2 * DAY, async () => scimPatch(manager.id, { op: 'replace', path: 'emails[type eq "work"].value', value: moved }).expect(200));
    const opened = await desk.open(agent, account);
    const found = signal(await view(opened.id), 'manager_recently_changed');
    expect(found).toMatchObject({ holds: true, reason: expect.stringMatching(/^the manager's registered e-mail changed 2 days ago/) });
    expect(found!.reason).not.toContain(moved);
    await cancel(opened.id);
  });

  it('a standard subject whose manager an admin changed gets the privileged steps instead of a hold', async () => {
    const { account } = await subjectWithManager('standard');
    const other = await at(-30 * DAY, () => t.createAccount());
    await patchAccount(account, { managerId: other.id }, 5);
    const opened = await desk.open(agent, account);
    const ticket = await view(opened.id);
    expect(ticket.held).toBe(false);
    expect(ticket.steps.map((s) => s.step).sort()).toEqual(['directory_facts', 'government_id', 'manager_attestation', 'registered_channel_otp']);
    expect(signal(ticket, 'manager_recently_changed')?.reason).toMatch(/the privileged tier's proofing steps are required$/);
    await cancel(opened.id);
  });

  it('a manager changed 15 days ago raises nothing', async () => {
    const { account } = await subjectWithManager('privileged');
    const other = await at(-30 * DAY, () => t.createAccount());
    await patchAccount(account, { managerId: other.id }, 15);
    const opened = await desk.open(agent, account);
    expect((await view(opened.id)).signals).toEqual([]);
    await cancel(opened.id);
  });
});

describe('account history', () => {
  it('records which channel changed, by whom and when, never the value; a SCIM phone change raises channel_recently_changed', async () => {
    const { account } = await subjectWithManager('privileged');
    const phone = '+447700955661';
    await scimPatch(account.id, { op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: phone }).expect(200);
    const email = `${unique('new.')}@example.com`.toLowerCase();
    await patchAccount(account, { email });
    const rows = (await t.db.query(`SELECT * FROM account_changes WHERE account_id = $1 ORDER BY changed_at`, [account.id])).rows;
    expect(rows.map((r) => [r.changed, r.actor.split(':')[0]])).toEqual([
      [['phone'], 'directory'],
      [['email'], 'staff'],
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/955661|new\./);
    const opened = await desk.open(agent, { ...account, email, phone });
    expect(signal(await view(opened.id), 'channel_recently_changed')?.holds).toBe(true);
    await cancel(opened.id);
  });

  it('an update that changes nothing tracked writes no history', async () => {
    const { account } = await subjectWithManager('standard');
    await patchAccount(account, { displayName: 'Renamed Person' });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM account_changes WHERE account_id = $1`, [account.id])).rows[0].n).toBe(0);
  });
});

describe('approver_recently_privileged', () => {
  it('a fresh approver’s approval on a privileged ticket is recorded, shown as not counted, and an established approver is still needed', async () => {
    const { account, manager } = await subjectWithManager('privileged');
    const fresh = await t.createStaff(['approver'], { fresh: true });
    const opened = await desk.open(agent, account);
    await desk.claim(agent);
    await desk.passPrivilegedSteps(agent, opened.id, account, manager);
    expect(await desk.state(opened.id)).toBe('awaiting_approval');

    const signed = await desk.approve(bearer(fresh.token), opened.id).expect(200);
    expect(signed.body.state).toBe('awaiting_approval');
    const ticket = await view(opened.id, approvers[0]);
    expect(ticket.approvals).toEqual([
      expect.objectContaining({ approverId: fresh.staff.id, independent: false, notCounted: ['approver_recently_privileged'] }),
    ]);
    expect(signal(ticket, 'approver_recently_privileged')).toMatchObject({
      holds: false,
      reason:
        'an approval came from staff whose approver role is younger than 7 days: recorded, but not counted on a privileged ticket; 1 more approval from established approvers needed',
    });
    const signedEvent = await t.db.query(`SELECT payload FROM audit_events WHERE target_id = $1 AND action = 'ticket.signed'`, [opened.id]);
    expect(signedEvent.rows[0].payload).toMatchObject({ independent: false, notCounted: ['approver_recently_privileged'] });

    expect((await desk.approve(approvers[0], opened.id).expect(200)).body.state).toBe('approved');
  });

  it('a week after the grant the same approver counts', async () => {
    const fresh = await t.createStaff(['approver'], { fresh: true });
    const { account, manager } = await subjectWithManager('privileged');
    await at(8 * DAY, async () => {
      const opened = await desk.open(agent, account);
      await desk.claim(agent);
      await desk.passPrivilegedSteps(agent, opened.id, account, manager);
      expect((await desk.approve(bearer(fresh.token), opened.id).expect(200)).body.state).toBe('approved');
      expect(signal(await view(opened.id), 'approver_recently_privileged')).toBeUndefined();
    });
  });
});

describe('security hears of privilege', () => {
  it('granting the approver role (API), adding admin, and each token issued to such a member alert the security contact', async () => {
    const { id: accountId } = await t.createAccount();
    const created = await t
      .http()
      .post('/v1/staff')
      .set(admin)
      .send({ name: unique('new-approver-'), roles: ['approver'], accountId })
      .expect(201);
    const id = created.body.id as string;
    await eventually(() => alerts('security.privilege_granted', id).length === 1, 'the grant alert');
    expect(alerts('security.privilege_granted', id)[0].body).toMatch(
      /was granted approver by staff:[0-9a-f-]{36} at .*For 7 days their approvals do not count/,
    );
    const issued = await t.http().post(`/v1/staff/${id}/tokens`).set(admin).send({ label: 'laptop' }).expect(201);
    t.secrets.add(issued.body.token);
    await eventually(() => alerts('security.privileged_token_issued', id).length === 1, 'the token alert');
    expect(JSON.stringify(t.inbox())).not.toContain(issued.body.token);

    await t
      .http()
      .patch(`/v1/staff/${id}`)
      .set(admin)
      .send({ roles: ['approver', 'admin'] })
      .expect(200);
    await eventually(() => alerts('security.privilege_granted', id).some((m) => m.body.includes('granted admin')), 'the admin grant alert');
    const grants = (await t.db.query(`SELECT roles_granted_at FROM staff WHERE id = $1`, [id])).rows[0].roles_granted_at;
    expect(Object.keys(grants).sort()).toEqual(['admin', 'approver']);
  });

  it('re-activating a member grants its roles afresh: an approver waits out the freshness period again, and security hears of it', async () => {
    const { staff } = await t.createStaff(['approver']); // established: its role granted long ago
    const grantedAt = async () =>
      (await t.db.query(`SELECT roles_granted_at FROM staff WHERE id = $1`, [staff.id])).rows[0].roles_granted_at.approver as string;
    const established = await grantedAt();
    expect(t.clock.now().getTime() - new Date(established).getTime()).toBeGreaterThan(7 * DAY);
    await t.http().patch(`/v1/staff/${staff.id}`).set(admin).send({ active: false }).expect(200);
    expect(await grantedAt()).toBe(established); // deactivation changes no grant
    // Re-activation is a sensitive change (a second admin approves it); the command line applies it as an approval does.
    await t.app.get(StaffService).update(CLI, staff.id, { active: true });
    expect(Math.abs(t.clock.now().getTime() - new Date(await grantedAt()).getTime())).toBeLessThan(60_000);
    await eventually(() => alerts('security.privilege_granted', staff.id).some((m) => m.body.includes('granted approver')), 'the re-grant alert');
  });

  it('the command line’s staff creation and token (the operator path) alert as well; an agent alerts nobody', async () => {
    const { staff } = await t.createStaff(['approver'], { fresh: true });
    await eventually(() => alerts('security.privilege_granted', staff.id).some((m) => m.body.includes('by cli')), 'the grant alert');
    await eventually(() => alerts('security.privileged_token_issued', staff.id).some((m) => m.body.includes('by cli')), 'the token alert');
    const agentOnly = await t.createStaff(['agent']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.inbox().filter((m) => m.body.includes(agentOnly.staff.id))).toEqual([]);
  });
});
