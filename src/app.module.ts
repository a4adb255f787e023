import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { ChangeRequestsModule } from './change-requests/change-requests.module';
import { ClockModule } from './common/clock.module';
import { Env, ProcessRole, validateEnv } from './config/env.validation';
import { dataSourceOptions } from './database/data-source-options';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { StaffModule } from './staff/staff.module';
import { CodesModule } from './codes/codes.module';
import { PolicyModule } from './config/policy.module';
import { DeliveryModule } from './delivery/delivery.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { THROTTLE } from './common/throttle';
import { TicketsModule } from './tickets/tickets.module';
import { UnlockModule } from './unlock/unlock.module';
import { DrillsModule } from './drills/drills.module';
import { WorkerModule } from './worker.module';
import { ScimModule } from './scim/scim.module';
import { ConsoleModule } from './web/console.module';

/** What every process (API, worker, CLI) stands on: config, logs, database, clock, queues, audit. */
export function foundationImports() {
  return [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateEnv }),
    LoggingModule,
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => dataSourceOptions(config.get('DATABASE_URL', { infer: true })),
    }),
    ClockModule,
    DatabaseModule,
    PolicyModule,
    QueueModule,
    MetricsModule,
    AuditModule,
    NotificationsModule,
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        throttlers: [
          { name: THROTTLE.verify, ttl: 60_000, limit: config.get('VERIFY_RATE_LIMIT', { infer: true }) },
          { name: THROTTLE.links, ttl: 60_000, limit: config.get('LINK_RATE_LIMIT', { infer: true }) },
          { name: THROTTLE.scim, ttl: 60_000, limit: config.get('SCIM_RATE_LIMIT', { infer: true }) },
        ],
        // Options, not a client of ours: the storage then owns and closes its connection.
        storage: new ThrottlerStorageRedisService(config.get('REDIS_URL', { infer: true }), {
          keyPrefix: `${config.get('REDIS_PREFIX', { infer: true })}:throttle:`,
          maxRetriesPerRequest: 1,
        }),
      }),
    }),
  ];
}

@Module({})
export class AppModule {
  /**
   * One module graph for every role. The role decides whether main.ts listens
   * for HTTP and whether queue processors are registered.
   */
  static forRole(role: ProcessRole): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...foundationImports(),
        StaffModule,
        AccountsModule,
        CodesModule,
        DeliveryModule,
        TicketsModule,
        UnlockModule,
        DrillsModule,
        ChangeRequestsModule,
        ScimModule,
        HealthModule,
        ...(role === 'worker' ? [] : [ConsoleModule]),
        ...(role === 'api' ? [] : [WorkerModule]),
      ],
      providers: [{ provide: 'PROCESS_ROLE', useValue: role }],
    };
  }
}
