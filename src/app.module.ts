import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { ClockModule } from './common/clock.module';
import { Env, ProcessRole, validateEnv } from './config/env.validation';
import { dataSourceOptions } from './database/data-source-options';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { StaffModule } from './staff/staff.module';
import { WorkerModule } from './worker.module';

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
    QueueModule,
    MetricsModule,
    AuditModule,
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
        HealthModule,
        ...(role === 'api' ? [] : [WorkerModule]),
      ],
      providers: [{ provide: 'PROCESS_ROLE', useValue: role }],
    };
  }
}
