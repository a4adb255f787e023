import { SensitiveChangesPolicy } from '../config/policy';
import type { StaffRole } from '../common/auth/staff-roles';
import { criticalSystemUpdateRules, custodianChangeRules, scimConnectionRules, staffUpdateRules } from './sensitive-changes';

const on = new SensitiveChangesPolicy();
const off = Object.assign(new SensitiveChangesPolicy(), { criticalSystemUnlockRule: false, criticalSystemCustodians: false, scimConnectionCreated: false });
const system = { k: 2, windowSeconds: 300 };

describe('critical systems and SCIM connections as sensitive changes', () => {
  it.each([
    ['a lower k', { k: 1 }, ['criticalSystemUnlockRule']],
    ['a higher k', { k: 3 }, ['criticalSystemUnlockRule']],
    ['a longer window', { windowSeconds: 3600 }, ['criticalSystemUnlockRule']],
    ['the same k and window', { k: 2, windowSeconds: 300 }, []],
    ['neither', {}, []],
  ])('%s', (_, changes, rules) => {
    expect(criticalSystemUpdateRules(system, changes, on)).toEqual(rules);
    expect(criticalSystemUpdateRules(system, changes, off)).toEqual([]);
  });

  it('custodian changes and new SCIM connections follow their switches', () => {
    expect(custodianChangeRules(on)).toEqual(['criticalSystemCustodians']);
    expect(scimConnectionRules(on)).toEqual(['scimConnectionCreated']);
    expect([...custodianChangeRules(off), ...scimConnectionRules(off)]).toEqual([]);
  });
});

describe('staffUpdateRules: staffAdminRecord', () => {
  const on = new SensitiveChangesPolicy();
  const admin = { roles: ['admin'] as StaffRole[], active: true, accountId: 'a1' };

  it.each<[{ roles?: StaffRole[]; active?: boolean; accountId?: string | null }]>([
    [{ roles: ['admin', 'auditor'] }],
    [{ roles: [] }],
    [{ active: false }],
    [{ accountId: 'a2' }],
    [{ accountId: null }],
  ])('makes a change to an admin’s record sensitive: %j', (changes) => {
    expect(staffUpdateRules(admin, changes, on)).toContain('staffAdminRecord');
  });

  it('is not tripped by values an admin already has, by a non-admin, or when switched off', () => {
    expect(staffUpdateRules(admin, { roles: ['admin'], active: true, accountId: 'a1' }, on)).toEqual([]);
    expect(staffUpdateRules({ roles: ['agent'], active: true, accountId: 'a1' }, { active: false }, on)).toEqual([]);
    expect(staffUpdateRules(admin, { active: false }, Object.assign(new SensitiveChangesPolicy(), { staffAdminRecord: false }))).toEqual([]);
  });
});
