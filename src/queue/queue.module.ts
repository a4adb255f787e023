import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';

/** The BullMQ connection every queue and worker shares (through Redis, across processes). */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        connection: { url: config.get('REDIS_URL', { infer: true }), maxRetriesPerRequest: null },
        prefix: config.get('REDIS_PREFIX', { infer: true }),
      }),
    }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
