import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/auth/roles.decorator';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('operations')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up', operationId: 'checkLiveness' })
  @ApiOkResponse({ description: 'The process is alive', schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer', operationId: 'checkReadiness' })
  @HealthCheck()
  @ApiServiceUnavailableResponse({ description: 'PostgreSQL or Redis is down; the body says which' })
  ready() {
    return this.health.check([() => this.postgres.pingCheck('postgres', { timeout: 1_500 }), () => this.redis.isHealthy('redis')]);
  }
}
