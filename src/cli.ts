import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { DomainError } from './common/errors';
import { fillDevelopmentSecrets } from './config/dev-secrets';
import { ConfigError, validateEnv } from './config/env.validation';
import { BackingServiceUnreachable, ensureDatabase, runMigrations } from './database/prepare';

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  fillDevelopmentSecrets(process.env);
  const env = validateEnv(process.env);
  await ensureDatabase(env.DATABASE_URL);
  await runMigrations(env.DATABASE_URL);
  await CommandFactory.run(CliModule.register(), {
    logger: ['error', 'warn'],
    errorHandler: (error) => {
      console.error(error instanceof DomainError ? `Refused: ${error.message}` : error.message);
      process.exit(1);
    },
  });
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof BackingServiceUnreachable || error instanceof DomainError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
