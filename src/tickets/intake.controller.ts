import { Body, Controller, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff } from '../staff/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Staff } from '../staff/staff.entity';
import { OpenTicketDto, TicketDto } from './dto/ticket.dto';
import { TicketViews } from './ticket-views';
import { TicketsService } from './tickets.service';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

/**
 * Where calls enter the desk without an agent typing them in: the phone system, the chat front end or the web form
 * holds an `intake` token and opens the ticket as the caller described it. Drill tickets enter the same way.
 */
@ApiTags('recovery tickets')
@Controller('v1/intake')
export class IntakeController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly views: TicketViews,
  ) {}

  @PathToCodes(['link_token'], 'opens a ticket; the subject is told with a "this wasn’t me" link')
  @Post('tickets')
  @Roles('intake')
  @ApiOperation({
    summary: 'Open a recovery ticket from a phone system, chat or web form',
    description:
      'The ticket enters the queue as if an agent had opened it, attributed to the intake identity. A newer request supersedes the account’s live ticket unless its codes are being reissued.',
    operationId: 'openIntakeTicket',
  })
  @ApiCreatedResponse({ type: TicketDto, description: 'Opened in the queue; the subject is told on every registered channel' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field (named in `details.fields`)' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown account' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The account is deactivated, or its codes are being reissued right now (details name the ticket)',
  })
  async open(@CurrentStaff() intake: Staff, @Body() body: OpenTicketDto): Promise<TicketDto> {
    return this.views.one(await this.tickets.open(intake, body));
  }
}
