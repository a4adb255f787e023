import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Account, AccountTier } from '../src/accounts/account.entity';
import { createTestApp, TestApp, unique } from './helpers/app';
import { Auth, bearer, Desk } from './helpers/desk';

/**
 * Property: for random account histories over 30 days (tier, channel and manager changes, and the manager's own
 * e-mail), the tier a ticket opened now uses and the signals it raises match a small reference model that replays
 * the timeline, rather than reading the history table as the service does. Default windows (14 days each).
 * Changes are made through the admin API at past clock times; event times sit at whole days plus 0-11 hours and
 * the ticket at 30 days 12 hours, so no change falls on a window's edge.
 */
let t: TestApp;
let desk: Desk;
let admin: Auth;
let agent: Auth;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const WINDOW_DAYS = 14;
const NOW_OFFSET = 30 * DAY + 12 * HOUR;
const STRENGTH: Record<AccountTier, number> = { standard: 0, privileged: 1, critical: 2 };
const TIERS: AccountTier[] = ['standard', 'privileged', 'critical'];

type Event =
  | { at: number; kind: 'tier'; tier: AccountTier }
  | { at: number; kind: 'phone' | 'email' | 'managerEmail' }
  | { at: number; kind: 'manager'; to: 0 | 1 | null };

beforeAll(async () => {
  // Many privileged tickets in one hour: desk velocity is not what this file checks.
  const dir = mkdtempSync(join(tmpdir(), 'rd-history-model-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ risk: { deskVelocity: { maxPrivilegedTickets: 10_000 } } }));
  t = await createTestApp(__filename, { POLICY_FILE: policyFile });
  desk = new Desk(t);
  admin = bearer(t.adminToken);
  agent = bearer((await t.createStaff(['agent'])).token);
});
afterAll(() => t?.close());

/** The reference model: replay the timeline, look at what held within the window before `now`. */
function model(initial: { tier: AccountTier; manager: 0 | 1 | null }, events: Event[], now: number) {
  const since = now - WINDOW_DAYS * DAY;
  let tier = initial.tier;
  let manager = initial.manager;
  const tiersHeld = new Set<AccountTier>();
  let channelChanged = false;
  let managerChanged = false;
  const managerEmailChangedAt: Record<0 | 1, number[]> = { 0: [], 1: [] };
  for (const event of events) {
    if (event.at > since) {
      // The tier in effect when the window opened (the last one set before it) was held in the window.
      if (tiersHeld.size === 0) tiersHeld.add(tier);
    }
    if (event.kind === 'tier') {
      if (event.tier === tier) continue; // no change, nothing recorded
      tier = event.tier;
      if (event.at > since) tiersHeld.add(tier);
    } else if (event.kind === 'phone' || event.kind === 'email') {
      if (event.at > since) channelChanged = true;
    } else if (event.kind === 'manager') {
      if (event.to === manager) continue;
      manager = event.to;
      if (event.at > since) managerChanged = true;
    } else if (manager !== null) {
      managerEmailChangedAt[manager].push(event.at);
    }
  }
  tiersHeld.add(tier);
  const used = [...tiersHeld].reduce((a, b) => (STRENGTH[b] > STRENGTH[a] ? b : a));
  // The CURRENT manager's e-mail changes count, whoever was the manager when they happened.
  const managerEmail = manager !== null && managerEmailChangedAt[manager].some((at) => at > since);
  const signals: string[] = [];
  if (channelChanged) signals.push('channel_recently_changed');
  if (STRENGTH[used] > STRENGTH[tier]) signals.push('tier_recently_lowered');
  if (managerChanged || managerEmail) signals.push('manager_recently_changed');
  const held = used !== 'standard' && (channelChanged || managerChanged || managerEmail);
  return { tier: used, signals: signals.sort(), held };
}

const event = fc.oneof(
  fc.record({ kind: fc.constant('tier' as const), tier: fc.constantFrom(...TIERS) }),
  fc.record({ kind: fc.constantFrom('phone' as const, 'email' as const, 'managerEmail' as const) }),
  fc.record({ kind: fc.constant('manager' as const), to: fc.constantFrom(0 as const, 1 as const, null) }),
);
const timed = fc.record({ day: fc.integer({ min: 0, max: 30 }), hour: fc.integer({ min: 0, max: 11 }), event });
const history = fc.record({
  tier: fc.constantFrom(...TIERS),
  manager: fc.constantFrom(0 as const, 1 as const, null),
  events: fc.array(timed, { maxLength: 8 }),
});

/** Runs `fn` with the service's clock at `offsetMs` from the ticket's "now" (negative: in the past). */
async function at<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  t.clock.advance(offsetMs);
  try {
    return await fn();
  } finally {
    t.clock.advance(-offsetMs);
  }
}

const patch = (id: string, changes: Record<string, unknown>) => t.http().patch(`/v1/accounts/${id}`).set(admin).send(changes).expect(200);
const freshPhone = () => `+4477008${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
const freshEmail = () => `${unique('h.').toLowerCase()}@example.com`;

it('the tier used and the signals raised match the reference model', async () => {
  await fc.assert(
    fc.asyncProperty(history, async ({ tier, manager, events }) => {
      // Times relative to the start of the 30 days; the ticket opens at NOW_OFFSET, the clock's "now".
      const timeline: Event[] = events.map(({ day, hour, event: e }) => ({ ...e, at: day * DAY + hour * HOUR }) as Event).sort((a, b) => a.at - b.at);
      const past = (at: number) => at - NOW_OFFSET;
      const { managers, account } = await at(past(-DAY), async () => {
        const managers = [await t.createAccount(), await t.createAccount()];
        const account = await t.createAccount({ tier, managerId: manager === null ? undefined : managers[manager].id });
        return { managers, account };
      });
      let current: 0 | 1 | null = manager;
      for (const e of timeline) {
        await at(past(e.at), async () => {
          if (e.kind === 'tier') await patch(account.id, { tier: e.tier });
          else if (e.kind === 'phone') await patch(account.id, { phone: freshPhone() });
          else if (e.kind === 'email') await patch(account.id, { email: freshEmail() });
          else if (e.kind === 'manager') {
            if (e.to !== null) await patch(account.id, { managerId: managers[e.to].id });
            else if (current !== null) await patch(account.id, { managerId: null });
            current = e.to;
          } else if (current !== null) await patch(managers[current].id, { email: freshEmail() });
        });
      }
      const expected = model({ tier, manager }, timeline, NOW_OFFSET);
      const opened = await desk.open(agent, account as Account);
      const ticket = (await t.http().get(`/v1/tickets/${opened.id}`).set(agent).expect(200)).body as {
        tier: string;
        held: boolean;
        signals: { signal: string }[];
      };
      await t.http().post(`/v1/tickets/${opened.id}/cancel`).set(agent).send({ reason: 'model checked' }).expect(200);
      expect({ tier: ticket.tier, signals: ticket.signals.map((s) => s.signal).sort(), held: ticket.held }).toEqual(expected);
    }),
    { numRuns: 40 },
  );
});
