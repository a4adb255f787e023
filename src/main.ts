import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
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
import { describeChanges, PolicyAtStart, PolicyHistory } from './change-requests/policy-history';
import { BootLogsAtDebug } from './logging/boot-logs';
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

/** Printed last, after the listening line and set apart, so nothing the start prints can scroll it away. */
function announceFirstAdmin(result: Awaited<ReturnType<BootstrapService['ensureFirstAdmin']>>): void {
  if (!result.created) return;
  if (result.tokenFromEnvironment) {
    console.log(`Created the first admin (${result.staffId}) with the token from BOOTSTRAP_ADMIN_TOKEN.`);
    return;
  }
  // Deliberately printed once, straight to the terminal that started the service, never to the log.
  const rule = '='.repeat(100);
  process.stdout.write(
    `\n${rule}\nCreated the first admin (${result.staffId}). Its token is:\n\n    ${result.token}\n\n` +
      `It will not be shown again: store it in a password manager now, then issue personal tokens (POST /v1/staff/:id/tokens).\n${rule}\n\n`,
  );
}

/** A policy that differs from the last one recorded is audited and alerted (PolicyHistory); the terminal hears of it too. */
function announcePolicy(result: PolicyAtStart): void {
  if (result.kind === 'changed') console.log(`Policy changed since the last start (audited, security told): ${describeChanges(result.changes)}`);
}

const STOP_WITHIN_MS = 10_000;

/**
 * SIGINT or SIGTERM (Ctrl-C, `kill`, `docker stop`, or npm forwarding either to this process): close HTTP, the queue
 * workers and the connections, say so in one line, exit. A terminal's Ctrl-C reaches this process twice (from the
 * terminal and from npm): the repeat is ignored. A close that hangs is cut off after STOP_WITHIN_MS.
 */
function stopOnSignal(app: INestApplicationContext): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      process.stderr.write(`Recovery desk did not stop within ${STOP_WITHIN_MS / 1000} s of ${signal}; exiting anyway.\n`);
      process.exit(1);
    }, STOP_WITHIN_MS).unref();
    app.close().then(
      () => {
        console.log(`Recovery desk stopped (${signal}).`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`Recovery desk stopped (${signal}) after an error while closing: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
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
    context.useLogger(new BootLogsAtDebug(context.get(Logger)));
    stopOnSignal(context);
    await context.init();
    const policy = await context.get(PolicyHistory).recordAtStart();
    console.log('Recovery desk worker started');
    announcePolicy(policy);
    return;
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(role), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureHttpApp(app);
  stopOnSignal(app);
  const firstAdmin = await app.get(BootstrapService).ensureFirstAdmin(env.BOOTSTRAP_ADMIN_TOKEN);
  const multiParty = await app.get(ChangeRequestsService).status();
  const policy = await app.get(PolicyHistory).recordAtStart();
  await app.listen(env.PORT);
  // Printed together, after listening, so a reader (or a test) that saw "listening" sees the rest too.
  console.log(`Recovery desk (${role === 'all' ? 'API and worker' : 'API'}) listening on http://localhost:${env.PORT}: the console at /, API docs at /docs`);
  console.log(`Sensitive admin changes: ${multiParty.message}`);
  announcePolicy(policy);
  announceFirstAdmin(firstAdmin);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof BackingServiceUnreachable) {
    console.error(error.message);
  } else {
    console.error('Recovery desk failed to start:', error);
  }
  process.exit(1);
});
