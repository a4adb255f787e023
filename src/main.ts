import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { fillDevelopmentSecrets } from './config/dev-secrets';
import { ConfigError, Env, ProcessRole, ROLES_OF_PROCESS, validateEnv } from './config/env.validation';
import { loadPolicy } from './config/policy';
import { BackingServiceUnreachable, checkRedis, ensureDatabase, runMigrations } from './database/prepare';
import { configureHttpApp } from './http-app';
import { ChangeRequestsService } from './change-requests/change-requests.service';
import { BootstrapService } from './staff/bootstrap.service';

function roleFromArgs(argv: string[], fallback: ProcessRole): ProcessRole {
  const index = argv.findIndex((arg) => arg === '--role' || arg.startsWith('--role='));
  if (index < 0) return fallback;
  const value = argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
  if (!ROLES_OF_PROCESS.includes(value as ProcessRole)) {
    throw new ConfigError(`Configuration error: --role must be one of ${ROLES_OF_PROCESS.join(', ')} (got ${JSON.stringify(value ?? '')})`);
  }
  return value as ProcessRole;
}

/** Prepares the backing services; fails with the one line an operator needs. */
export async function prepareBackingServices(env: Env): Promise<string[]> {
  if (await ensureDatabase(env.DATABASE_URL)) console.log(`Created database ${new URL(env.DATABASE_URL).pathname.slice(1)}`);
  await checkRedis(env.REDIS_URL);
  return runMigrations(env.DATABASE_URL);
}

function announceFirstAdmin(result: Awaited<ReturnType<BootstrapService['ensureFirstAdmin']>>): void {
  if (!result.created) return;
  if (result.tokenFromEnvironment) {
    console.log(`Created the first admin (${result.staffId}) with the token from BOOTSTRAP_ADMIN_TOKEN.`);
    return;
  }
  // Deliberately printed once, straight to the terminal that started the service, never to the log.
  process.stdout.write(
    `\nCreated the first admin (${result.staffId}). Its token is:\n\n    ${result.token}\n\n` +
      `It will not be shown again: store it in a password manager now, then issue personal tokens (POST /v1/staff/:id/tokens).\n\n`,
  );
}

async function main(): Promise<void> {
  const notice = fillDevelopmentSecrets(process.env);
  const env = validateEnv(process.env);
  loadPolicy(env.POLICY_FILE); // a bad policy file stops here, in one line, before anything starts
  const role = roleFromArgs(process.argv.slice(2), env.ROLE);
  if (notice) console.warn(notice);
  const applied = await prepareBackingServices(env);
  if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);

  if (role === 'worker') {
    const context = await NestFactory.createApplicationContext(AppModule.forRole(role), { bufferLogs: true });
    context.useLogger(context.get(Logger));
    context.enableShutdownHooks();
    await context.init();
    console.log('Recovery desk worker started');
    return;
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(role), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureHttpApp(app);
  announceFirstAdmin(await app.get(BootstrapService).ensureFirstAdmin(env.BOOTSTRAP_ADMIN_TOKEN));
  await app.listen(env.PORT);
  console.log(`Recovery desk (${role === 'all' ? 'API and worker' : 'API'}) listening on http://localhost:${env.PORT}: the console at /, API docs at /docs`);
  console.log(`Sensitive admin changes: ${(await app.get(ChangeRequestsService).status()).message}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof BackingServiceUnreachable) {
    console.error(error.message);
  } else {
    console.error('Recovery desk failed to start:', error);
  }
  process.exit(1);
});
