import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ScimModule } from '../scim/scim.module';
import { StaffModule } from '../staff/staff.module';
import { TicketsModule } from '../tickets/tickets.module';
import { UnlockModule } from '../unlock/unlock.module';
import { ChangeRequestsController } from './change-requests.controller';
import { ChangeRequestsService } from './change-requests.service';
import { PolicyHistory } from './policy-history';

@Module({
  imports: [AccountsModule, StaffModule, TicketsModule, UnlockModule, ScimModule],
  controllers: [ChangeRequestsController],
  providers: [ChangeRequestsService, PolicyHistory],
  exports: [ChangeRequestsService, PolicyHistory],
})
export class ChangeRequestsModule {}
