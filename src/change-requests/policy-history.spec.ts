import { Policy } from '../config/policy';
import { describeChanges, flattenPolicy, policyChanges } from './policy-history';

describe('the policy as recorded at start', () => {
  it('flattens to one setting per leaf by dotted path, an array being one setting', () => {
    expect(flattenPolicy({ a: { b: 1, c: { d: true } }, e: ['x', 'y'], f: null })).toEqual({ 'a.b': 1, 'a.c.d': true, e: ['x', 'y'], f: null });
  });

  it('names every changed, added and removed setting, in path order, with its values before and after', () => {
    const before = flattenPolicy({ lockout: { maxFailures: 5 }, tiers: { standard: ['otp', 'facts'] }, old: 1 });
    const after = flattenPolicy({ lockout: { maxFailures: 8 }, tiers: { standard: ['otp'] }, added: 'x' });
    const changes = policyChanges(before, after);
    expect(changes).toEqual([
      { path: 'added', before: null, after: 'x' },
      { path: 'lockout.maxFailures', before: 5, after: 8 },
      { path: 'old', before: 1, after: null },
      { path: 'tiers.standard', before: ['otp', 'facts'], after: ['otp'] },
    ]);
    expect(describeChanges(changes.slice(1, 2))).toBe('lockout.maxFailures: 5 → 8');
    expect(policyChanges(before, { ...before })).toEqual([]);
  });

  it('covers the whole built-in policy, every sensitive switch among its settings', () => {
    const settings = flattenPolicy(JSON.parse(JSON.stringify(new Policy())));
    expect(Object.keys(settings)).toEqual(
      expect.arrayContaining(['changeApproval.sensitive.holdCleared', 'changeApproval.sensitive.staffPrivilegedRole', 'lockout.maxFailures']),
    );
    expect(Object.values(settings).every((value) => value === null || typeof value !== 'object' || Array.isArray(value))).toBe(true);
  });
});
