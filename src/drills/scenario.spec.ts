import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationFailed } from '../common/errors';
import { parseScenario, readablePath, ScenarioFieldError } from './scenario';

const dir = join(__dirname, '..', '..', 'drills');
const minimal = { name: 'x', campaign: 'c', target: { tier: 'standard' }, channel: 'phone', reason: 'lost_device', pretext: 'p' };

describe('drill scenarios', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'scenario.schema.json'))('the example %s is valid', (file) => {
    expect(() => parseScenario(JSON.parse(readFileSync(join(dir, file), 'utf8')))).not.toThrow();
  });

  it.each([
    [{ ...minimal, channel: 'carrier pigeon' }, 'channel'],
    [{ ...minimal, target: {} }, 'target'],
    [{ ...minimal, target: { tier: 'standard', externalId: 'E1' } }, 'target'],
    [{ ...minimal, answers: { registered_channel_otp: { says: 'abc' } } }, 'answers.registered_channel_otp.says'],
    [{ ...minimal, sneaky: true }, 'sneaky'],
    [{ ...minimal, schedule: { notBefore: '2026-12-02T00:00:00Z', notAfter: '2026-12-01T00:00:00Z' } }, 'schedule.notAfter'],
    [(({ pretext: _p, ...rest }) => rest)(minimal), 'pretext'],
  ])('refuses %j naming %s', (input, field) => {
    try {
      parseScenario(input);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).fields.map((f) => f.field)).toContain(field);
    }
  });

  it('gives each refused field its JSON Pointer beside a readable path', () => {
    try {
      parseScenario({ ...minimal, claims: { newPhone: 'yes' }, answers: { registered_channel_otp: {} } });
      throw new Error('accepted');
    } catch (error) {
      expect((error as ValidationFailed).fields).toEqual([
        { field: 'claims.newPhone', pointer: '/claims/newPhone', errors: ['must be boolean'] },
        { field: 'answers.registered_channel_otp.says', pointer: '/answers/registered_channel_otp/says', errors: ['is required'] },
      ] satisfies ScenarioFieldError[]);
    }
  });

  it.each([
    ['/caller/claims/0', 'caller.claims[0]'],
    ['/a/0/1/b', 'a[0][1].b'],
    ['/a~1b/c~0d', 'a/b.c~d'],
    ['', '(scenario)'],
  ])('reads the pointer %s as %s', (pointer, path) => {
    expect(readablePath(pointer)).toBe(path);
  });
});
