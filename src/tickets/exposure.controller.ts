import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { actorOf, CurrentStaff } from '../staff/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { UuidParam } from '../common/uuid-param';
import { CodeSetDto, ExposureDto, ReasonDto } from '../codes/dto/codes.dto';
import { Staff } from '../staff/staff.entity';
import { ExposureService } from './exposure.service';
import { RequiresScope } from '../staff/service-scope.guard';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

@ApiTags('backup codes')
@Controller('v1/accounts/:id/code-sets/current/exposure')
export class ExposureController {
  constructor(private readonly exposure: ExposureService) {}

  @PathToCodes(['link_token'], 'revokes the set and opens (or joins) a reissue ticket, whose subject is told with a "this wasn’t me" link')
  @Post()
  @ApiOperation({ summary: 'Report exposed backup codes (revoke and reissue)', operationId: 'reportCodeExposure' })
  @HttpCode(200)
  @Roles('service', 'agent')
  @RequiresScope('exposure')
  @ApiOkResponse({ type: ExposureDto, description: 'The set is revoked at once and a reissue ticket is in the queue' })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown account' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'No active set to revoke, or the account is deactivated' })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'Past the exposure limit for this caller (per hour) or account (per day); Retry-After says when',
  })
  async report(@CurrentStaff() caller: Staff, @UuidParam('id') accountId: string, @Body() body: ReasonDto): Promise<ExposureDto> {
    const outcome = await this.exposure.report(actorOf(caller), accountId, body.reason);
    return { revokedSet: CodeSetDto.from(outcome.revoked, null), reissueRequestId: outcome.reissueRequestId, ticketId: outcome.ticketId };
  }
}
