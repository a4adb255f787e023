import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType, PickType } from '@nestjs/swagger';
import { ChangeReasonDto } from '../../change-requests/dto/change-request.dto';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { UnlockState } from '../unlock.entities';

export class CreateCriticalSystemDto {
  @ApiProperty({ example: 'payments-hsm' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Custodian accounts: distinct, at least k' })
  @ArrayMinSize(2)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID(undefined, { each: true, message: 'each must be a UUID' })
  custodianIds: string[];

  @ApiPropertyOptional({ minimum: 2, maximum: 10, default: 2 })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(10)
  k?: number;

  @ApiPropertyOptional({ minimum: 30, maximum: 3600, default: 300 })
  @IsOptional()
  @IsInt()
  @Min(30)
  @Max(3600)
  windowSeconds?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 86_400, default: 900 })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(86_400)
  grantTtlSeconds?: number;
}

/** Only what is sent changes (no defaults here: a PATCH without k leaves k as it is). */
export class UpdateCriticalSystemDto extends PartialType(PickType(CreateCriticalSystemDto, ['name', 'description'] as const)) {
  @ApiPropertyOptional({ minimum: 2, maximum: 10, description: 'Sensitive: a change request when two admins exist' })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(10)
  k?: number;

  @ApiPropertyOptional({ minimum: 30, maximum: 3600, description: 'Sensitive: a change request when two admins exist' })
  @IsOptional()
  @IsInt()
  @Min(30)
  @Max(3600)
  windowSeconds?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 86_400 })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(86_400)
  grantTtlSeconds?: number;
}

/** A change to k or the window, with the justification the change request it becomes carries. */
export class UpdateCriticalSystemRequestDto extends IntersectionType(UpdateCriticalSystemDto, ChangeReasonDto) {}

export class CustodianDto extends ChangeReasonDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'must be a UUID' })
  accountId: string;
}

export class PresentCodeDto {
  @ApiProperty({ format: 'uuid', description: 'The custodian presenting' })
  @IsUUID(undefined, { message: 'must be a UUID' })
  accountId: string;

  @ApiProperty({ example: 'K7QD-9XRT-MB3W', description: 'One of the custodian’s own backup codes; consumed when accepted' })
  @IsString()
  @MaxLength(64)
  code: string;
}

export class IntrospectDto {
  @ApiProperty({ description: 'The grant token (an EdDSA JWT)' })
  @IsString()
  @MaxLength(4096)
  grant: string;
}

export class CriticalSystemViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) custodianIds: string[];
  @ApiProperty() k: number;
  @ApiProperty() windowSeconds: number;
  @ApiProperty() grantTtlSeconds: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'A change to k, the window or the custodians waiting for a second admin' })
  pendingChangeRequestId: string | null;
}

export class PresentedDto {
  @ApiProperty({ format: 'uuid' }) accountId: string;
  @ApiProperty({ format: 'date-time' }) presentedAt: string;
}

export class UnlockSessionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) systemId: string;
  @ApiProperty({ enum: ['open', 'unlocked', 'expired'] }) state: UnlockState;
  @ApiProperty() k: number;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) unlockedAt: string | null;
  @ApiProperty({ type: [PresentedDto] }) presented: PresentedDto[];
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) grantId?: string | null;
  @ApiPropertyOptional({ description: 'The signed grant, in the response of the presentation that unlocked, only' }) grant?: string;
}

export class IntrospectionDto {
  @ApiProperty() active: boolean;
  @ApiPropertyOptional({ format: 'uuid' }) grantId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) systemId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) sessionId?: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid' }) custodianIds?: string[];
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
}

export class PublicKeyDto {
  @ApiProperty({ example: 'EdDSA' }) alg: string;
  @ApiProperty() kid: string;
  @ApiProperty({ description: 'SPKI PEM' }) publicKeyPem: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The same key as a JWK (OKP, Ed25519)' }) jwk: Record<string, unknown>;
}
