import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { CodeSet } from '../code-set.entity';
import type { CurrentSet } from '../codes.service';
import type { HygieneEntry } from '../hygiene.service';

export class VerifyCodeDto {
  @ApiProperty({ example: 'K7QD-9XRT-MB3W', description: 'As typed: any case, spaces and dashes ignored, O/I/L folded' })
  @IsString()
  @MaxLength(64)
  code: string;
}

export class ReasonDto {
  @ApiProperty({ example: 'codes pasted into a ticket comment', minLength: 3, maxLength: 500 })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class EnrolmentDto {
  @ApiProperty({ format: 'uuid' }) setId: string;
  @ApiProperty({ type: [String], example: ['K7QD-9XRT-MB3W'], description: 'Shown in this response only; stored only as argon2id hashes' })
  codes: string[];
  @ApiProperty() count: number;
  @ApiProperty({ format: 'date-time' }) rotationDueAt: string;
  @ApiProperty({ description: 'How the subject must keep the codes' }) custody: string;
}

export class VerdictDto {
  @ApiProperty() valid: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Unused codes left, when valid' }) remaining: number | null;
  @ApiPropertyOptional({ description: 'Present when few codes remain' }) warning?: string;
}

export class CodeSetDto {
  @ApiProperty({ format: 'uuid' }) setId: string;
  @ApiProperty({ format: 'uuid' }) accountId: string;
  @ApiProperty() count: number;
  @ApiProperty({ nullable: true, type: Number }) remaining: number | null;
  @ApiProperty({ format: 'date-time' }) issuedAt: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) issuingTicketId: string | null;
  @ApiProperty({ format: 'date-time' }) rotationDueAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) custodyAcknowledgedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) revokeReason: string | null;

  static from(set: CodeSet, remaining: number | null): CodeSetDto {
    return {
      setId: set.id,
      accountId: set.accountId,
      count: set.codeCount,
      remaining,
      issuedAt: set.issuedAt.toISOString(),
      issuingTicketId: set.issuingTicketId,
      rotationDueAt: set.rotationDueAt.toISOString(),
      custodyAcknowledgedAt: set.custodyAcknowledgedAt?.toISOString() ?? null,
      revokedAt: set.revokedAt?.toISOString() ?? null,
      revokeReason: set.revokeReason,
    };
  }

  static fromCurrent(current: CurrentSet): CodeSetDto {
    return CodeSetDto.from(current.set, current.remaining);
  }
}

export class ExposureDto {
  @ApiProperty({ type: CodeSetDto, description: 'The set, now revoked' }) revokedSet: CodeSetDto;
  @ApiProperty({ format: 'uuid', description: 'The reissue owed to the account' }) reissueRequestId: string;
  @ApiProperty({ format: 'uuid', description: 'The recovery ticket that will reissue the codes (opened now, or the one already in progress)' })
  ticketId: string;
}

export class HygieneEntryDto implements HygieneEntry {
  @ApiProperty({ format: 'uuid' }) accountId: string;
  @ApiProperty() externalId: string;
  @ApiProperty() displayName: string;
  @ApiProperty() tier: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) setId: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) rotationDueAt: string | null;
  @ApiProperty({ nullable: true, type: Number }) remaining: number | null;
}

export class HygieneReportDto {
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty({ type: [HygieneEntryDto], description: 'Active sets past their rotation date' }) overdue: HygieneEntryDto[];
  @ApiProperty({ type: [HygieneEntryDto], description: 'Active sets at or below the low-remaining threshold' }) nearlyUsedUp: HygieneEntryDto[];
  @ApiProperty({ type: [HygieneEntryDto], description: 'Active accounts with no active set' }) missing: HygieneEntryDto[];
}

export class RedeemDto {
  @ApiProperty({ description: 'The token from the delivery link' })
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  token: string;
}

export class RedeemedDto {
  @ApiProperty({ type: [String], description: 'The new codes, this once; the envelope is erased' }) codes: string[];
  @ApiProperty() custody: string;
}
