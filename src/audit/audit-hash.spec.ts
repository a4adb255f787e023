import fc from 'fast-check';
import { canonicalJson, chainHash, ChainedFields, checkLink, findSecretKey, GENESIS_HASH } from './audit-hash';

const event = (overrides: Partial<ChainedFields> = {}): ChainedFields => ({
  seq: 1,
  occurredAt: new Date('2026-11-23T10:00:00.123Z'),
  actorKind: 'staff',
  actorId: '6f1f7a4e-0000-4000-8000-000000000001',
  action: 'account.created',
  targetType: 'account',
  targetId: '6f1f7a4e-0000-4000-8000-000000000002',
  payload: { tier: 'standard', nested: { b: 1, a: [1, 'two', null] } },
  prevHash: GENESIS_HASH,
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

describe('chainHash and checkLink', () => {
  it('covers every field: changing any one changes the hash', () => {
    const base = event();
    const variants: Partial<ChainedFields>[] = [
      { seq: 2 },
      { occurredAt: new Date('2026-11-23T10:00:00.124Z') },
      { actorKind: 'system' },
      { actorId: null },
      { action: 'account.updated' },
      { targetType: 'staff' },
      { targetId: null },
      { payload: { tier: 'critical', nested: { b: 1, a: [1, 'two', null] } } },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const variant of variants) expect(chainHash(event(variant))).not.toBe(chainHash(base));
  });

  it('ignores fields outside the chained set, such as the stored hash itself', () => {
    const base = event();
    expect(chainHash({ ...base, hash: 'x' } as ChainedFields)).toBe(chainHash(base));
  });

  it('accepts a well-formed chain and names the first bad link', () => {
    const first = { ...event(), hash: chainHash(event()) };
    const secondFields = event({ seq: 2, prevHash: first.hash, action: 'account.updated' });
    const second = { ...secondFields, hash: chainHash(secondFields) };
    expect(checkLink(first, undefined)).toEqual({ ok: true });
    expect(checkLink(second, first)).toEqual({ ok: true });
    expect(checkLink({ ...second, action: 'account.deleted' }, first)).toEqual({ ok: false, brokenSeq: 2, reason: 'content does not match its hash' });
    expect(checkLink({ ...second, prevHash: GENESIS_HASH }, first)).toMatchObject({ ok: false, brokenSeq: 2 });
    expect(checkLink({ ...second, seq: 3 }, first)).toMatchObject({ ok: false, brokenSeq: 2, reason: 'event 2 is missing (next is 3)' });
    expect(checkLink(second, undefined)).toMatchObject({ ok: false, brokenSeq: 1 });
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

  it.each([[{ tokenId: 'x', codeCount: 10, setId: 'y', reason: 'lost' }], [{}], [{ nested: { label: 'x' } }]])(
    'accepts %j',
    (payload) => {
      expect(findSecretKey(payload)).toBeUndefined();
    },
  );
});
