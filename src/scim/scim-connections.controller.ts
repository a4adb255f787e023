import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { answer, ChangeRequestDto } from '../change-requests/dto/change-request.dto';
import { actorOf, CurrentStaff } from '../staff/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { RequiresStepUp } from '../common/auth/step-up.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { UuidParam } from '../common/uuid-param';
import type { Env } from '../config/env.validation';
import { Staff } from '../staff/staff.entity';
import { CreatedScimConnectionDto, CreateScimConnectionDto, ScimConnectionDto } from './dto/scim.dto';
import { IssuedConnection, ScimConnectionsService } from './scim-connections.service';

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
  @ApiAcceptedResponse({
    type: ChangeRequestDto,
    description:
      'With two or more active admins: a change request now waits for a second admin; once approved, the requester fetches the secret once (POST /v1/scim-connections/{id}/secret)',
  })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A change request for a connection of this name is pending' })
  async create(
    @CurrentStaff() admin: Staff,
    @Body() body: CreateScimConnectionDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CreatedScimConnectionDto | ChangeRequestDto> {
    return answer(await this.connections.requestCreate(admin, body.name, body.changeReason), admin, res, (issued) => this.issued(issued));
  }

  @Post(':id/secret')
  @HttpCode(200)
  @Roles('admin')
  @RequiresStepUp()
  @ApiOperation({
    summary: 'Fetch the secret of a connection created through a change request: its requester only, once',
    operationId: 'issueScimConnectionSecret',
  })
  @ApiOkResponse({ type: CreatedScimConnectionDto, description: 'The secret is in this response only' })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not the admin who asked for the connection' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The connection is revoked' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'The secret was shown once already' })
  async issueSecret(@CurrentStaff() admin: Staff, @UuidParam('id') id: string): Promise<CreatedScimConnectionDto> {
    return this.issued(await this.connections.issueSecret(admin, id));
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

  private issued({ connection, secret }: IssuedConnection): CreatedScimConnectionDto {
    return { connection: ScimConnectionDto.from(connection), secret, baseUrl: `${this.config.get('PUBLIC_URL', { infer: true })}/scim/v2` };
  }
}
