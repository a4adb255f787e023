import fc from 'fast-check';
import { RiskPolicy } from '../../config/policy';
import { regrant } from '../../staff/role-grants';
import {
  changedWithin,
  freshApproverSignal,
  HistoryFacts,
  isFreshApprover,
  managerChangedSignal,
  notCountedReasons,
  tierInWindow,
  tierLoweredSignal,
} from './history-signals';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');
const policy = new RiskPolicy();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

function facts(overrides: Partial<HistoryFacts> = {}): HistoryFacts {
  return {
    now: NOW,
    tier: 'standard',
    canAddSteps: true,
    accountTier: 'standard',
    tierChanges: [],
    managerChangedAt: null,
    managerEmailChangedAt: null,
    approvalsRequired: 1,
    approvals: [],
    ...overrides,
  };
}

describe('windows', () => {
  it('are inclusive of their last day and count a stamp in the future', () => {
    expect(changedWithin(daysAgo(14), NOW, 14)).toBe(true);
    expect(changedWithin(new Date(daysAgo(14).getTime() - 1), NOW, 14)).toBe(false);
    expect(changedWithin(new Date(NOW.getTime() + DAY), NOW, 14)).toBe(true);
    expect(changedWithin(null, NOW, 14)).toBe(false);
  });
});

describe('tier in the window', () => {
  it('uses the highest tier held within the window, and names when it was lost', () => {
    const changes = [
      { at: daysAgo(20), before: 'critical' as const },
      { at: daysAgo(10), before: 'privileged' as const },
      { at: daysAgo(2), before: 'standard' as const },
    ];
    expect(tierInWindow('standard', changes, NOW, 14)).toEqual({ tier: 'privileged', lowered: changes[1] });
    expect(tierInWindow('standard', changes, NOW, 30)).toEqual({ tier: 'critical', lowered: changes[0] });
    expect(tierInWindow('standard', changes, NOW, 5)).toEqual({ tier: 'standard', lowered: null });
    expect(tierInWindow('critical', changes, NOW, 30)).toEqual({ tier: 'critical', lowered: null });
  });

  it('never uses a tier below the current one, whatever the history (property)', () => {
    const tier = fc.constantFrom('standard' as const, 'privileged' as const, 'critical' as const);
    const rank = { standard: 0, privileged: 1, critical: 2 };
    fc.assert(
      fc.property(tier, fc.array(fc.record({ days: fc.integer({ min: 0, max: 40 }), before: tier })), (current, raw) => {
        const changes = raw.map((c) => ({ at: daysAgo(c.days), before: c.before }));
        const { tier: used, lowered } = tierInWindow(current, changes, NOW, 14);
        const inWindow = changes.filter((c) => c.at >= daysAgo(14)).map((c) => rank[c.before]);
        expect(rank[used]).toBe(Math.max(rank[current], ...inWindow));
        expect(lowered === null).toBe(used === current);
      }),
    );
  });

  it('raises tier_recently_lowered with the tier the ticket uses; holds only a ticket below the lost tier', () => {
    const lowered = facts({ tier: 'critical', accountTier: 'standard', tierChanges: [{ at: daysAgo(3), before: 'critical' }] });
    expect(tierLoweredSignal(lowered, policy)).toMatchObject({
      signal: 'tier_recently_lowered',
      holds: false,
      reason: expect.stringMatching(/uses the critical tier's steps and approvals$/),
    });
    expect(tierLoweredSignal({ ...lowered, tier: 'standard' }, policy)).toMatchObject({ holds: true });
    expect(tierLoweredSignal(facts({ tierChanges: [{ at: daysAgo(15), before: 'critical' }] }), policy)).toBeUndefined();
  });
});

describe('manager_recently_changed', () => {
  it('fires for the subject’s manager or the manager’s e-mail changed within 14 days, not 15', () => {
    expect(managerChangedSignal(facts({ managerChangedAt: daysAgo(13) }), policy)?.signal).toBe('manager_recently_changed');
    expect(managerChangedSignal(facts({ managerEmailChangedAt: daysAgo(13) }), policy)?.reason).toMatch(/^the manager's registered e-mail changed 13 days ago/);
    expect(managerChangedSignal(facts({ managerChangedAt: daysAgo(15), managerEmailChangedAt: daysAgo(15) }), policy)).toBeUndefined();
  });

  it('holds privileged and critical tickets, and a standard one past proofing; otherwise asks for the next tier’s steps', () => {
    const changed = { managerChangedAt: daysAgo(1) };
    expect(managerChangedSignal(facts(changed), policy)).toMatchObject({
      holds: false,
      reason: expect.stringMatching(/the privileged tier's proofing steps are required$/),
    });
    expect(managerChangedSignal(facts({ ...changed, canAddSteps: false }), policy)?.holds).toBe(true);
    for (const tier of ['privileged', 'critical'] as const) expect(managerChangedSignal(facts({ ...changed, tier }), policy)?.holds).toBe(true);
  });

  it('is the same signal on the same evidence and a new one on new evidence (basis)', () => {
    const first = managerChangedSignal(facts({ managerChangedAt: daysAgo(3) }), policy)!;
    expect(managerChangedSignal(facts({ managerChangedAt: daysAgo(3) }), policy)!.basis).toBe(first.basis);
    expect(managerChangedSignal(facts({ managerChangedAt: daysAgo(3), managerEmailChangedAt: daysAgo(1) }), policy)!.basis).not.toBe(first.basis);
  });
});

describe('approver_recently_privileged', () => {
  it('an approver role younger than 7 days is fresh; exactly 7 days old it is not; no record is fresh', () => {
    expect(isFreshApprover(daysAgo(6), NOW, 7)).toBe(true);
    expect(isFreshApprover(daysAgo(7), NOW, 7)).toBe(false);
    expect(isFreshApprover(null, NOW, 7)).toBe(true);
  });

  it('a fresh approver does not count on privileged and critical tickets; the manager chain only on critical', () => {
    expect(notCountedReasons('standard', true, true)).toEqual([]);
    expect(notCountedReasons('privileged', true, true)).toEqual(['approver_recently_privileged']);
    expect(notCountedReasons('critical', true, true)).toEqual(['manager_not_independent', 'approver_recently_privileged']);
    expect(notCountedReasons('critical', false, false)).toEqual([]);
  });

  it('says how many approvals from established approvers are still needed', () => {
    const approvals = [
      { approverId: 'new', notCounted: ['approver_recently_privileged' as const] },
      { approverId: 'old', notCounted: [] },
    ];
    const signal = freshApproverSignal(facts({ tier: 'critical', approvalsRequired: 2, approvals }), policy)!;
    expect(signal).toMatchObject({ holds: false, basis: 'new', detail: { approverIds: ['new'] } });
    expect(signal.reason).toMatch(/not counted on a critical ticket; 1 more approval from established approvers needed$/);
  });
});

describe('role grants', () => {
  it('a role newly held is granted now; a kept role keeps its time; a removed one is forgotten', () => {
    const then = '2025-01-01T00:00:00.000Z';
    expect(regrant(['agent', 'approver'], ['approver', 'admin'], { agent: then, approver: then }, NOW)).toEqual({
      grants: { approver: then, admin: NOW.toISOString() },
      added: ['admin'],
    });
    expect(regrant([], ['approver'], {}, NOW).grants).toEqual({ approver: NOW.toISOString() });
  });
});
