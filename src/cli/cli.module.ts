import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CodesModule } from '../codes/codes.module';
import { CodeHygieneCommand } from './code-hygiene.command';
import { DrillReportCommand, DrillRunCommand } from './drill.commands';
import { DrillsModule } from '../drills/drills.module';
import { foundationImports } from '../app.module';
import { ScimModule } from '../scim/scim.module';
import { StaffModule } from '../staff/staff.module';
import { ScimConnectionCreateCommand, ScimConnectionRevokeCommand } from './scim-connection.commands';
import { AccountsImportCommand } from './accounts-import.command';
import { AuditKeygenCommand, AuditVerifyCommand, AuditWitnessCommand } from './audit-verify.command';
import { StaffCreateCommand, StaffTokenIssueCommand, StaffTokenRevokeCommand } from './staff.commands';

/** Every command, in the order `--help` and an unknown command's answer list them. */
export const CLI_COMMANDS = [
  StaffCreateCommand,
  StaffTokenIssueCommand,
  StaffTokenRevokeCommand,
  AccountsImportCommand,
  AuditVerifyCommand,
  AuditKeygenCommand,
  AuditWitnessCommand,
  CodeHygieneCommand,
  DrillRunCommand,
  DrillReportCommand,
  ScimConnectionCreateCommand,
  ScimConnectionRevokeCommand,
];

@Module({})
export class CliModule {
  /** Built at run time, after the environment is complete (development secrets filled in). */
  static register(): DynamicModule {
    return {
      module: CliModule,
      imports: [...foundationImports(), StaffModule, AccountsModule, CodesModule, DrillsModule, ScimModule],
      providers: CLI_COMMANDS,
    };
  }
}
