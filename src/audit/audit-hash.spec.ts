import fc from 'fast-check';
import { canonicalJson, eventLeafData, eventLeafHash, findSecretKey, LoggedFields } from './audit-hash';
import { leafHash } from './merkle';

const event = (overrides: Partial<LoggedFields> = {}): LoggedFields => ({
  seq: 1,
  occurredAt: new Date('2026-11-23T10:00:00.123Z'),
  actorKind: 'staff',
  actorId: '6f1f7a4e-0000-4000-8000-000000000001',
  action: 'account.created',
  targetType: 'account',
  targetId: '6f1f7a4e-0000-4000-8000-000000000002',
  payload: { tier: 'standard', nested: { b: 1, a: [1, 'two', null] } },
  ...overrides,
});

describe('canonicalJson', () => {
  it('encodes the same value to the same bytes whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips through JSON.parse to an equal value (what jsonb gives back)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reparsed: unknown = JSON.parse(canonicalJson(value));
        expect(canonicalJson(reparsed)).toBe(canonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: undefined, z: null })).toBe('{"b":{"c":[{"e":2,"f":1}],"d":1},"z":null}');
  });
});

describe('eventLeafHash', () => {
  it('covers every field: changing any one changes the leaf', () => {
    const base = eventLeafHash(event());
    const variants: Partial<LoggedFields>[] = [
      { seq: 2 },
      { occurredAt: new Date('2026-11-23T10:00:00.124Z') },
      { actorKind: 'system' },
      { actorId: null },
      { action: 'account.updated' },
      { targetType: 'staff' },
      { targetId: null },
      { payload: { tier: 'critical', nested: { b: 1, a: [1, 'two', null] } } },
    ];
    for (const variant of variants) expect(eventLeafHash(event(variant)).equals(base)).toBe(false);
  });

  it('is RFC 9162 leaf hashing of the canonical JSON, blind to fields outside it', () => {
    expect(eventLeafHash(event()).equals(leafHash(eventLeafData(event())))).toBe(true);
    expect(eventLeafHash({ ...event(), xid: '7' } as LoggedFields).equals(eventLeafHash(event()))).toBe(true);
  });
});

describe('findSecretKey', () => {
  it.each([
    [{ code: 'x' }, 'code'],
    [{ tokens: 1, token: 2 }, 'token'],
    [{ a: { deliveryToken: 'x' } }, 'a.deliveryToken'],
    [{ list: [{ otp: '123456' }] }, 'list.0.otp'],
    [{ plainCodes: [] }, 'plainCodes'],
  ])('finds a secret-looking key in %j', (payload, path) => {
    expect(findSecretKey(payload)).toBe(path);
  });

  it.each([[{ tokenId: 'x', codeCount: 10, setId: 'y', reason: 'lost' }], [{}], [{ nested: { label: 'x' } }]])('accepts %j', (payload) => {
    expect(findSecretKey(payload)).toBeUndefined();
  });
});
