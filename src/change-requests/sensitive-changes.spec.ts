import { SensitiveChangesPolicy } from '../config/policy';
import { criticalSystemUpdateRules, custodianChangeRules, scimConnectionRules } from './sensitive-changes';

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
