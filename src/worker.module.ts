import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ChangeRequestsModule } from './change-requests/change-requests.module';
import { AuditChainCheckProcessor } from './audit/audit-chain-check.processor';
import { AuditSequencerLoop } from './audit/audit-sequencer.loop';
import { DeliveryModule } from './delivery/delivery.module';
import { NotificationRelayProcessor } from './notifications/relay.processor';
import { QUEUE } from './queue/queues';
import { SweepProcessor } from './sweep/sweep.processor';
import { RegenerationProcessor } from './tickets/regeneration.processor';
import { TicketsModule } from './tickets/tickets.module';
import { UnlockModule } from './unlock/unlock.module';
import { DrillsModule } from './drills/drills.module';

/**
 * The queue processors. Imported only by processes whose role includes the
 * worker, so an `api`-only process never consumes jobs.
 */
@Module({
  imports: [DeliveryModule, TicketsModule, UnlockModule, DrillsModule, ChangeRequestsModule, BullModule.registerQueue({ name: QUEUE.sweep })],
  providers: [AuditChainCheckProcessor, AuditSequencerLoop, NotificationRelayProcessor, SweepProcessor, RegenerationProcessor],
})
export class WorkerModule {}
