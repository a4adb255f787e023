import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { QUEUE } from '../queue/queues';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** Global: every capability records its acts through the one AuditService. */
@Global()
@Module({
  imports: [BullModule.registerQueue({ name: QUEUE.auditChecks })],
  controllers: [AuditController],
  providers: [AuditService],
  exports: [AuditService, BullModule],
})
export class AuditModule {}
