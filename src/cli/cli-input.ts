import { isUUID } from 'class-validator';
import { InvalidInput } from '../common/errors';

/** An id given on the command line: refused in one line here, before it can reach the database as a raw SQL error. */
export function uuidArgument(name: string, value: string): string {
  if (!isUUID(value)) throw new InvalidInput(name, `must be a UUID (got ${JSON.stringify(value)})`);
  return value;
}

export function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1)
    throw new InvalidInput(name, `must be a whole number of 1 or more (got ${JSON.stringify(value)})`);
  return number;
}
