import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { answer, ChangeRequestDto } from '../../change-requests/dto/change-request.dto';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentStaff } from '../../staff/current-staff.decorator';
import { Roles } from '../../common/auth/roles.decorator';
import { RequiresStepUp } from '../../common/auth/step-up.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { UuidParam } from '../../common/uuid-param';
import { Staff } from '../../staff/staff.entity';
import { ReasonBodyDto } from '../dto/ticket.dto';
import { RecoveryHold } from './recovery-hold.service';

class HoldClearedDto {
  @ApiProperty({ description: '"This wasn\'t me" reports released' }) clearedReports: number;
  @ApiProperty({ type: [String], format: 'uuid', description: 'Tickets whose subject_reported_not_me hold was cleared with it' }) clearedTickets: string[];
}

@ApiTags('recovery tickets')
@Controller('v1/accounts/:id/recovery-hold')
export class RecoveryHoldController {
  constructor(private readonly hold: RecoveryHold) {}

  @Post('clear')
  @RequiresStepUp()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Clear the recovery hold a "this wasn\'t me" report put on an account', operationId: 'clearRecoveryHold' })
  @ApiOkResponse({ type: HoldClearedDto, description: 'The hold is released (who, when and why recorded and audited); held tickets can be claimed again' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid id or reason' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'An admin cannot clear the hold on their own account' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown account' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The account has no recovery hold' })
  @ApiAcceptedResponse({
    type: ChangeRequestDto,
    description: 'With two or more admins: a change request now waits for a second admin, who releases the hold on approval',
  })
  async clear(
    @CurrentStaff() staff: Staff,
    @UuidParam('id') accountId: string,
    @Body() body: ReasonBodyDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<HoldClearedDto | ChangeRequestDto> {
    return answer(await this.hold.clear(staff, accountId, body.reason), staff, res, (cleared) => cleared);
  }
}
