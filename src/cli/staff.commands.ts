import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { CLI } from '../audit/audit-actor';
import { InvalidInput } from '../common/errors';
import { STAFF_ROLES, StaffRole } from '../common/auth/staff-roles';
import { SERVICE_SCOPES, ServiceScope } from '../staff/service-scopes';
import { StaffService } from '../staff/staff.service';
import { positiveInteger, uuidArgument } from './cli-input';

function parseRoles(value: string): StaffRole[] {
  const roles = value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !STAFF_ROLES.includes(r as StaffRole));
  if (roles.length === 0 || unknown.length) {
    throw new InvalidInput('--roles', `must be a comma-separated list of ${STAFF_ROLES.join(', ')}`);
  }
  return roles as StaffRole[];
}

interface CreateOptions {
  name: string;
  roles: StaffRole[];
  account?: string;
  token?: boolean;
  days?: number;
  scopes?: ServiceScope[];
  networks?: string[];
}

const SCOPES_HELP = `a service token's scopes, comma-separated: ${SERVICE_SCOPES.join(', ')} (required for a service member)`;
const NETWORKS_HELP = 'client networks a service token may call from, comma-separated CIDRs (default: any address)';
const parseList = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

@Command({ name: 'staff:create', description: 'Create a staff member; --token also issues a token (printed once)' })
export class StaffCreateCommand extends CommandRunner {
  constructor(
    private readonly staff: StaffService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super();
  }

  async run(_: string[], options: CreateOptions): Promise<void> {
    if (options.token && options.roles.includes('service') && !options.scopes?.length) {
      throw new InvalidInput('--scopes', `is required to issue a service member's token: one or more of ${SERVICE_SCOPES.join(', ')}`);
    }
    const accountId = options.account === undefined ? undefined : await this.accountIdOf(options.account);
    const member = await this.staff.create(CLI, { name: options.name, roles: options.roles, accountId });
    console.log(`Created staff ${member.id} (${member.name}: ${member.roles.join(', ')})`);
    if (options.token) {
      const { record, token } = await this.staff.issueToken(CLI, member.id, {
        expiresInDays: options.days,
        scopes: options.scopes,
        allowedCidrs: options.networks,
      });
      console.log(`Token ${record.id}, expires ${record.expiresAt?.toISOString() ?? 'never'}; shown once:\n${token}`);
    }
  }

  @Option({ flags: '--name <name>', required: true })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--roles <roles>', description: `comma-separated: ${STAFF_ROLES.join(', ')}`, required: true })
  parseRoles(value: string): StaffRole[] {
    return parseRoles(value);
  }

  /** The operator names the account as the directory does (E10001) or by its id. */
  private async accountIdOf(ref: string): Promise<string> {
    const accounts = this.dataSource.getRepository(Account);
    const account = isUUID(ref) ? await accounts.findOneBy({ id: ref }) : await accounts.findOneBy({ externalId: ref });
    if (!account) throw new InvalidInput('--account', `names no account (give its externalId or id; got ${JSON.stringify(ref)})`);
    return account.id;
  }

  @Option({
    flags: '--account <account>',
    description: 'the employee account this operator is, by externalId (E10001) or id; required for agent, approver and admin',
  })
  parseAccount(value: string): string {
    return value;
  }

  @Option({ flags: '--token', description: 'issue a token as well' })
  parseToken(): boolean {
    return true;
  }

  @Option({ flags: '--days <days>', description: 'token lifetime in days (default 90)' })
  parseDays(value: string): number {
    return positiveInteger('--days', value);
  }

  @Option({ flags: '--scopes <scopes>', description: SCOPES_HELP })
  parseScopes(value: string): ServiceScope[] {
    return parseList(value) as ServiceScope[];
  }

  @Option({ flags: '--networks <cidrs>', description: NETWORKS_HELP })
  parseNetworks(value: string): string[] {
    return parseList(value);
  }
}

@Command({ name: 'staff:token:issue', arguments: '<staffId>', description: 'Issue a token for a staff member (printed once)' })
export class StaffTokenIssueCommand extends CommandRunner {
  constructor(private readonly staff: StaffService) {
    super();
  }

  async run([staffId]: string[], options: { days?: number; label?: string; scopes?: ServiceScope[]; networks?: string[] }): Promise<void> {
    const { record, token } = await this.staff.issueToken(CLI, uuidArgument('staffId', staffId), {
      expiresInDays: options.days,
      label: options.label,
      scopes: options.scopes,
      allowedCidrs: options.networks,
    });
    console.log(`Token ${record.id}, expires ${record.expiresAt?.toISOString() ?? 'never'}; shown once:\n${token}`);
  }

  @Option({ flags: '--days <days>', description: 'lifetime in days (default 90)' })
  parseDays(value: string): number {
    return positiveInteger('--days', value);
  }

  @Option({ flags: '--label <label>' })
  parseLabel(value: string): string {
    return value;
  }

  @Option({ flags: '--scopes <scopes>', description: SCOPES_HELP })
  parseScopes(value: string): ServiceScope[] {
    return parseList(value) as ServiceScope[];
  }

  @Option({ flags: '--networks <cidrs>', description: NETWORKS_HELP })
  parseNetworks(value: string): string[] {
    return parseList(value);
  }
}

@Command({ name: 'staff:token:revoke', arguments: '<staffId> <tokenId>', description: 'Revoke a staff token' })
export class StaffTokenRevokeCommand extends CommandRunner {
  constructor(private readonly staff: StaffService) {
    super();
  }

  async run([staffId, tokenId]: string[]): Promise<void> {
    const token = await this.staff.revokeToken(CLI, uuidArgument('staffId', staffId), uuidArgument('tokenId', tokenId));
    console.log(`Token ${token.id} revoked at ${token.revokedAt?.toISOString()}`);
  }
}
