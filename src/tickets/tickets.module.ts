import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ChangeGateModule } from '../change-requests/change-gate';
import { CodesModule } from '../codes/codes.module';
import { FaultInjection } from '../common/fault-injection';
import { DeliveryModule } from '../delivery/delivery.module';
import { QUEUE } from '../queue/queues';
import { ApprovalsService } from './approvals/approvals.service';
import { ExposureController } from './exposure.controller';
import { ExposureService } from './exposure.service';
import { LinksController } from './links.controller';
import { LinksService } from './links.service';
import { ProofingService } from './proofing/proofing.service';
import { RegenerationQueue } from './regeneration.queue';
import { RegenerationService } from './regeneration.service';
import { RecoveryHoldController } from './risk/recovery-hold.controller';
import { RecoveryHold } from './risk/recovery-hold.service';
import { RiskService } from './risk/risk.service';
import { SignalsController } from './risk/signals.controller';
import { TicketLinks } from './ticket-links.service';
import { TicketSweep } from './ticket-sweep.service';
import { TicketTransitions } from './ticket-transitions.service';
import { TicketViews } from './ticket-views';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  imports: [BullModule.registerQueue({ name: QUEUE.codes }), AccountsModule, ChangeGateModule, CodesModule, DeliveryModule],
  // SignalsController first: its GET /v1/tickets/held must match before TicketsController's GET /v1/tickets/:id.
  controllers: [SignalsController, TicketsController, LinksController, ExposureController, RecoveryHoldController],
  providers: [
    TicketTransitions,
    TicketLinks,
    TicketViews,
    TicketsService,
    ProofingService,
    ApprovalsService,
    LinksService,
    RegenerationQueue,
    RegenerationService,
    TicketSweep,
    FaultInjection,
    ExposureService,
    RiskService,
    RecoveryHold,
  ],
  exports: [TicketsService, TicketTransitions, RegenerationService, TicketSweep, RiskService, RecoveryHold],
})
export class TicketsModule {}
