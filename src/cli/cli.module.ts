import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CodesModule } from '../codes/codes.module';
import { CodeHygieneCommand } from './code-hygiene.command';
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
      imports: [...foundationImports(), StaffModule, AccountsModule, CodesModule],
      providers: [
        StaffCreateCommand,
        StaffTokenIssueCommand,
        StaffTokenRevokeCommand,
        AccountsImportCommand,
        AuditVerifyCommand,
        CodeHygieneCommand,
      ],
    };
  }
}
