import { Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryService } from './delivery.service';

@Module({
  controllers: [DeliveriesController],
  providers: [DeliveryService],
  exports: [DeliveryService],
})
export class DeliveryModule {}
