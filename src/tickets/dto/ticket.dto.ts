import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ACCOUNT_TIERS } from '../../accounts/account.entity';
import type { AccountTier } from '../../accounts/account.entity';
import { PageQueryDto } from '../../common/pagination';
import { PROOFING_STEPS, STEP_STATUSES } from '../proofing/step-catalogue';
import { NOT_COUNTED_REASONS, NotCountedReason } from '../risk/history-signals';
import { RISK_SIGNALS } from '../risk/risk-signals';
import type { RiskSignalCode } from '../risk/risk-signals';
import type { ProofingStep, StepStatus } from '../proofing/step-catalogue';
import { TICKET_CHANNELS, TICKET_REASONS } from '../ticket.entity';
import type { TicketChannel, TicketReason } from '../ticket.entity';
import { TICKET_EVENTS, TICKET_STATES } from '../ticket.machine';
import type { TicketEvent, TicketState } from '../ticket.machine';

export class CallbackDto {
  @ApiPropertyOptional({ example: 'Jane', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: '+447700900999', description: 'As the caller gave it: shown to staff, never used to send anything' })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{5,20}$/, { message: 'must be a phone number' })
  phone?: string;

  @ApiPropertyOptional({ example: 'jane.personal@example.net' })
  @IsOptional()
  @IsEmail({}, { message: 'must be an e-mail address' })
  @MaxLength(254)
  email?: string;
}

export class OpenTicketDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'must be a UUID' })
  accountId: string;

  @ApiProperty({ enum: TICKET_CHANNELS })
  @IsIn(TICKET_CHANNELS)
  channel: TicketChannel;

  @ApiProperty({ enum: TICKET_REASONS })
  @IsIn(TICKET_REASONS)
  reason: TicketReason;

  @ApiPropertyOptional({ type: CallbackDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CallbackDto)
  callback?: CallbackDto;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
}

export class TicketQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATES, description: 'Default: every state someone is still working on' })
  @IsOptional()
  @IsIn(TICKET_STATES)
  state?: TicketState;
}

export class ReasonBodyDto {
  @ApiProperty({ minLength: 3, maxLength: 1000, example: 'caller could not answer the directory questions' })
  @IsString()
  @MinLength(3)
  @MaxLength(1000)
  reason: string;
}

export class StepViewDto {
  @ApiProperty({ enum: PROOFING_STEPS }) step: ProofingStep;
  @ApiProperty({ enum: ['system', 'attested'] }) kind: 'system' | 'attested';
  @ApiProperty({ enum: STEP_STATUSES }) status: StepStatus;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String, description: 'Which registered channel a code or link went to' }) sentTo: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) decidedAt: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What the agent attested (document type, last 4, note); null for system-verified steps, which answer only pass/fail',
  })
  evidence: Record<string, unknown> | null;
}

export class ApprovalViewDto {
  @ApiProperty({ format: 'uuid' }) approverId: string;
  @ApiProperty({ enum: ['approve', 'deny'] }) decision: 'approve' | 'deny';
  @ApiProperty() reason: string;
  @ApiProperty({
    description:
      'Counts toward approvalsRequired. False for an approver whose role is younger than risk.approverFreshDays on a privileged or critical ticket (and, on approvals recorded before the reporting line was refused outright, for the subject’s manager chain)',
  })
  independent: boolean;
  @ApiProperty({ enum: NOT_COUNTED_REASONS, isArray: true, description: 'Why the approval does not count (empty when it counts)' })
  notCounted: NotCountedReason[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class TicketSignalDto {
  @ApiProperty({ enum: RISK_SIGNALS }) signal: RiskSignalCode;
  @ApiProperty({ description: 'Why it was raised, in words for the agent and approver' }) reason: string;
  @ApiProperty({ description: 'While true and not cleared, the ticket cannot be claimed or approved' }) holds: boolean;
  @ApiProperty({ format: 'date-time' }) raisedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When an admin cleared the hold' }) clearedAt: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) clearedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) clearReason: string | null;
}

export class ConcernViewDto {
  @ApiProperty({ format: 'uuid', description: 'The staff member who raised it' }) raisedBy: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) raisedAt: string;
}

export class TicketAccountDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() externalId: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ACCOUNT_TIERS }) tier: AccountTier;
  @ApiProperty({ example: 'j***@example.com' }) email: string;
  @ApiProperty({ example: '*** *** **34' }) phone: string;
}

