import { readFileSync } from 'node:fs';
import { InjectDataSource } from '@nestjs/typeorm';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { InvalidInput, ValidationFailed } from '../common/errors';
import { DrillReportService } from '../drills/drill-report.service';
import { DrillsService } from '../drills/drills.service';
import { Staff } from '../staff/staff.entity';
import { uuidArgument } from './cli-input';

const skippedCount = (files: string[]) => files.filter((f) => f.endsWith('.schema.json')).length;

@Command({
  name: 'drill:run',
  arguments: '<files...>',
  description:
    'Start a drill for each scenario file (JSON, see drills/scenario.schema.json; *.schema.json files are skipped), as the drill runner --runner names; one line per file',
})
export class DrillRunCommand extends CommandRunner {
  constructor(
    private readonly drills: DrillsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super();
  }

  async run(files: string[], options: { runner: string }): Promise<void> {
    const runner = await this.dataSource.getRepository(Staff).findOneBy({ id: options.runner });
    if (!runner?.active || !runner.roles.includes('drill_runner'))
      throw new InvalidInput('--runner', 'must be the id of an active staff member with the drill_runner role');
    let failures = 0;
    for (const file of files) {
      if (file.endsWith('.schema.json')) {
        console.log(`${file}: skipped: a JSON Schema, not a scenario`);
        continue;
      }
      try {
        const drill = await this.drills.create(runner, JSON.parse(readFileSync(file, 'utf8')));
        console.log(
          `${file}: drill ${drill.id} ${drill.status}${drill.ticketId ? `, ticket ${drill.ticketId}` : `, starts ${drill.scheduledFor.toISOString()}`}`,
        );
      } catch (error) {
        failures += 1;
        const detail =
          error instanceof ValidationFailed
            ? error.fields.map((f) => `${f.field} ${f.errors.join(', ')}`).join('; ')
            : error instanceof SyntaxError
              ? `not JSON: ${error.message}`
              : (error as Error).message;
        console.log(`${file}: refused: ${detail}`);
      }
    }
    console.log(
      `${files.length} file(s): ${files.length - failures - skippedCount(files)} started or scheduled, ${skippedCount(files)} skipped, ${failures} refused`,
    );
    if (failures) process.exitCode = 2;
  }

  @Option({ flags: '--runner <staffId>', description: 'the drill runner the drills are run by', required: true })
  parseRunner(value: string): string {
    return uuidArgument('--runner', value);
  }
}

@Command({ name: 'drill:report', description: 'Drill results per campaign, agent and approver (table, --json or --csv)' })
export class DrillReportCommand extends CommandRunner {
  constructor(
    private readonly reports: DrillReportService,
    private readonly drills: DrillsService,
  ) {
    super();
  }

  async run(_: string[], options: { campaign?: string; json?: boolean; csv?: boolean }): Promise<void> {
    await this.drills.sweep(); // score what has been decided since the last sweep
    const report = await this.reports.report({ campaign: options.campaign });
    if (options.json) return void console.log(JSON.stringify(report, null, 2));
    if (options.csv) return void process.stdout.write(this.reports.toCsv(report));
    const row = (cells: (string | number | null)[]) => cells.map((c, i) => String(c ?? '—').padEnd(i === 0 ? 28 : 9)).join(' ');
    console.log(row(['campaign', 'drills', 'passed', 'failed', 'inconcl.', 'open', 'median s']));
    for (const c of report.campaigns)
      console.log(
        row([
          c.campaign,
          c.drills,
          c.passed,
          c.failed,
          c.inconclusive,
          c.undecided,
          c.medianTimeToDecisionMs === null ? null : Math.round(c.medianTimeToDecisionMs / 1000),
        ]),
      );
    console.log('');
    console.log(row(['agent', 'drills', 'passed', 'failed', 'inconcl.', 'open', '']));
    for (const a of report.agents) console.log(row([a.name || a.staffId, a.drills, a.passed, a.failed, a.inconclusive, a.undecided, '']));
    console.log('');
    console.log(row(['approver', 'approved', 'denied']));
    for (const a of report.approvers) console.log(row([a.name || a.staffId, a.approved, a.denied]));
  }

  @Option({ flags: '--campaign <name>' })
  parseCampaign(value: string): string {
    return value;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }

  @Option({ flags: '--csv' })
  parseCsv(): boolean {
    return true;
  }
}
