import { SensitiveChangesPolicy } from '../config/policy';
import type { StaffRole } from '../staff/roles';
import { staffUpdateRules } from './sensitive-changes';

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
