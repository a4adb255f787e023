import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditChainCheckProcessor } from './audit/audit-chain-check.processor';
import { DeliveryModule } from './delivery/delivery.module';
import { NotificationRelayProcessor } from './notifications/relay.processor';
import { QUEUE } from './queue/queues';
import { SweepProcessor } from './sweep/sweep.processor';

/**
 * The queue processors. Imported only by processes whose role includes the
 * worker, so an `api`-only process never consumes jobs.
 */
@Module({
  imports: [DeliveryModule, BullModule.registerQueue({ name: QUEUE.sweep })],
  providers: [AuditChainCheckProcessor, NotificationRelayProcessor, SweepProcessor],
})
export class WorkerModule {}
