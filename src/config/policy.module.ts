import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from './env.validation';
import { loadPolicy, Policy } from './policy';

@Global()
@Module({
  providers: [
    { provide: Policy, inject: [ConfigService], useFactory: (config: ConfigService<Env, true>) => loadPolicy(config.get('POLICY_FILE', { infer: true })) },
  ],
  exports: [Policy],
})
export class PolicyModule {}
