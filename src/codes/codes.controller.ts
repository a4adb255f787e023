import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { actorOf, CurrentStaff } from '../staff/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/throttle';
import { UuidParam } from '../common/uuid-param';
import { Staff } from '../staff/staff.entity';
import { CodesService, CUSTODY_GUIDANCE } from './codes.service';
import { CodeSetDto, EnrolmentDto, VerdictDto, VerifyCodeDto } from './dto/codes.dto';
import { VerificationService } from './verification.service';
import { RequiresScope } from '../staff/service-scope.guard';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

@ApiTags('backup codes')
@Controller('v1/accounts/:id')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id or body' })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown account, or no active set' })
export class CodesController {
  constructor(
    private readonly codes: CodesService,
    private readonly verification: VerificationService,
  ) {}

  @PathToCodes(
    ['code_set', 'link_token'],
    'first enrolment only: codes in the response, the employee told on every registered channel with a "this wasn’t me" link',
  )
  @Post('code-sets')
  @ApiOperation({ summary: "Enrol an account's first backup codes", operationId: 'enrolCodes' })
  @Roles('service')
  @RequiresScope('enrol')
  @ApiCreatedResponse({ type: EnrolmentDto, description: 'The codes, shown this once' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description:
      'The account has had codes before (new codes come only through a recovery ticket), its registered channels changed within the risk window, or it is deactivated',
  })
  async enrol(@CurrentStaff() caller: Staff, @UuidParam('id') accountId: string): Promise<EnrolmentDto> {
    const { set, codes } = await this.codes.enrol(actorOf(caller), accountId);
    return { setId: set.id, codes, count: set.codeCount, rotationDueAt: set.rotationDueAt.toISOString(), custody: CUSTODY_GUIDANCE };
  }

  @Post('codes/verify')
  @ApiOperation({ summary: 'Verify a backup code', operationId: 'verifyCode' })
  @HttpCode(200)
  @Roles('service')
  @RequiresScope('verify')
  @RateLimited('verify')
  @ApiOkResponse({ type: VerdictDto, description: 'valid or not; never which part was wrong' })
  @ApiResponse({ status: 423, type: ErrorResponseDto, description: 'Locked after repeated failures; Retry-After says for how long' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many attempts by this caller for this account' })
  verify(@CurrentStaff() caller: Staff, @UuidParam('id') accountId: string, @Body() body: VerifyCodeDto): Promise<VerdictDto> {
    return this.verification.verify(actorOf(caller), accountId, body.code);
  }

  @Get('code-sets/current')
  @ApiOperation({ summary: "Get an account's active code set (never the codes)", operationId: 'getCurrentCodeSet' })
  @Roles('service', 'agent', 'admin', 'auditor')
  @RequiresScope('verify')
  @ApiOkResponse({ type: CodeSetDto, description: 'The active set: dates and how many remain, never codes' })
  async current(@UuidParam('id') accountId: string): Promise<CodeSetDto> {
    return CodeSetDto.fromCurrent(await this.codes.current(accountId));
  }

  @Post('code-sets/current/custody')
  @ApiOperation({ summary: 'Record that the subject stored the codes safely', operationId: 'acknowledgeCodeCustody' })
  @HttpCode(200)
  @Roles('service')
  @RequiresScope('enrol')
  @ApiOkResponse({ type: CodeSetDto, description: 'The subject acknowledged storing the codes safely' })
  async acknowledgeCustody(@CurrentStaff() caller: Staff, @UuidParam('id') accountId: string): Promise<CodeSetDto> {
    return CodeSetDto.fromCurrent(await this.codes.acknowledgeCustody(actorOf(caller), accountId));
  }
}
