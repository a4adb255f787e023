import { Module } from '@nestjs/common';
import { AccountsImportService } from './accounts-import.service';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

@Module({
  controllers: [AccountsController],
  providers: [AccountsService, AccountsImportService],
  exports: [AccountsService, AccountsImportService],
})
export class AccountsModule {}
