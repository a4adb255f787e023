import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ChangeGateModule } from '../change-requests/change-gate';
import { AuthGuard } from './auth.guard';
import { StaffTokenCache, StaffTokenCacheInvalidation } from './staff-token-cache';
import { BootstrapService } from './bootstrap.service';
import { MeController } from './me.controller';
import { OidcClient } from './sign-in/oidc-client.service';
import { SessionsService } from './sign-in/sessions.service';
import { SignInController } from './sign-in/sign-in.controller';
import { SignInService } from './sign-in/sign-in.service';
import { ServiceScopesModule } from './service-scopes.module';
import { StaffController } from './staff.controller';
import { StaffService } from './staff.service';

@Module({
  imports: [ChangeGateModule, ServiceScopesModule],
  controllers: [StaffController, MeController, SignInController],
  providers: [
    StaffService,
    BootstrapService,
    OidcClient,
    SessionsService,
    SignInService,
    StaffTokenCache,
    StaffTokenCacheInvalidation,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [StaffService, BootstrapService],
})
export class StaffModule {}
