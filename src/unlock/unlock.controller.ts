import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { answer, ChangeRequestDto } from '../change-requests/dto/change-request.dto';
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
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { actorOf, CurrentStaff } from '../staff/current-staff.decorator';
import { Public, Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { UuidParam } from '../common/uuid-param';
import { Staff } from '../staff/staff.entity';
import { CriticalSystemsService } from './critical-systems.service';
import {
  CreateCriticalSystemDto,
  CriticalSystemViewDto,
  CustodianDto,
  IntrospectDto,
  IntrospectionDto,
  PresentCodeDto,
  PublicKeyDto,
  UnlockSessionDto,
  UpdateCriticalSystemRequestDto,
} from './dto/unlock.dto';
import { GrantSigner } from './grant-signer';
import { GrantsService } from './grants.service';
import { UnlockService } from './unlock.service';
import { RequiresScope } from '../staff/service-scope.guard';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

@ApiTags('dual-code unlock')
@Controller('v1/critical-systems')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiNotFoundResponse({ type: ErrorResponseDto })
export class CriticalSystemsController {
  constructor(
    private readonly systems: CriticalSystemsService,
    private readonly unlock: UnlockService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a critical system', operationId: 'createCriticalSystem' })
  @Roles('admin')
  @ApiCreatedResponse({ type: CriticalSystemViewDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Name taken' })
  create(@CurrentStaff() admin: Staff, @Body() body: CreateCriticalSystemDto): Promise<CriticalSystemViewDto> {
    return this.systems.create(actorOf(admin), body);
  }

  @Get()
  @ApiOperation({ summary: 'List critical systems', operationId: 'listCriticalSystems' })
  @Roles('admin', 'auditor')
  @ApiOkResponse({ type: [CriticalSystemViewDto] })
  list(): Promise<CriticalSystemViewDto[]> {
    return this.systems.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a critical system', operationId: 'getCriticalSystem' })
  @Roles('admin', 'auditor', 'service')
  @RequiresScope('unlock')
  @ApiOkResponse({ type: CriticalSystemViewDto })
  get(@UuidParam('id') id: string): Promise<CriticalSystemViewDto> {
    return this.systems.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a critical system', operationId: 'updateCriticalSystem' })
  @Roles('admin')
  @ApiOkResponse({ type: CriticalSystemViewDto })
  @ApiAcceptedResponse({ type: ChangeRequestDto, description: 'A change to k or the window: a change request now waits for a second admin' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A change request for this system is pending' })
  async update(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @Body() body: UpdateCriticalSystemRequestDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CriticalSystemViewDto | ChangeRequestDto> {
    const { changeReason, ...changes } = body;
    return answer(await this.systems.requestUpdate(admin, id, changes, changeReason), admin, res, (view) => view);
  }

  @Post(':id/custodians')
  @ApiOperation({ summary: 'Add a custodian to a critical system', operationId: 'addCustodian' })
  @Roles('admin')
  @ApiCreatedResponse({ type: CriticalSystemViewDto })
  @ApiAcceptedResponse({ type: ChangeRequestDto, description: 'A change request now waits for a second admin' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already a custodian, or a change request for this system is pending' })
  async addCustodian(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @Body() body: CustodianDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CriticalSystemViewDto | ChangeRequestDto> {
    return answer(await this.systems.requestAddCustodian(admin, id, body.accountId, body.changeReason), admin, res, (view) => view);
  }

  @Delete(':id/custodians/:accountId')
  @ApiOperation({ summary: 'Remove a custodian from a critical system', operationId: 'removeCustodian' })
  @Roles('admin')
  @ApiOkResponse({ type: CriticalSystemViewDto })
  @ApiAcceptedResponse({ type: ChangeRequestDto, description: 'A change request now waits for a second admin' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Would leave fewer custodians than k, or a change request for this system is pending' })
  async removeCustodian(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @UuidParam('accountId') accountId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CriticalSystemViewDto | ChangeRequestDto> {
    return answer(await this.systems.requestRemoveCustodian(admin, id, accountId), admin, res, (view) => view);
  }

  @Post(':id/unlock-sessions')
  @ApiOperation({ summary: 'Open a dual-code unlock session', operationId: 'openUnlockSession' })
  @Roles('service', 'admin')
  @RequiresScope('unlock')
  @ApiCreatedResponse({ type: UnlockSessionDto, description: 'Open for the system’s window; every custodian is told' })
  open(@CurrentStaff() caller: Staff, @UuidParam('id') id: string): Promise<UnlockSessionDto> {
    return this.unlock.open(actorOf(caller), id);
  }
}

@ApiTags('dual-code unlock')
@Controller('v1/unlock-sessions')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiNotFoundResponse({ type: ErrorResponseDto })
export class UnlockSessionsController {
  constructor(private readonly unlock: UnlockService) {}

  @PathToCodes(['unlock_grant'], 'the k-th distinct custodian’s code unlocks the session and signs the grant')
  @Post(':id/presentations')
  @ApiOperation({ summary: "Present a custodian's code to an unlock session", operationId: 'presentCustodianCode' })
  @HttpCode(200)
  @Roles('service')
  @RequiresScope('unlock')
  @ApiOkResponse({ type: UnlockSessionDto, description: 'Recorded; when k distinct custodians have presented, `state` is unlocked and `grant` is here' })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description:
      'Not a custodian of this system, or (code `custodian_codes_rule`) the custodian’s codes do not count: enrolled after they were added or too recently (code untouched)',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Same custodian twice, or already unlocked (code untouched)' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'The window has closed (code untouched)' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'The code was not accepted (counted toward lockout)' })
  @ApiResponse({ status: 423, type: ErrorResponseDto, description: 'The custodian’s code verification is locked' })
  present(@CurrentStaff() caller: Staff, @UuidParam('id') id: string, @Body() body: PresentCodeDto): Promise<UnlockSessionDto> {
    return this.unlock.present(actorOf(caller), id, body.accountId, body.code);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an unlock session', operationId: 'getUnlockSession' })
  @Roles('service', 'admin', 'auditor')
  @RequiresScope('unlock')
  @ApiOkResponse({ type: UnlockSessionDto })
  get(@UuidParam('id') id: string): Promise<UnlockSessionDto> {
    return this.unlock.get(id);
  }
}

@ApiTags('dual-code unlock')
@Controller('v1/grants')
export class GrantsController {
  constructor(
    private readonly grants: GrantsService,
    private readonly signer: GrantSigner,
  ) {}

  @Post('introspect')
  @ApiOperation({ summary: 'Introspect an unlock grant', operationId: 'introspectGrant' })
  @HttpCode(200)
  @Roles('service')
  @RequiresScope('unlock')
  @ApiOkResponse({ type: IntrospectionDto, description: '{ active: false } for anything not a live grant of ours' })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  introspect(@Body() body: IntrospectDto): Promise<IntrospectionDto> {
    return this.grants.introspect(body.grant);
  }

  @Get('public-key')
  @ApiOperation({ summary: 'The public key that verifies unlock grants', operationId: 'getGrantPublicKey' })
  @Public()
  @ApiOkResponse({ type: PublicKeyDto, description: 'Verify grants offline: EdDSA (Ed25519) JWTs' })
  publicKey(): PublicKeyDto {
    return {
      alg: 'EdDSA',
      kid: this.signer.kid,
      publicKeyPem: this.signer.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      jwk: this.signer.publicJwk(),
    };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an unlock grant', operationId: 'revokeGrant' })
  @Roles('admin')
  @ApiOkResponse({ description: 'Revoked; introspection answers inactive from now on', schema: { example: { id: 'uuid', revokedAt: '2026-11-23T10:00:00Z' } } })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(@CurrentStaff() admin: Staff, @UuidParam('id') id: string): Promise<{ id: string; revokedAt: string }> {
    const grant = await this.grants.revoke(actorOf(admin), id);
    return { id: grant.id, revokedAt: grant.revokedAt!.toISOString() };
  }
}
