import { Command, CommandRunner, Option } from 'nest-commander';
import { HygieneEntry, HygieneService } from '../codes/hygiene.service';

@Command({ name: 'codes:hygiene', description: 'List accounts whose backup codes are overdue for rotation, nearly used up, or missing' })
export class CodeHygieneCommand extends CommandRunner {
  constructor(private readonly hygiene: HygieneService) {
    super();
  }

  async run(_: string[], options: { json?: boolean }): Promise<void> {
    const report = await this.hygiene.report();
    if (options.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    const section = (title: string, entries: HygieneEntry[], detail: (e: HygieneEntry) => string) => {
      console.log(`${title}: ${entries.length}`);
      for (const e of entries) console.log(`  ${e.externalId.padEnd(16)} ${e.displayName.padEnd(28)} ${e.tier.padEnd(10)} ${detail(e)}`);
    };
    section('Overdue for rotation', report.overdue, (e) => `due ${e.rotationDueAt}`);
    section('Nearly used up', report.nearlyUsedUp, (e) => `${e.remaining} left`);
    section('No codes at all', report.missing, () => '');
  }

  @Option({ flags: '--json', description: 'print the report as JSON' })
  parseJson(): boolean {
    return true;
  }
}
