import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CommandMeta } from 'nest-commander/src/constants';
import { CLI_COMMANDS, CliModule } from './cli/cli.module';
import { DomainError } from './common/errors';
import { mapError } from './common/http-exception.filter';
import { fillDevelopmentSecrets } from './config/dev-secrets';
import { ConfigError, validateEnv } from './config/env.validation';
import { BackingServiceUnreachable, ensureDatabase, runMigrations } from './database/prepare';

/** What commander reports about the command line itself (unknown command, missing option, --help). */
interface CommanderError extends Error {
  code: string;
  exitCode: number;
}

const commandNames = (): string[] => CLI_COMMANDS.map((command) => (Reflect.getMetadata(CommandMeta, command) as { name: string }).name);

/** Any failure as the one line an operator needs: never a stack, never a raw database error. */
export function failureLine(error: unknown): string {
  if (error instanceof DomainError) return `Refused: ${error.message}`;
  if (error instanceof ConfigError || error instanceof BackingServiceUnreachable) return error.message;
  const mapped = mapError(error); // a database refusal the ids' validation did not catch: its safe wording
  if (mapped) return `Failed: ${mapped.body.message}`;
  return `Failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
}

function fail(line: string, exitCode = 1): never {
  process.stderr.write(`${line}\n`);
  process.exit(exitCode);
}

/**
 * Commander's own verdicts, which it has printed already (one line: a missing option, an unknown option; or the help):
 * help exits 0, a usage error 1. An unknown command is the exception, named here once with the list of commands.
 */
function commandLineError(error: CommanderError): never {
  if (error.code === 'commander.unknownCommand') {
    const given = /'([^']*)'/.exec(error.message)?.[1] ?? '';
    fail(`Unknown command "${given}". Commands: ${commandNames().join(', ')} (npm run cli -- --help)`);
  }
  process.exit(error.exitCode);
}

/** Commander's error output, except the unknown command that commandLineError words with the list. */
function outputError(text: string, write: (text: string) => void): void {
  if (!text.startsWith('error: unknown command')) write(text);
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  fillDevelopmentSecrets(process.env);
  const env = validateEnv(process.env);
  await ensureDatabase(env.DATABASE_URL);
  await runMigrations(env.DATABASE_URL);
  await CommandFactory.run(CliModule.register(), {
    logger: ['error', 'warn'],
    errorHandler: (error) => commandLineError(error as CommanderError),
    // A command that fails (its run() throws): one line and a non-zero exit, not the runner's default (exit 0).
    serviceErrorHandler: (error) => fail(failureLine(error)),
    outputConfiguration: { outputError },
  });
}

main().catch((error: unknown) => fail(failureLine(error)));
