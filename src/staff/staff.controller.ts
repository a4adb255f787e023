import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { answer, ChangeRequestDto } from '../change-requests/dto/change-request.dto';
import { actorOf, CurrentStaff } from './current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { RequiresStepUp } from '../common/auth/step-up.decorator';
import { UuidParam } from '../common/uuid-param';
import { ErrorResponseDto } from '../common/error-response.dto';
import { PageQueryDto } from '../common/pagination';
import { CreateStaffDto, IssuedTokenDto, IssueTokenDto, StaffDto, StaffPageDto, TokenDto, UpdateStaffDto } from './dto/staff.dto';
import { Staff } from './staff.entity';
import { StaffService } from './staff.service';

@ApiTags('staff')
@Controller('v1/staff')
@Roles('admin')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field (named in message and details)' })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown staff member or token' })
export class StaffController {
  constructor(private readonly staffService: StaffService) {}

  @Post()
  @ApiOperation({ summary: 'Create a staff member', operationId: 'createStaff' })
  @ApiCreatedResponse({ type: StaffDto })
  @ApiAcceptedResponse({ type: ChangeRequestDto, description: 'With the approver, admin or service role: a change request now waits for a second admin' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A change request for a member of this name is pending' })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description:
      'A staff rule forbids it (`details.rule`): `staff_rule_broken` (agent, approver or admin without accountId; drill runner or auditor with agent or approver), `staff_rule_refused` (linking the member to your own account)',
  })
  async create(@CurrentStaff() admin: Staff, @Body() body: CreateStaffDto, @Res({ passthrough: true }) res: Response): Promise<StaffDto | ChangeRequestDto> {
    const { changeReason, ...input } = body;
    return answer(await this.staffService.requestCreate(admin, input, changeReason), admin, res, StaffDto.from);
  }

  @Get()
  @ApiOperation({ summary: 'List staff members', operationId: 'listStaff' })
  @ApiOkResponse({ type: StaffPageDto })
  async list(@Query() query: PageQueryDto): Promise<StaffPageDto> {
    const page = await this.staffService.list(query.limit, query.cursor);
    return { items: page.items.map(StaffDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a staff member', operationId: 'getStaff' })
  @ApiOkResponse({ type: StaffDto })
  async get(@UuidParam('id') id: string): Promise<StaffDto> {
    return StaffDto.from(await this.staffService.get(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a staff member', operationId: 'updateStaff' })
  @ApiOkResponse({ type: StaffDto })
  @ApiAcceptedResponse({
    type: ChangeRequestDto,
    description: 'Granting approver, admin or service, or re-activating: a change request now waits for a second admin',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A change request for this member is pending' })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description:
      'A staff rule forbids it (`details.rule`): `staff_rule_refused` (your own roles, accountId or active; security is alerted), `staff_rule_broken` (the result would break a rule)',
  })
  async update(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @Body() body: UpdateStaffDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StaffDto | ChangeRequestDto> {
    const { changeReason, ...changes } = body;
    return answer(await this.staffService.requestUpdate(admin, id, changes, changeReason), admin, res, StaffDto.from);
  }

  @Post(':id/tokens')
  @ApiOperation({ summary: 'Issue a staff token (shown once)', operationId: 'issueStaffToken' })
  @RequiresStepUp()
  @ApiCreatedResponse({ type: IssuedTokenDto, description: 'The token is in this response only' })
  @ApiAcceptedResponse({
    type: ChangeRequestDto,
    description:
      'For an approver, admin or service member: a change request now waits for a second admin; once approved, the same call by the same admin issues the token',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A change request for this member is pending' })
  async issueToken(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @Body() body: IssueTokenDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IssuedTokenDto | ChangeRequestDto> {
    const { changeReason, ...options } = body;
    return answer(await this.staffService.requestToken(admin, id, options, changeReason), admin, res, ({ record, token }) => ({
      ...TokenDto.from(record),
      token,
    }));
  }

  @Get(':id/tokens')
  @ApiOperation({ summary: "List a staff member's tokens", operationId: 'listStaffTokens' })
  @ApiOkResponse({ type: [TokenDto], description: 'Tokens without their secrets' })
  async listTokens(@UuidParam('id') id: string): Promise<TokenDto[]> {
    return (await this.staffService.listTokens(id)).map(TokenDto.from);
  }

  @Delete(':id/tokens/:tokenId')
  @ApiOperation({ summary: 'Revoke a staff token', operationId: 'revokeStaffToken' })
  @HttpCode(200)
  @ApiOkResponse({ type: TokenDto, description: 'The revoked token' })
  async revokeToken(@CurrentStaff() admin: Staff, @UuidParam('id') id: string, @UuidParam('tokenId') tokenId: string): Promise<TokenDto> {
    return TokenDto.from(await this.staffService.revokeToken(actorOf(admin), id, tokenId));
  }
}
