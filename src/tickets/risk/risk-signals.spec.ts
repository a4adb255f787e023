import fc from 'fast-check';
import { RiskPolicy, TiersPolicy } from '../../config/policy';
import { changedSinceApproval, channelChangedWithin, evaluateRisk, managerChain, normalisePhone, requiredSteps, RiskFacts, samePhone } from './risk-signals';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');
const policy = new RiskPolicy();

function facts(overrides: Partial<RiskFacts> = {}): RiskFacts {
  return {
    now: NOW,
    tier: 'standard',
    canAddSteps: true,
    channelsChangedAt: null,
    onFile: { phone: '+447700900234', email: 'jane.doe@example.com' },
    callback: {},
    accountTickets: 1,
    deskPrivilegedTickets: 1,
    approvalsRequired: 0,
    approvals: [],
    notMeReport: null,
    tierChanges: [],
    managerChangedAt: null,
    managerEmailChangedAt: null,
    ...overrides,
    accountTier: overrides.accountTier ?? overrides.tier ?? 'standard',
  };
}
const codes = (f: RiskFacts) => evaluateRisk(f, policy).map((s) => s.signal);
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

describe('channel_recently_changed', () => {
  it('fires for a change 13 days ago and not for one 15 days ago (window 14 days)', () => {
    expect(codes(facts({ channelsChangedAt: daysAgo(13) }))).toEqual(['channel_recently_changed']);
    expect(codes(facts({ channelsChangedAt: daysAgo(15) }))).toEqual([]);
    expect(codes(facts({ channelsChangedAt: daysAgo(14) }))).toEqual(['channel_recently_changed']);
    expect(codes(facts({ channelsChangedAt: null }))).toEqual([]);
  });

  it('holds privileged and critical tickets; a standard one gets the privileged steps instead', () => {
    const [standard] = evaluateRisk(facts({ channelsChangedAt: daysAgo(3) }), policy);
    expect(standard).toMatchObject({
      holds: false,
      reason: expect.stringMatching(/3 days ago .*within the 14-day window: the privileged tier's proofing steps are required$/),
    });
    for (const tier of ['privileged', 'critical'] as const) {
      const [held] = evaluateRisk(facts({ tier, channelsChangedAt: daysAgo(3) }), policy);
      expect(held).toMatchObject({ holds: true, reason: expect.stringMatching(/held until an admin clears it$/) });
    }
  });

  it('holds a standard ticket whose proofing is over, since it can no longer take on steps', () => {
    const [late] = evaluateRisk(facts({ channelsChangedAt: daysAgo(1), canAddSteps: false }), policy);
    expect(late.holds).toBe(true);
  });

  it('property: over any history of channel changes, fires iff the latest change is within the window', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 * DAY }), { maxLength: 8 }), fc.integer({ min: 1, max: 365 }), (agesMs, windowDays) => {
        // Changes happen in time order; each stamps the account (as AccountsService.updateIn does), so the
        // stamp left is the latest change.
        const history = agesMs.map((age) => new Date(NOW.getTime() - age)).sort((a, b) => a.getTime() - b.getTime());
        const stamp = history.reduce<Date | null>((_, change) => change, null);
        const latestAge = history.length ? Math.min(...agesMs) : undefined;
        const expected = latestAge !== undefined && latestAge <= windowDays * DAY;
        const raised = evaluateRisk(facts({ channelsChangedAt: stamp }), { ...policy, channelChangeWindowDays: windowDays });
        expect(raised.some((s) => s.signal === 'channel_recently_changed')).toBe(expected);
        expect(channelChangedWithin(stamp, NOW, windowDays)).toBe(expected);
      }),
    );
  });

  it('asks for the next tier’s steps on top of the tier’s own, never fewer', () => {
    const tiers = new TiersPolicy();
    tiers.standard.steps = ['registered_channel_otp', 'directory_facts', 'video_call'];
    const [signal] = evaluateRisk(facts({ channelsChangedAt: daysAgo(1) }), policy);
    expect(requiredSteps('standard', tiers, [signal])).toEqual([
      'registered_channel_otp',
      'directory_facts',
      'video_call',
      'manager_attestation',
      'government_id',
    ]);
    expect(requiredSteps('standard', tiers, [])).toEqual(tiers.standard.steps);
    expect(requiredSteps('critical', tiers, [signal])).toEqual(tiers.critical.steps);
  });
});

describe('reset_velocity', () => {
  it('fires above the per-account count, not at it', () => {
    expect(codes(facts({ accountTickets: 2 }))).toEqual([]);
    expect(evaluateRisk(facts({ accountTickets: 3 }), policy)).toEqual([expect.objectContaining({ signal: 'reset_velocity', holds: false, basis: 'account' })]);
  });

  it('fires on privileged and critical tickets above the desk-wide count, never on standard ones', () => {
    expect(codes(facts({ tier: 'privileged', deskPrivilegedTickets: 10 }))).toEqual([]);
    expect(evaluateRisk(facts({ tier: 'critical', deskPrivilegedTickets: 11 }), policy)).toEqual([
      expect.objectContaining({ signal: 'reset_velocity', basis: 'desk' }),
    ]);
    expect(codes(facts({ tier: 'standard', deskPrivilegedTickets: 500 }))).toEqual([]);
    expect(evaluateRisk(facts({ tier: 'privileged', accountTickets: 5, deskPrivilegedTickets: 11 }), policy)[0].basis).toBe('account+desk');
  });
});

