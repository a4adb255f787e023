import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module';
import { DrillReportService } from './drill-report.service';
import { DrillsController } from './drills.controller';
import { DrillsService } from './drills.service';

@Module({
  imports: [TicketsModule],
  controllers: [DrillsController],
  providers: [DrillsService, DrillReportService],
  exports: [DrillsService, DrillReportService],
})
export class DrillsModule {}
