import { ADVISORY_LOCK } from './advisory-locks';

describe('advisory lock keys', () => {
  it('are one per purpose', () => {
    const keys = Object.values(ADVISORY_LOCK);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