export class TicketDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: TICKET_STATES }) state: TicketState;
  @ApiProperty({ type: TicketAccountDto, description: 'Registered channels masked' }) account: TicketAccountDto;
  @ApiProperty({ enum: ACCOUNT_TIERS }) tier: AccountTier;
  @ApiProperty({ enum: [...TICKET_CHANNELS, 'self_service'] }) channel: TicketChannel;
  @ApiProperty({ enum: TICKET_REASONS }) reason: TicketReason;
  @ApiProperty({ type: CallbackDto, description: 'As the caller gave it' }) callback: CallbackDto;
  @ApiProperty({ nullable: true, type: String }) notes: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) assignedTo: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Who may cancel it besides an admin and the subject: the assigned agent, else the staff member who opened it',
  })
  owner: string | null;
  @ApiProperty({ type: [ConcernViewDto], description: 'Concerns other staff raised about it (POST /v1/tickets/{id}/concerns), oldest first' })
  concerns: ConcernViewDto[];
  @ApiProperty({ type: [StepViewDto] }) steps: StepViewDto[];
  @ApiProperty() approvalsRequired: number;
  @ApiProperty({ type: [ApprovalViewDto] }) approvals: ApprovalViewDto[];
  @ApiProperty({ type: [TicketSignalDto], description: 'Risk signals raised on this ticket (see docs/tickets.md, Risk signals)' }) signals: TicketSignalDto[];
  @ApiProperty({ description: 'A risk signal holds the ticket: no claim, no approval until an admin clears it' }) held: boolean;
  @ApiProperty({ enum: TICKET_EVENTS, isArray: true, description: 'Events the table allows from this state' }) allowedEvents: TicketEvent[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) stateChangedAt: string;
  @ApiProperty({ format: 'date-time', description: 'When the current waiting state breaches its SLA' }) dueAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Regeneration not before (cooling-off)' }) regenerateAfter: string | null;
  @ApiPropertyOptional({
    description: 'Present only after the debrief of a social-engineering drill: until then a drill ticket looks like any other',
    type: 'object',
    properties: { debriefedAt: { type: 'string', format: 'date-time' } },
  })
  drill?: { debriefedAt: string };
}

export class TicketPageDto {
  @ApiProperty({ type: [TicketDto] }) items: TicketDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

/** How many tickets are in each state: the queue's tabs. Drill tickets count like any other. */
export class TicketCountsDto implements Record<TicketState, number> {
  @ApiProperty({ minimum: 0 }) open: number;
  @ApiProperty({ minimum: 0 }) proofing: number;
  @ApiProperty({ minimum: 0 }) awaiting_approval: number;
  @ApiProperty({ minimum: 0 }) approved: number;
  @ApiProperty({ minimum: 0 }) regenerating: number;
  @ApiProperty({ minimum: 0 }) completed: number;
  @ApiProperty({ minimum: 0 }) denied: number;
  @ApiProperty({ minimum: 0 }) cancelled: number;
  @ApiProperty({ minimum: 0 }) expired: number;
  @ApiProperty({ minimum: 0 }) failed: number;
  @ApiProperty({ minimum: 0, description: 'Withdrawn by a newer request for the same account' }) superseded: number;
}

export class TimelineEventDto {
  @ApiProperty() seq: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty() action: string;
  @ApiProperty() actorKind: string;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
}
