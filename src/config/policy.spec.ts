import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy } from './policy';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rd-policy-')), 'policy.json');
  writeFileSync(path, content);
  return path;
}

describe('loadPolicy', () => {
  it('gives the documented defaults without a file', () => {
    expect(loadPolicy(undefined)).toMatchObject({
      codes: { count: 10, rotationDays: 180, lowRemaining: 3 },
      lockout: { maxFailures: 5, windowMinutes: 15, baseLockMinutes: 15 },
      delivery: { ttlHours: 24 },
    });
  });

  it('merges a partial file over the defaults', () => {
    const policy = loadPolicy(file('{"codes":{"count":12},"lockout":{"maxFailures":3}}'));
    expect(policy.codes).toMatchObject({ count: 12, rotationDays: 180 });
    expect(policy.lockout).toMatchObject({ maxFailures: 3, windowMinutes: 15 });
  });

  it.each([
    ['{"codes":{"count":2}}', /^Policy error: codes\.count must not be less than 4$/],
    ['{"codes":{"count":"ten"}}', /^Policy error: codes\.count /],
    ['{"lockout":{"maxFailures":0}}', /^Policy error: lockout\.maxFailures/],
    ['{"codes":{"unknown":1}}', /^Policy error: codes\.unknown is not an accepted field$/],
    ['{"codes":{"count":4,"lowRemaining":4}}', /^Policy error: codes\.lowRemaining must be below codes\.count$/],
    ['[1]', /must hold a JSON object/],
    ['{nope', /cannot be read as JSON/],
  ])('refuses %s with one line naming the setting', (content, message) => {
    expect(() => loadPolicy(file(content))).toThrow(message);
  });
});
