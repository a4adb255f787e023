import fc from 'fast-check';
import { InvalidInput } from './errors';
import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('keyset cursors', () => {
  it('round-trip any key of strings and finite numbers', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), { minLength: 1, maxLength: 3 }), (key) => {
        expect(decodeCursor(encodeCursor(key), key.length)).toEqual(key.map((k) => (Object.is(k, -0) ? 0 : k)));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses anything this service did not issue as a 400-class InvalidInput', () => {
    fc.assert(
      fc.property(fc.string(), (junk) => {
        try {
          decodeCursor(junk, 2);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInput);
          return;
        }
        // The rare junk string that happens to decode to a two-part key is still only a position, never a crash.
      }),
      { numRuns: 2000 },
    );
    expect(() => decodeCursor(encodeCursor(['a']), 2)).toThrow(InvalidInput);
  });

  it('pages: limit items and a cursor only when more rows exist', () => {
    const rows = [1, 2, 3].map((n) => ({ n }));
    expect(
      toPage(
        rows,
        2,
        (r) => [r.n],
        (r) => r.n,
      ),
    ).toEqual({ items: [1, 2], nextCursor: encodeCursor([2]) });
    expect(
      toPage(
        rows.slice(0, 2),
        2,
        (r) => [r.n],
        (r) => r.n,
      ),
    ).toEqual({ items: [1, 2], nextCursor: null });
  });
});
