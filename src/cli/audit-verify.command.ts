import { Command, CommandRunner } from 'nest-commander';
import { AuditService } from '../audit/audit.service';

@Command({ name: 'audit:verify', description: 'Recompute the audit hash chain and name the first broken link' })
export class AuditVerifyCommand extends CommandRunner {
  constructor(private readonly audit: AuditService) {
    super();
  }

  async run(): Promise<void> {
    const verdict = await this.audit.verify();
    if (verdict.ok) {
      console.log(`Audit chain intact: ${verdict.checked} events checked.`);
      return;
    }
    console.log(`Audit chain BROKEN at event ${verdict.firstBrokenSeq}: ${verdict.reason} (${verdict.checked} events before it hold).`);
    process.exitCode = 1;
  }
}
