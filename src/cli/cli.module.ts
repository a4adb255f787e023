import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { foundationImports } from '../app.module';
import { StaffModule } from '../staff/staff.module';
import { AccountsImportCommand } from './accounts-import.command';
import { AuditVerifyCommand } from './audit-verify.command';
import { StaffCreateCommand, StaffTokenIssueCommand, StaffTokenRevokeCommand } from './staff.commands';

@Module({})
export class CliModule {
  /** Built at run time, after the environment is complete (development secrets filled in). */
  static register(): DynamicModule {
    return {
      module: CliModule,
      imports: [...foundationImports(), StaffModule, AccountsModule],
      providers: [StaffCreateCommand, StaffTokenIssueCommand, StaffTokenRevokeCommand, AccountsImportCommand, AuditVerifyCommand],
    };
  }
}
