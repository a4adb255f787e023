import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorOf, CurrentStaff } from '../staff/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { UuidParam } from '../common/uuid-param';
import type { Env } from '../config/env.validation';
import { Staff } from '../staff/staff.entity';
import { CreatedScimConnectionDto, CreateScimConnectionDto, ScimConnectionDto } from './dto/scim.dto';
import { ScimConnectionsService } from './scim-connections.service';

@ApiTags('scim')
@Controller('v1/scim-connections')
export class ScimConnectionsController {
  constructor(
    private readonly connections: ScimConnectionsService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a provisioning connection; its secret is shown this once', operationId: 'createScimConnection' })
  @ApiCreatedResponse({ type: CreatedScimConnectionDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async create(@CurrentStaff() admin: Staff, @Body() body: CreateScimConnectionDto): Promise<CreatedScimConnectionDto> {
    const { connection, secret } = await this.connections.create(actorOf(admin), body.name);
    return { connection: ScimConnectionDto.from(connection), secret, baseUrl: `${this.config.get('PUBLIC_URL', { infer: true })}/scim/v2` };
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Connections with last request time, counts and last errors', operationId: 'listScimConnections' })
  @ApiOkResponse({ type: [ScimConnectionDto] })
  async list(): Promise<ScimConnectionDto[]> {
    return (await this.connections.list()).map((c) => ScimConnectionDto.from(c));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke a connection: its secret stops working at once', operationId: 'revokeScimConnection' })
  @ApiOkResponse({ type: ScimConnectionDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already revoked' })
  async revoke(@CurrentStaff() admin: Staff, @UuidParam('id') id: string): Promise<ScimConnectionDto> {
    return ScimConnectionDto.from(await this.connections.revoke(actorOf(admin), id));
  }
}
