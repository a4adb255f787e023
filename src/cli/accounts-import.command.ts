import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AccountsImportService } from '../accounts/accounts-import.service';
import { CLI } from '../audit/audit-actor';
import { InvalidInput } from '../common/errors';

@Command({
  name: 'accounts:import',
  arguments: '<file>',
  description: 'Import accounts from a directory export (CSV with a header row, or a JSON array); idempotent on externalId',
})
export class AccountsImportCommand extends CommandRunner {
  constructor(private readonly importer: AccountsImportService) {
    super();
  }

  async run([file]: string[], options: { format?: 'csv' | 'json' }): Promise<void> {
    const format = options.format ?? (extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
    const report = await this.importer.importExport(CLI, format, readFileSync(file, 'utf8'));
    console.log(`${report.rows} rows: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.rejected.length} rejected`);
    for (const rejected of report.rejected) {
      console.log(`  row ${rejected.row}${rejected.externalId ? ` (${rejected.externalId})` : ''}: ${rejected.errors.join('; ')}`);
    }
    if (report.rejected.length) process.exitCode = 2;
  }

  @Option({ flags: '--format <format>', description: 'csv or json (default: from the file extension)' })
  parseFormat(value: string): 'csv' | 'json' {
    if (value !== 'csv' && value !== 'json') throw new InvalidInput('--format', 'must be csv or json');
    return value;
  }
}
