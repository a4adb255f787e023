import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import type { Staff } from '../../staff/staff.entity';
import { drillSight } from '../drill-visibility';
import type { DrillListing } from '../drills.service';

export class DrillListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only this campaign’s drills' }) @IsOptional() @IsString() @MaxLength(100) campaign?: string;
}

/** One line of the drill list: what was tried, against whom, through which ticket, and how it ended. */
export class DrillSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() campaign: string;
  @ApiProperty({ description: 'The scenario’s name' }) name: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Null for an auditor while the drill’s ticket is live' }) accountId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The target account’s external id (null for an auditor while the drill’s ticket is live)' })
  accountExternalId: string | null;
  @ApiProperty({ enum: ['standard', 'privileged', 'critical'], nullable: true, type: String }) accountTier: string | null;
  @ApiProperty({ enum: ['scheduled', 'running', 'resolved'] }) status: string;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Null until a scheduled drill starts, and for an auditor while the ticket is live',
  })
  ticketId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Null for an auditor while the ticket is live' }) ticketState: string | null;
  @ApiProperty({ enum: ['passed', 'failed', 'inconclusive'], nullable: true, type: String, description: 'Null while pending' }) outcome: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The step (or approval, flag, deny) where it was stopped or got through' }) decidedStep:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it ended inconclusive, e.g. `pre-empted by a real request`' }) endedReason: string | null;
  @ApiProperty({ nullable: true, type: Number }) timeToDecisionMs: number | null;
  @ApiProperty({ format: 'date-time' }) scheduledFor: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;

  static from({ drill, account, ticketState }: DrillListing, reader: Staff): DrillSummaryDto {
    const { target } = drillSight(reader.roles, ticketState);
    return {
      id: drill.id,
      campaign: drill.campaign,
      name: drill.name,
      accountId: target ? drill.accountId : null,
      accountExternalId: target ? (account?.externalId ?? null) : null,
      accountTier: account?.tier ?? null,
      status: drill.status,
      ticketId: target ? drill.ticketId : null,
      ticketState: target ? ticketState : null,
      outcome: drill.outcome,
      decidedStep: drill.decidedStep,
      endedReason: drill.endedReason,
      timeToDecisionMs: drill.timeToDecisionMs,
      scheduledFor: drill.scheduledFor.toISOString(),
      createdAt: drill.createdAt.toISOString(),
    };
  }
}

export class DrillPageDto {
  @ApiProperty({ type: [DrillSummaryDto], description: 'Newest first' }) items: DrillSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
