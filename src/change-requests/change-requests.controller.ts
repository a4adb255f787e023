import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentStaff } from '../staff/current-staff.decorator';
import { RequiresStepUp } from '../common/auth/step-up.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { UuidParam } from '../common/uuid-param';
import { Staff } from '../staff/staff.entity';
import { ChangeRequestsService } from './change-requests.service';
import { ChangeRequestDto, ChangeRequestPageDto, ChangeRequestQueryDto, ReviewDto } from './dto/change-request.dto';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

/** Sensitive admin changes waiting for (or decided by) a second admin. Admins only, on every route. */
@ApiTags('change requests')
@Controller('v1/change-requests')
@Roles('admin')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid id, query or reason' })
export class ChangeRequestsController {
  constructor(private readonly changes: ChangeRequestsService) {}

  @Get()
  @ApiOperation({ summary: 'List change requests, pending first, with whether multi-party approval is on', operationId: 'listChangeRequests' })
  @ApiOkResponse({ type: ChangeRequestPageDto })
  async list(@CurrentStaff() admin: Staff, @Query() query: ChangeRequestQueryDto): Promise<ChangeRequestPageDto> {
    const page = await this.changes.list(query.limit, query.cursor, query.state);
    return { items: page.items.map((r) => ChangeRequestDto.from(r, admin.id)), nextCursor: page.nextCursor, multiPartyApproval: await this.changes.status() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show one change request with its exact before and after', operationId: 'getChangeRequest' })
  @ApiOkResponse({ type: ChangeRequestDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@CurrentStaff() admin: Staff, @UuidParam('id') id: string): Promise<ChangeRequestDto> {
    return ChangeRequestDto.from(await this.changes.get(id), admin.id);
  }

  @PathToCodes(['link_token'], 'applying an approved channel change tells the old channel with a "this wasn’t me" link')
  @Post(':id/approve')
  @RequiresStepUp()
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a change request: it is applied at once if what it was made against still holds', operationId: 'approveChangeRequest' })
  @ApiOkResponse({ type: ChangeRequestDto, description: 'Approved and applied' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Your own request, or a change to your own staff record' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Already decided, or refused because its target changed underneath (then it is kept as refused)',
  })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'Expired' })
  async approve(@CurrentStaff() admin: Staff, @UuidParam('id') id: string, @Body() body: ReviewDto): Promise<ChangeRequestDto> {
    return ChangeRequestDto.from(await this.changes.approve(admin, id, body.reason), admin.id);
  }

  @Post(':id/reject')
  @RequiresStepUp()
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a change request with a reason', operationId: 'rejectChangeRequest' })
  @ApiOkResponse({ type: ChangeRequestDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Your own request, or a change to your own staff record' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already decided' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'Expired' })
  async reject(@CurrentStaff() admin: Staff, @UuidParam('id') id: string, @Body() body: ReviewDto): Promise<ChangeRequestDto> {
    return ChangeRequestDto.from(await this.changes.reject(admin, id, body.reason), admin.id);
  }
}
