import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentAuthentication, CurrentStaff } from '../staff/current-staff.decorator';
import { RequiresStepUp } from '../common/auth/step-up.decorator';
import type { Authentication } from '../staff/sign-in/step-up';
import { Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { InvalidInput } from '../common/errors';
import { UuidParam } from '../common/uuid-param';
import { Staff } from '../staff/staff.entity';
import { ApprovalsService } from './approvals/approvals.service';
import { OpenTicketDto, ReasonBodyDto, TicketCountsDto, TicketDto, TicketPageDto, TicketQueryDto, TimelineEventDto } from './dto/ticket.dto';
import { ProofingService } from './proofing/proofing.service';
import { DirectoryFactsEvidenceDto, GovernmentIdEvidenceDto, OtpEvidenceDto, StartStepDto, VideoCallEvidenceDto } from './proofing/step-evidence.dto';
import { PROOFING_STEPS, ProofingStep } from './proofing/step-catalogue';
import { TicketViews } from './ticket-views';
import { Ticket } from './ticket.entity';
import { TicketsService } from './tickets.service';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

function stepParam(value: string): ProofingStep {
  if (!PROOFING_STEPS.includes(value as ProofingStep)) throw new InvalidInput('step', `must be one of ${PROOFING_STEPS.join(', ')}`);
  return value as ProofingStep;
}

@ApiTags('recovery tickets')
@Controller('v1/tickets')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field, id or step (named in the message)' })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown ticket or account' })
@ApiConflictResponse({ type: ErrorResponseDto, description: 'Not allowed in the ticket’s current state: details name `state` and `allowedEvents`' })
@ApiExtraModels(OtpEvidenceDto, DirectoryFactsEvidenceDto, GovernmentIdEvidenceDto, VideoCallEvidenceDto)
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly proofing: ProofingService,
    private readonly approvals: ApprovalsService,
    private readonly views: TicketViews,
  ) {}

  private view = (ticket: Ticket) => this.views.one(ticket);

  @PathToCodes(['link_token'], 'opens a ticket; the subject is told with a "this wasn’t me" link')
  @Post()
  @ApiOperation({ summary: 'Open a recovery ticket', operationId: 'openTicket' })
  @Roles('agent')
  @ApiCreatedResponse({ type: TicketDto, description: 'Opened in the queue; the subject is told on every registered channel' })
  async open(@CurrentStaff() staff: Staff, @Body() body: OpenTicketDto): Promise<TicketDto> {
    return this.view(await this.tickets.open(staff, body));
  }

  @Get()
  @ApiOperation({ summary: 'List the ticket queue', operationId: 'listTickets' })
  @Roles('agent', 'approver')
  @ApiOkResponse({ type: TicketPageDto, description: 'Critical first, then nearest to SLA breach' })
  async list(@Query() query: TicketQueryDto): Promise<TicketPageDto> {
    const page = await this.tickets.list(query.state, query.limit, query.cursor);
    return { items: await this.views.many(page.items), nextCursor: page.nextCursor };
  }

  @Get('counts')
  @ApiOperation({ summary: 'Count tickets in each state', operationId: 'countTicketsByState' })
  @Roles('agent', 'approver')
  @ApiOkResponse({ type: TicketCountsDto, description: 'How many tickets are in each state, every state named (0 when none)' })
  countByState(): Promise<TicketCountsDto> {
    return this.tickets.countByState();
  }

  @Post('next')
  @ApiOperation({ summary: 'Claim the next ticket in the queue', operationId: 'claimNextTicket' })
  @Roles('agent')
  @ApiOkResponse({ type: TicketDto, description: 'The ticket now assigned to the caller, in proofing' })
  @ApiNoContentResponse({ description: 'Nothing waiting' })
  async claimNext(@CurrentStaff() staff: Staff, @Res({ passthrough: true }) res: Response): Promise<TicketDto | undefined> {
    const ticket = await this.tickets.claimNext(staff);
    if (!ticket) {
      res.status(204);
      return undefined;
    }
    res.status(200);
    return this.view(ticket);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a ticket', operationId: 'getTicket' })
  @Roles('agent', 'approver', 'admin')
  @ApiOkResponse({ type: TicketDto })
  async get(@UuidParam('id') id: string): Promise<TicketDto> {
    return this.view(await this.tickets.get(id));
  }

  @Get(':id/events')
  @ApiOperation({ summary: "A ticket's history", operationId: 'listTicketEvents' })
  @Roles('agent', 'approver', 'admin', 'auditor')
  @ApiOkResponse({ type: [TimelineEventDto], description: 'The ticket’s history, oldest first, from the audit trail' })
  async timeline(@UuidParam('id') id: string): Promise<TimelineEventDto[]> {
    return (await this.tickets.timeline(id)).map((e) => ({
      seq: e.seq,
      occurredAt: e.occurredAt.toISOString(),
      action: e.action,
      actorKind: e.actorKind,
      actorId: e.actorId,
      payload: e.payload,
    }));
  }

  @Post(':id/release')
  @ApiOperation({ summary: 'Release a claimed ticket back to the queue', operationId: 'releaseTicket' })
  @HttpCode(200)
  @Roles('agent')
  @ApiOkResponse({ type: TicketDto, description: 'Back to the queue, unassigned' })
  async release(@CurrentStaff() staff: Staff, @UuidParam('id') id: string): Promise<TicketDto> {
    return this.view(await this.tickets.agentEvent(staff, id, 'release'));
  }

  @PathToCodes(['link_token'], 'the manager-attestation step sends a one-time link to the manager on file')
  @Post(':id/steps/:step/start')
  @ApiOperation({ summary: 'Start a proofing step (send the code or the manager link)', operationId: 'startProofingStep' })
  @HttpCode(200)
  @Roles('agent')
  @ApiOkResponse({ type: TicketDto, description: 'The code went to the REGISTERED channel, or the link to the manager on file' })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description: 'Not the agent working it, or `manager_chain`: linked to the subject’s manager or anyone above them',
  })
  async startStep(@CurrentStaff() staff: Staff, @UuidParam('id') id: string, @Param('step') step: string, @Body() body: StartStepDto): Promise<TicketDto> {
    return this.view(await this.proofing.start(staff, id, stepParam(step), body));
  }

  @PathToCodes(['code_set', 'delivery_envelope', 'link_token'], 'the last passing step of a ticket needing no approver approves it and schedules regeneration')
  @Post(':id/steps/:step')
  @ApiOperation({ summary: "Submit a proofing step's evidence", operationId: 'submitProofingStep' })
  @HttpCode(200)
  @Roles('agent')
  @ApiBody({
    description: 'The evidence for this step',
    schema: {
      oneOf: [OtpEvidenceDto, DirectoryFactsEvidenceDto, GovernmentIdEvidenceDto, VideoCallEvidenceDto].map((m) => ({ $ref: getSchemaPath(m) })),
    },
  })
  @ApiOkResponse({ type: TicketDto, description: 'Step passed or failed; a failed system-verified step denies the ticket' })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description: 'Not the agent working it, or `manager_chain`: linked to the subject’s manager or anyone above them',
  })
  async submitStep(
    @CurrentStaff() staff: Staff,
    @UuidParam('id') id: string,
    @Param('step') step: string,
    @Body() body: Record<string, unknown>,
  ): Promise<TicketDto> {
    return this.view(await this.proofing.submit(staff, id, stepParam(step), body ?? {}));
  }

  @Post(':id/flag')
  @ApiOperation({ summary: 'Flag a ticket as suspicious', operationId: 'flagTicket' })
  @HttpCode(200)
  @Roles('agent')
  @ApiOkResponse({ type: TicketDto, description: 'Denied as suspicious; security alerted' })
  async flag(@CurrentStaff() staff: Staff, @UuidParam('id') id: string, @Body() body: ReasonBodyDto): Promise<TicketDto> {
    return this.view(await this.tickets.agentEvent(staff, id, 'flag', body.reason));
  }

  @PathToCodes(
    ['code_set', 'delivery_envelope', 'link_token'],
    'the last approval schedules regeneration after cooling-off; the subject gets a "this wasn’t me" link',
  )
  @Post(':id/approve')
  @ApiOperation({ summary: 'Approve a ticket', operationId: 'approveTicket' })
  @HttpCode(200)
  @Roles('approver')
  @RequiresStepUp()
  @ApiOkResponse({ type: TicketDto, description: 'Signed; approved once the tier’s count of distinct approvers is reached' })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description: '`separation_of_duties`, or `manager_chain`: linked to the subject’s manager or anyone above them',
  })
  async approve(
    @CurrentStaff() staff: Staff,
    @CurrentAuthentication() authentication: Authentication | undefined,
    @UuidParam('id') id: string,
    @Body() body: ReasonBodyDto,
  ): Promise<TicketDto> {
    return this.view(await this.approvals.sign(staff, id, 'approve', body.reason, authentication));
  }

  @PathToCodes(
    ['code_set', 'delivery_envelope', 'link_token'],
    'none by itself: the scan finds what approve can do, since an approver’s deny is signed by the same method',
  )
  @Post(':id/deny')
  @ApiOperation({ summary: 'Deny a ticket', operationId: 'denyTicket' })
  @HttpCode(200)
  @Roles('agent', 'approver')
  @ApiOkResponse({ type: TicketDto })
  async deny(@CurrentStaff() staff: Staff, @UuidParam('id') id: string, @Body() body: ReasonBodyDto): Promise<TicketDto> {
    const ticket = await this.tickets.get(id);
    const asApprover = ticket.state === 'awaiting_approval' && staff.roles.includes('approver');
    return this.view(asApprover ? await this.approvals.sign(staff, id, 'deny', body.reason) : await this.tickets.agentEvent(staff, id, 'deny', body.reason));
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a ticket (its owner or an admin)', operationId: 'cancelTicket' })
  @HttpCode(200)
  @Roles('agent', 'admin')
  @ApiOkResponse({ type: TicketDto })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description: '`not_ticket_owner`: neither its assigned agent (before a claim, its opener) nor an admin; raise a concern instead',
  })
  async cancel(@CurrentStaff() staff: Staff, @UuidParam('id') id: string, @Body() body: ReasonBodyDto): Promise<TicketDto> {
    return this.view(await this.tickets.cancel(staff, id, body.reason));
  }

  @Post(':id/concerns')
  @ApiOperation({ summary: 'Raise a concern about a ticket someone else owns', operationId: 'raiseTicketConcern' })
  @HttpCode(200)
  @Roles('agent', 'approver')
  @ApiOkResponse({ type: TicketDto, description: 'Recorded on the ticket (its timeline and `concerns`); the security contact is told' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'A drill runner on a drill ticket' })
  async raiseConcern(@CurrentStaff() staff: Staff, @UuidParam('id') id: string, @Body() body: ReasonBodyDto): Promise<TicketDto> {
    return this.view(await this.tickets.raiseConcern(staff, id, body.reason));
  }

  @PathToCodes(['code_set', 'delivery_envelope', 'link_token'], 'a failed regeneration runs again (the ticket was approved before)')
  @Post(':id/retry')
  @ApiOperation({ summary: 'Retry a failed ticket', operationId: 'retryTicket' })
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: TicketDto, description: 'A failed ticket back to approved; regeneration is scheduled again' })
  async retry(@CurrentStaff() staff: Staff, @UuidParam('id') id: string): Promise<TicketDto> {
    return this.view(await this.tickets.retry(staff, id));
  }
}