describe('callback_not_on_file', () => {
  it.each([
    ['+447700900234', false],
    ['0044 7700 900234', false],
    ['+44 (0)7700 900234', false],
    ['07700 900234', false],
    ['+44 7700 900 235', true],
    ['+15555550199', true],
    ['900234', true],
  ])('callback %s → signal %s', (phone, fires) => {
    expect(codes(facts({ callback: { phone } })).includes('callback_not_on_file')).toBe(fires);
  });

  it('compares a callback e-mail case-insensitively, and is quiet without a callback', () => {
    expect(codes(facts({ callback: { email: 'Jane.Doe@Example.com' } }))).toEqual([]);
    expect(evaluateRisk(facts({ callback: { email: 'jane.private@example.net', phone: '+15555550199' } }), policy)[0].reason).toMatch(
      /phone number and e-mail address .* are not on file/,
    );
    expect(codes(facts({ callback: {} }))).toEqual([]);
  });

  it('normalises numbers to digits, dropping the international prefix', () => {
    expect(normalisePhone('+44 7700-900 234')).toBe('447700900234');
    expect(normalisePhone('0044 7700 900234')).toBe('447700900234');
    expect(normalisePhone('07700 900234')).toBe('07700900234');
    expect(samePhone('', '')).toBe(false);
    expect(samePhone('07700 900234', '07700900234')).toBe(true);
  });
});

describe('manager_not_independent', () => {
  const approvals = [
    { approverId: 'manager', notCounted: ['manager_not_independent' as const] },
    { approverId: 'someone', notCounted: [] },
  ];

  it('fires on a critical ticket an approver from the reporting line signed, saying how many independent approvals remain', () => {
    const [signal] = evaluateRisk(facts({ tier: 'critical', approvalsRequired: 2, approvals }), policy);
    expect(signal).toMatchObject({ signal: 'manager_not_independent', holds: false, detail: { approverIds: ['manager'] } });
    expect(signal.reason).toMatch(/1 more independent approval needed$/);
  });

  it('keeps today’s rules for other tiers', () => {
    expect(codes(facts({ tier: 'privileged', approvalsRequired: 1, approvals }))).toEqual([]);
  });

  it('follows the reporting line upward, stopping at a loop or the depth bound', () => {
    const line = new Map<string, string | null>([
      ['subject', 'manager'],
      ['manager', 'director'],
      ['director', 'ceo'],
      ['ceo', null],
    ]);
    expect(managerChain('subject', line, 64)).toEqual(['manager', 'director', 'ceo']);
    expect(managerChain('subject', line, 2)).toEqual(['manager', 'director']);
    const loop = new Map<string, string | null>([
      ['subject', 'a'],
      ['a', 'b'],
      ['b', 'a'],
    ]);
    expect(managerChain('subject', loop, 64)).toEqual(['a', 'b']);
    expect(managerChain('subject', new Map([['subject', 'subject']]), 64)).toEqual([]);
    expect(managerChain('nobody', line, 64)).toEqual([]);
  });

  it('property: the walk ends on any reporting data, and never repeats an account or names the subject', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.option(fc.integer({ min: 0, max: 9 }))), { maxLength: 20 }), (edges) => {
        const line = new Map(edges.map(([a, m]) => [`a${a}`, m === null ? null : `a${m}`]));
        const chain = managerChain('a0', line, 64);
        expect(new Set(chain).size).toBe(chain.length);
        expect(chain).not.toContain('a0');
      }),
    );
  });
});

describe('changed_since_approval', () => {
  const approved = {
    tier: 'critical' as const,
    email: 'jane@example.com',
    phone: '+447700900123',
    managerId: 'manager',
    approvedAt: '2026-12-01T10:00:00.000Z',
  };

  it('is quiet while the account is what the approval relied on (e-mail compared case-blind)', () => {
    expect(changedSinceApproval(approved, { ...approved, email: 'JANE@example.com ' })).toBeUndefined();
  });

  it('holds on any change of e-mail, phone, manager or tier, naming what changed and never a value', () => {
    const signal = changedSinceApproval(approved, { ...approved, email: 'mallory@example.net', managerId: null, tier: 'standard' })!;
    expect(signal).toMatchObject({
      signal: 'changed_since_approval',
      holds: true,
      basis: 'email+managerId+tier',
      detail: { changed: ['email', 'managerId', 'tier'] },
    });
    expect(signal.reason).toMatch(
      /^the subject's e-mail address, manager, tier changed after the ticket was approved \(2026-12-01\): held, nothing is delivered/,
    );
    expect(JSON.stringify(signal)).not.toMatch(/mallory|jane@/);
    expect(changedSinceApproval(approved, { ...approved, phone: '+447700900999' })).toMatchObject({ basis: 'phone' });
  });
});

describe('subject_reported_not_me', () => {
  it('holds a ticket of any tier while an uncleared report stands, on the report as basis', () => {
    const report = { id: 'report-1', reportedAt: daysAgo(2) };
    for (const tier of ['standard', 'privileged', 'critical'] as const) {
      expect(evaluateRisk(facts({ tier, notMeReport: report }), policy)).toEqual([
        expect.objectContaining({
          signal: 'subject_reported_not_me',
          holds: true,
          basis: 'report-1',
          reason: expect.stringMatching(/held until an admin clears the account's recovery hold$/),
        }),
      ]);
    }
    expect(codes(facts({ notMeReport: null }))).toEqual([]);
  });
});
