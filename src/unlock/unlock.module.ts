import { Module } from '@nestjs/common';
import { ChangeGateModule } from '../change-requests/change-gate';
import { CodesModule } from '../codes/codes.module';
import { CriticalSystemsService } from './critical-systems.service';
import { GrantSigner } from './grant-signer';
import { GrantsService } from './grants.service';
import { CriticalSystemsController, GrantsController, UnlockSessionsController } from './unlock.controller';
import { UnlockService } from './unlock.service';

@Module({
  imports: [CodesModule, ChangeGateModule],
  controllers: [CriticalSystemsController, UnlockSessionsController, GrantsController],
  providers: [CriticalSystemsService, UnlockService, GrantsService, GrantSigner],
  exports: [UnlockService, CriticalSystemsService],
})
export class UnlockModule {}
