import { Global, Module } from '@nestjs/common';
import { AfterCommitSubscriber } from './after-commit';

@Global()
@Module({ providers: [AfterCommitSubscriber] })
export class DatabaseModule {}
