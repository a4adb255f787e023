import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
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

  static from(event: AuditEvent): AuditEventDto {
    return { ...event, occurredAt: event.occurredAt.toISOString() };
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class AuditVerdictDto {
  @ApiProperty({ description: 'Whether every event recomputes to the tree every published checkpoint signed' }) ok: boolean;
  @ApiProperty({ description: 'Events recomputed and found good' }) checked: number;
  @ApiProperty({ description: 'Signed checkpoints the log was held to' }) checkpoints: number;
  @ApiProperty({ description: 'The largest tree size a signed checkpoint covers' }) checkpointSize: number;
  @ApiProperty({ description: 'Committed events not yet in the tree (the sequencer integrates them within a second or so)' }) pending: number;
  @ApiPropertyOptional({ description: 'The first event that does not hold' }) firstBrokenSeq?: number;
  @ApiPropertyOptional({ description: 'Its place in the tree, or where the tree stops holding (also for events that are gone)' }) firstBrokenLeaf?: number;
  @ApiPropertyOptional({ example: 'event 12 (leaf 11) differs from what the witness holds' }) reason?: string;
}

export class CheckpointDto {
  @ApiProperty({ description: 'The signed note, C2SP tlog-checkpoint format, exactly as published to the witness' }) checkpoint: string;
  @ApiProperty({ example: 'recovery-desk.example.com/audit' }) origin: string;
  @ApiProperty({ description: 'Tree size: events covered' }) size: number;
  @ApiProperty({ description: 'Merkle tree root (RFC 9162), base64' }) rootHash: string;
  @ApiProperty({ format: 'date-time' }) time: string;
  @ApiProperty({ description: 'The note verifier key to check the signature with (name+id+key)' }) verifierKey: string;
}

export class SeqParamDto {
  @ApiProperty({ description: 'The event' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  seq: number;
}

export class InclusionQueryDto {
  @ApiPropertyOptional({ description: 'Tree size to prove inclusion in (a checkpoint you hold); the newest tree when absent' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  size?: number;
}

export class InclusionProofDto {
  @ApiProperty() seq: number;
  @ApiProperty({ description: 'Zero-based leaf index' }) leafIndex: number;
  @ApiProperty() treeSize: number;
  @ApiProperty({ description: 'SHA-256(0x00 ‖ canonical JSON of the event), hex' }) leafHash: string;
  @ApiProperty({ type: [String], description: 'RFC 9162 audit path, hex, leaf to root' }) proof: string[];
}

export class ConsistencyQueryDto {
  @ApiProperty({ description: 'The smaller tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  from: number;

  @ApiProperty({ description: 'The larger tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  to: number;
}

export class ConsistencyProofDto {
  @ApiProperty() from: number;
  @ApiProperty() to: number;
  @ApiProperty({ type: [String], description: 'RFC 9162 consistency proof, hex' }) proof: string[];
}
