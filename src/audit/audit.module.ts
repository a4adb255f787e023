import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { QUEUE } from '../queue/queues';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditCheckpoints } from './audit-checkpoints';
import { AuditLogKeys } from './audit-log-keys';
import { AuditSequencer } from './audit-sequencer';
import { FaultInjection } from '../common/fault-injection';

/** Global: every capability records its acts through the one AuditService. */
@Global()
@Module({
  imports: [BullModule.registerQueue({ name: QUEUE.auditChecks })],
  controllers: [AuditController],
  providers: [AuditService, AuditLogKeys, AuditSequencer, AuditCheckpoints, FaultInjection],
  exports: [AuditService, AuditSequencer, BullModule],
})
export class AuditModule {}
