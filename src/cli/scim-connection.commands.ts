import { Command, CommandRunner, Option } from 'nest-commander';
import { CLI } from '../audit/audit-actor';
import { ScimConnectionsService } from '../scim/scim-connections.service';

@Command({
  name: 'scim:connection-create',
  description:
    'Create a SCIM provisioning connection; its secret is printed once. Only while fewer than two active admins exist (then security is alerted); otherwise it needs a second admin, in the console or the API',
})
export class ScimConnectionCreateCommand extends CommandRunner {
  constructor(private readonly connections: ScimConnectionsService) {
    super();
  }

  async run(_: string[], options: { name: string }): Promise<void> {
    const { connection, secret } = await this.connections.createAtCommandLine(options.name);
    console.log(`Created SCIM connection ${connection.id} (${connection.name}); secret, shown once:\n${secret}`);
  }

  @Option({ flags: '--name <name>', description: 'what the directory is, e.g. "Okta production"', required: true })
  parseName(value: string): string {
    return value;
  }
}

@Command({ name: 'scim:connection-revoke', description: 'Revoke a SCIM provisioning connection: its secret stops working at once' })
export class ScimConnectionRevokeCommand extends CommandRunner {
  constructor(private readonly connections: ScimConnectionsService) {
    super();
  }

  async run(_: string[], options: { id: string }): Promise<void> {
    const connection = await this.connections.revoke(CLI, options.id);
    console.log(`Revoked SCIM connection ${connection.id} (${connection.name})`);
  }

  @Option({ flags: '--id <connectionId>', required: true })
  parseId(value: string): string {
    return value;
  }
}
