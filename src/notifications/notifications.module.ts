import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';
import { QUEUE } from '../queue/queues';
import { chooseAdapter } from './adapters/choose-adapter';
import { NotificationAdapter } from './adapters/notification-adapter';
import { NotMeNotices } from './not-me-notices';
import { Notifier } from './notifier';
import { OutboxAdminService } from './outbox-admin.service';
import { OutboxController } from './outbox.controller';
import { OutboxService } from './outbox.service';
import { SealingKeys } from './sealing-keys';

@Global()
@Module({
  imports: [BullModule.registerQueue({ name: QUEUE.notifications })],
  controllers: [OutboxController],
  providers: [
    SealingKeys,
    OutboxService,
    OutboxAdminService,
    Notifier,
    NotMeNotices,
    {
      provide: NotificationAdapter,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>): NotificationAdapter => chooseAdapter(config),
    },
  ],
  exports: [OutboxService, Notifier, NotMeNotices, SealingKeys, BullModule],
})
export class NotificationsModule {}
