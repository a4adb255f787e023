import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { BootstrapService } from './bootstrap.service';
import { MeController } from './me.controller';
import { ServiceScopesModule } from './service-scopes.module';
import { StaffController } from './staff.controller';
import { StaffService } from './staff.service';

@Module({
  imports: [ServiceScopesModule],
  controllers: [StaffController, MeController],
  providers: [StaffService, BootstrapService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [StaffService, BootstrapService],
})
export class StaffModule {}
