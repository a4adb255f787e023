import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ChangeGateModule } from '../change-requests/change-gate';
import { ScimConnectionsController } from './scim-connections.controller';
import { ScimConnectionsService } from './scim-connections.service';
import { ScimController } from './scim.controller';
import { ScimUsersService } from './scim-users.service';

/** SCIM 2.0 provisioning (/scim/v2) and the admin routes for its connections (/v1/scim-connections). */
@Module({
  imports: [AccountsModule, ChangeGateModule],
  controllers: [ScimController, ScimConnectionsController],
  providers: [ScimConnectionsService, ScimUsersService],
  exports: [ScimConnectionsService],
})
export class ScimModule {}
