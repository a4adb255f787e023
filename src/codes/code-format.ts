import { randomInt } from 'node:crypto';

/**
 * Backup codes: 12 characters of Crockford base32, shown as `K7QD-9XRT-MB3W`.
 * The first 2 characters are the LOOKUP part (10 bits, not secret, distinct
 * within a set): they find the code's row, so a verification costs exactly one
 * argon2 verify whatever the set size. The other 10 are the SECRET part:
 * 50 bits from the CSPRNG, the only part that is hashed.
 */
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LOOKUP_LENGTH = 2;
export const SECRET_LENGTH = 10;
export const CODE_LENGTH = LOOKUP_LENGTH + SECRET_LENGTH;
export const SECRET_BITS = SECRET_LENGTH * Math.log2(ALPHABET.length);
const GROUP = 4;
const VALID = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

export interface ParsedCode {
  lookup: string;
  secret: string;
}

function randomChars(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** A set of `count` codes, their lookup parts all distinct. */
export function generateCodeSet(count: number): ParsedCode[] {
  const lookups = new Set<string>();
  while (lookups.size < count) lookups.add(randomChars(LOOKUP_LENGTH));
  return [...lookups].map((lookup) => ({ lookup, secret: randomChars(SECRET_LENGTH) }));
}

/** `K7QD9XRTMB3W` → `K7QD-9XRT-MB3W`. */
export function displayCode(code: ParsedCode): string {
  const raw = code.lookup + code.secret;
  return raw.match(new RegExp(`.{1,${GROUP}}`, 'g'))!.join('-');
}

/**
 * What a person types → the canonical characters: case-insensitive, spaces and
 * dashes ignored, Crockford's look-alikes folded (O→0, I and L→1).
 */
export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** Parses typed input, or returns undefined when it cannot be a code of ours. */
export function parseCode(input: string): ParsedCode | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  const normal = normaliseCode(input);
  if (!VALID.test(normal)) return undefined;
  return { lookup: normal.slice(0, LOOKUP_LENGTH), secret: normal.slice(LOOKUP_LENGTH) };
}
