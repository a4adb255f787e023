import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Response } from 'express';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import type { Staff } from '../../staff/staff.entity';
import type { Gated } from '../change-gate';
import { CHANGE_KINDS, CHANGE_STATES, ChangeRequest } from '../change-request.entity';
import type { ChangeKind, ChangeState } from '../change-request.entity';

const PRINTABLE = /^[^\p{Cc}]*$/u;

/** A sensitive change request as admins see it: the exact before/after (full values: admins see channels unmasked). */
export class ChangeRequestDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: CHANGE_KINDS }) kind: ChangeKind;
  @ApiProperty({ example: 'account' }) targetType: string;
  @ApiProperty({ description: 'The account, staff member, ticket or critical system id; for a new member or SCIM connection, `new:` and its name' })
  targetId: string;
  @ApiProperty({ format: 'uuid' }) requestedBy: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ type: [String], description: 'The policy rules (changeApproval.sensitive) that made it a request' }) sensitive: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The values it was made against; re-checked on approval' }) before: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The values it sets' }) after: Record<string, unknown>;
  @ApiProperty({ enum: CHANGE_STATES }) state: ChangeState;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) reviewedBy: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) reviewedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) reviewReason: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it was refused or expired' }) outcome: string | null;
  @ApiProperty({ description: 'Whether the caller may approve or reject it now' }) reviewable: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Why the caller may not review it' }) notReviewableBecause: string | null;

  static from(request: ChangeRequest, viewerId: string): ChangeRequestDto {
    const why =
      request.state !== 'pending'
        ? `it is ${request.state}`
        : request.requestedBy === viewerId
          ? 'you made this request: another admin must review it'
          : request.targetType === 'staff' && request.targetId === viewerId
            ? 'it changes your own staff record: another admin must review it'
            : null;
    return {
      id: request.id,
      kind: request.kind,
      targetType: request.targetType,
      targetId: request.targetId,
      requestedBy: request.requestedBy,
      reason: request.reason,
      sensitive: request.sensitive,
      before: request.before,
      after: request.after,
      state: request.state,
      createdAt: request.createdAt.toISOString(),
      expiresAt: request.expiresAt.toISOString(),
      reviewedBy: request.reviewedBy,
      reviewedAt: request.reviewedAt?.toISOString() ?? null,
      reviewReason: request.reviewReason,
      outcome: request.outcome,
      reviewable: why === null,
      notReviewableBecause: why,
    };
  }
}

export class MultiPartyStatusDto {
  @ApiProperty({ description: 'Whether sensitive changes need a second admin now' }) on: boolean;
  @ApiProperty() activeAdmins: number;
  @ApiProperty({ example: 'multi-party approval is off until a second admin exists: sensitive changes apply at once and security is alerted of each' })
  message: string;
}

export class ChangeRequestPageDto {
  @ApiProperty({ type: [ChangeRequestDto] }) items: ChangeRequestDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
  @ApiProperty({ type: MultiPartyStatusDto }) multiPartyApproval: MultiPartyStatusDto;
}

export class ChangeRequestQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CHANGE_STATES })
  @IsOptional()
  @IsIn(CHANGE_STATES)
  state?: ChangeState;
}

export class ReviewDto {
  @ApiProperty({ example: 'Confirmed with the manager by phone', minLength: 3, maxLength: 500 })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  reason: string;
}

/** The optional justification a sensitive change carries into its change request. */
export class ChangeReasonDto {
  @ApiPropertyOptional({ maxLength: 500, description: 'Why: shown to the admin who reviews the change request it may become' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  changeReason?: string;
}

/** 202 with the change request when the change waits for a second admin; otherwise what was done, as `present` shows it. */
export function answer<T, D>(outcome: Gated<T>, admin: Staff, res: Response, present: (applied: T) => D): D | ChangeRequestDto {
  if ('applied' in outcome) return present(outcome.applied);
  res.status(202);
  return ChangeRequestDto.from(outcome.pending, admin.id);
}
