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
      tiers: {
        standard: { steps: ['registered_channel_otp', 'directory_facts'], approvers: 0, coolingOffMinutes: 0 },
        privileged: { steps: ['registered_channel_otp', 'manager_attestation', 'government_id'], approvers: 1, coolingOffMinutes: 0 },
        critical: { steps: ['registered_channel_otp', 'manager_attestation', 'government_id'], approvers: 2, coolingOffMinutes: 15 },
      },
      otp: { digits: 6, ttlMinutes: 10, maxAttempts: 3 },
      risk: { channelChangeWindowDays: 14, accountVelocity: { maxTickets: 2, windowDays: 7 }, deskVelocity: { maxPrivilegedTickets: 10, windowMinutes: 60 } },
    });
  });

  it('lets an admin tighten a tier (more steps, more approvers)', () => {
    const policy = loadPolicy(file('{"tiers":{"standard":{"steps":["registered_channel_otp","directory_facts","video_call"],"approvers":1}}}'));
    expect(policy.tiers.standard).toEqual({ steps: ['registered_channel_otp', 'directory_facts', 'video_call'], approvers: 1, coolingOffMinutes: 0 });
    expect(policy.tiers.critical.approvers).toBe(2);
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
    ['{"tiers":{"critical":{"approvers":1}}}', /^Policy error: tiers\.critical\.approvers must be at least 2$/],
    ['{"tiers":{"standard":{"steps":["directory_facts","video_call"]}}}', /^Policy error: tiers\.standard\.steps must include registered_channel_otp$/],
    ['{"tiers":{"standard":{"steps":["registered_channel_otp","palm_reading"]}}}', /^Policy error: tiers\.standard\.steps /],
    ['{"otp":{"digits":4}}', /^Policy error: otp\.digits/],
    ['{"risk":{"channelChangeWindowDays":0}}', /^Policy error: risk\.channelChangeWindowDays must not be less than 1$/],
    ['{"risk":{"deskVelocity":{"maxPrivilegedTickets":"many"}}}', /^Policy error: risk\.deskVelocity\.maxPrivilegedTickets /],
    ['{"risk":{"accountVelocity":{"perWeek":3}}}', /^Policy error: risk\.accountVelocity\.perWeek is not an accepted field$/],
    ['{nope', /cannot be read as JSON/],
  ])('refuses %s with one line naming the setting', (content, message) => {
    expect(() => loadPolicy(file(content))).toThrow(message);
  });
});
