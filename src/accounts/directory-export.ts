import { parse } from 'csv-parse/sync';
import { InvalidInput } from '../common/errors';

const HEADER_ALIASES: Record<string, string> = {
  external_id: 'externalId',
  display_name: 'displayName',
  manager_external_id: 'managerExternalId',
  employee_number: 'employeeNumber',
  cost_centre: 'costCentre',
  cost_center: 'costCentre',
};

/** Parses a directory export (CSV with a header row, or a JSON array) into plain row objects. */
export function parseDirectoryExport(format: 'csv' | 'json', content: string): unknown[] {
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      throw new InvalidInput('content', 'is not valid JSON');
    }
    if (!Array.isArray(parsed)) throw new InvalidInput('content', 'must be a JSON array of account objects');
    return parsed;
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(content, {
      columns: (header: string[]) => header.map((name) => HEADER_ALIASES[name.trim()] ?? name.trim()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as Record<string, string>[];
  } catch (error) {
    throw new InvalidInput('content', `is not valid CSV: ${(error as Error).message.split('\n')[0]}`);
  }
  // An empty CSV cell means "not given", as a missing key does in JSON.
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== '')));
}
