import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';
import { QUEUE } from '../queue/queues';
import { FileAdapter } from './adapters/file.adapter';
import { NotificationAdapter } from './adapters/notification-adapter';
import { WebhookAdapter } from './adapters/webhook.adapter';
import { Notifier } from './notifier';
import { OutboxService } from './outbox.service';
import { SealingKeys } from './sealing-keys';

@Global()
@Module({
  imports: [BullModule.registerQueue({ name: QUEUE.notifications })],
  providers: [
    SealingKeys,
    OutboxService,
    Notifier,
    {
      provide: NotificationAdapter,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>): NotificationAdapter =>
        config.get('NOTIFY_ADAPTER', { infer: true }) === 'webhook'
          ? new WebhookAdapter(config.get('NOTIFY_WEBHOOK_URL', { infer: true })!, config.get('NOTIFY_WEBHOOK_SECRET', { infer: true })!)
          : new FileAdapter(config.get('NOTIFY_FILE', { infer: true })),
    },
  ],
  exports: [OutboxService, Notifier, SealingKeys, BullModule],
})
export class NotificationsModule {}
