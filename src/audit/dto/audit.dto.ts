import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { AuditEvent } from '../audit-event.entity';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'account.created' })
  @IsOptional()
  @Matches(/^[a-z_]+(\.[a-z_]+)*$/, { message: 'must be an action name such as account.created' })
  @MaxLength(80)
  action?: string;

  @ApiPropertyOptional({ description: 'Id of the target (account, staff, ticket …)' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  target?: string;

  @ApiPropertyOptional({ description: 'Staff id of the actor' })
  @IsOptional()
  @IsUUID()
  actor?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}

export class AuditEventDto {
  @ApiProperty() seq: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ enum: ['staff', 'system', 'cli', 'subject', 'manager'] }) actorKind: string;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ example: 'account.created' }) action: string;
  @ApiProperty({ example: 'account' }) targetType: string;
  @ApiProperty({ nullable: true, type: String }) targetId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiProperty() prevHash: string;
  @ApiProperty() hash: string;

  static from(event: AuditEvent): AuditEventDto {
    return { ...event, occurredAt: event.occurredAt.toISOString() };
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ChainVerdictDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ description: 'Events checked before the first broken one (all of them when ok)' }) checked: number;
  @ApiPropertyOptional({ description: 'The first event that does not hold' }) firstBrokenSeq?: number;
  @ApiPropertyOptional({ example: 'content does not match its hash' }) reason?: string;
}
