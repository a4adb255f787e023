import fc from 'fast-check';
import { ALPHABET, CODE_LENGTH, displayCode, generateCodeSet, normaliseCode, parseCode, SECRET_BITS } from './code-format';

const codeChars = fc.string({ unit: fc.constantFrom(...ALPHABET.split('')), minLength: CODE_LENGTH, maxLength: CODE_LENGTH });
const asParsed = (raw: string) => ({ lookup: raw.slice(0, 2), secret: raw.slice(2) });

describe('backup code format', () => {
  it('carries at least 50 bits of secret', () => {
    expect(SECRET_BITS).toBeGreaterThanOrEqual(50);
  });

  it('generates sets of well-formed codes with distinct lookup parts', () => {
    for (const count of [4, 10, 50]) {
      const set = generateCodeSet(count);
      expect(set).toHaveLength(count);
      expect(new Set(set.map((c) => c.lookup)).size).toBe(count);
      for (const code of set) expect(displayCode(code)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    }
  });

  it('round-trips generation → display → normalise → parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (count) => {
        for (const code of generateCodeSet(count)) expect(parseCode(displayCode(code))).toEqual(code);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(codeChars, (raw) => {
        expect(parseCode(displayCode(asParsed(raw)))).toEqual(asParsed(raw));
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts any case, spaces and dashes anywhere', () => {
    fc.assert(
      fc.property(
        codeChars,
        fc.array(fc.constantFrom(' ', '-', '\t'), { maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        (raw, noise, lower) => {
          let typed = raw
            .split('')
            .map((ch, i) => (lower[i] ? ch.toLowerCase() : ch))
            .join('');
          for (const [i, sep] of noise.entries()) {
            const at = (i * 5) % typed.length;
            typed = typed.slice(0, at) + sep + typed.slice(at);
          }
          expect(parseCode(typed)).toEqual(asParsed(raw));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('folds Crockford look-alikes: O→0, I and L→1, in either case', () => {
    fc.assert(
      fc.property(codeChars, fc.array(fc.nat(11), { maxLength: 4 }), (raw, positions) => {
        const typed = raw.split('');
        for (const at of positions) {
          if (typed[at] === '0') typed[at] = at % 2 ? 'O' : 'o';
          if (typed[at] === '1') typed[at] = ['I', 'i', 'L', 'l'][at % 4];
        }
        expect(parseCode(typed.join(''))).toEqual(asParsed(raw));
      }),
      { numRuns: 5000 },
    );
    expect(normaliseCode('oil-OIL')).toBe('011011');
  });

  it('refuses anything else: wrong length, U, punctuation, non-strings', () => {
    fc.assert(
      fc.property(fc.string(), (junk) => {
        const parsed = parseCode(junk);
        if (parsed) expect(normaliseCode(junk)).toHaveLength(CODE_LENGTH);
      }),
      { numRuns: 5000 },
    );
    expect(parseCode('K7QD-9XRT-MB3')).toBeUndefined();
    expect(parseCode('K7QD-9XRT-MB3WW')).toBeUndefined();
    expect(parseCode('U7QD-9XRT-MB3W')).toBeUndefined();
    expect(parseCode('K7QD_9XRT_MB3W')).toBeUndefined();
    expect(parseCode('K'.repeat(100))).toBeUndefined();
    expect(parseCode(42 as unknown as string)).toBeUndefined();
  });
});
