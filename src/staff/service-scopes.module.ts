import { Global, Module } from '@nestjs/common';
import { ServiceScopeGuard, ServiceUseRecorder } from './service-scope.guard';
import { ServiceTokenWatch } from './service-token-watch';

/** Global: @RequiresScope guards routes of every module (codes, tickets, unlock). */
@Global()
@Module({
  providers: [ServiceTokenWatch, ServiceScopeGuard, ServiceUseRecorder],
  exports: [ServiceTokenWatch, ServiceScopeGuard, ServiceUseRecorder],
})
export class ServiceScopesModule {}
