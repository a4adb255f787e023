import { Module } from '@nestjs/common';
import { CodeHasher } from './code-hasher';
import { CodesController } from './codes.controller';
import { CodesService } from './codes.service';
import { HygieneService } from './hygiene.service';
import { ReportsController } from './reports.controller';
import { VerificationService } from './verification.service';

@Module({
  controllers: [CodesController, ReportsController],
  providers: [CodeHasher, CodesService, VerificationService, HygieneService],
  exports: [CodeHasher, CodesService, VerificationService, HygieneService],
})
export class CodesModule {}
