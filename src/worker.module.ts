import { Module } from '@nestjs/common';
import { AuditChainCheckProcessor } from './audit/audit-chain-check.processor';

/**
 * The queue processors. Imported only by processes whose role includes the
 * worker, so an `api`-only process never consumes jobs.
 */
@Module({
  providers: [AuditChainCheckProcessor],
})
export class WorkerModule {}
