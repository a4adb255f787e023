import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { parseKey, Sealer } from './sealing';

describe('Sealer (AES-256-GCM)', () => {
  const master = randomBytes(32);

  it('opens what it sealed, for any text', () => {
    const sealer = new Sealer(master, 'envelope');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), fc.uuid(), (text, context) => {
        expect(sealer.open(sealer.seal(text, context), context)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses another context, another purpose, or a flipped bit', () => {
    const sealer = new Sealer(master, 'envelope');
    const sealed = sealer.seal('K7QD-9XRT-MB3W', 'row-1');
    expect(() => sealer.open(sealed, 'row-2')).toThrow();
    expect(() => new Sealer(master, 'outbox').open(sealed, 'row-1')).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] ^= 1;
    expect(() => sealer.open(flipped, 'row-1')).toThrow();
  });

  it('never repeats a ciphertext for the same text', () => {
    const sealer = new Sealer(master, 'outbox');
    expect(sealer.seal('same', 'c').equals(sealer.seal('same', 'c'))).toBe(false);
  });

  it('reads keys as hex or base64', () => {
    const key = randomBytes(32);
    expect(parseKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseKey('c2hvcnQ=')).toThrow();
  });
});
