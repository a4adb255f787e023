import { Module } from '@nestjs/common';
import { ChangeGateModule } from '../change-requests/change-gate';
import { AccountsImportService } from './accounts-import.service';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

@Module({
  imports: [ChangeGateModule],
  controllers: [AccountsController],
  providers: [AccountsService, AccountsImportService],
  exports: [AccountsService, AccountsImportService],
})
export class AccountsModule {}
