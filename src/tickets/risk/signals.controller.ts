import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { answer, ChangeRequestDto } from '../../change-requests/dto/change-request.dto';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentStaff } from '../../staff/current-staff.decorator';
import { Roles } from '../../common/auth/roles.decorator';
import { RequiresStepUp } from '../../common/auth/step-up.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { InvalidInput } from '../../common/errors';
import { PageQueryDto } from '../../common/pagination';
import { UuidParam } from '../../common/uuid-param';
import { Staff } from '../../staff/staff.entity';
import { ReasonBodyDto, TicketDto, TicketPageDto } from '../dto/ticket.dto';
import { TicketViews } from '../ticket-views';
import { RISK_SIGNALS, RiskSignalCode } from './risk-signals';
import { RiskService } from './risk.service';

function signalParam(value: string): RiskSignalCode {
  if (!RISK_SIGNALS.includes(value as RiskSignalCode)) throw new InvalidInput('signal', `must be one of ${RISK_SIGNALS.join(', ')}`);
  return value as RiskSignalCode;
}

@ApiTags('recovery tickets')
@Controller('v1/tickets')
export class SignalsController {
  constructor(
    private readonly risk: RiskService,
    private readonly views: TicketViews,
  ) {}

  /** Registered before TicketsController (tickets.module.ts), so `held` is not taken for a ticket id. */
  @Get('held')
  @ApiOperation({ summary: 'List tickets held by a risk signal', operationId: 'listHeldTickets' })
  @Roles('admin')
  @ApiOkResponse({ type: TicketPageDto, description: 'Live tickets a risk signal holds until an admin clears it, oldest first' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid limit or cursor' })
  async held(@Query() query: PageQueryDto): Promise<TicketPageDto> {
    const page = await this.risk.held(query.limit, query.cursor);
    return { items: await this.views.many(page.items), nextCursor: page.nextCursor };
  }

  @Post(':id/signals/:signal/clear')
  @ApiOperation({ summary: 'Clear a risk signal that holds a ticket', operationId: 'clearRiskSignal' })
  @HttpCode(200)
  @Roles('admin')
  @RequiresStepUp()
  @ApiParam({ name: 'signal', enum: RISK_SIGNALS })
  @ApiOkResponse({
    type: TicketDto,
    description: 'The hold is released (who, when and why recorded on the signal and audited); the ticket can be claimed or approved again',
  })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid id, signal or reason' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown ticket, or no such signal on it' })
  @ApiAcceptedResponse({
    type: ChangeRequestDto,
    description: 'With two or more admins: a change request now waits for a second admin, who releases the hold on approval',
  })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The signal does not hold the ticket, was already cleared, the ticket is closed, or a change request for it is pending',
  })
  async clear(
    @CurrentStaff() staff: Staff,
    @UuidParam('id') id: string,
    @Param('signal') signal: string,
    @Body() body: ReasonBodyDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TicketDto | ChangeRequestDto> {
    const outcome = await this.risk.clear(staff, id, signalParam(signal), body.reason);
    return 'applied' in outcome ? this.views.one(outcome.applied) : answer(outcome, staff, res, () => undefined as never);
  }
}
