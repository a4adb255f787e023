import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  ValidateIf,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ChangeReasonDto } from '../../change-requests/dto/change-request.dto';
import { STAFF_ROLES, StaffRole } from '../../common/auth/staff-roles';
import { SERVICE_SCOPES, ServiceScope } from '../service-scopes';
import { Staff } from '../staff.entity';
import { StaffToken } from '../staff-token.entity';

export class CreateStaffDto extends ChangeReasonDto {
  @ApiProperty({ example: 'Dana Agent' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: STAFF_ROLES, isArray: true, example: ['agent'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(STAFF_ROLES.length)
  @ArrayUnique()
  @IsIn(STAFF_ROLES, { each: true })
  roles: StaffRole[];

  @ApiPropertyOptional({ format: 'uuid', description: 'The employee account this operator is (separation of duties)' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class UpdateStaffDto extends ChangeReasonDto {
  @ApiPropertyOptional({ enum: STAFF_ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(STAFF_ROLES.length)
  @ArrayUnique()
  @IsIn(STAFF_ROLES, { each: true })
  roles?: StaffRole[];

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  accountId?: string | null;

  @ApiPropertyOptional({ description: 'false deactivates the member: their tokens stop working at once' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class IssueTokenDto extends ChangeReasonDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 90 })
  // Absent means the default; null is refused (the service reads null as "never expires", for the CLI's bootstrap only).
  @ValidateIf((dto: IssueTokenDto) => dto.expiresInDays !== undefined)
  @IsInt()
  @Min(1)
  @Max(365)
  expiresInDays?: number;

  @ApiPropertyOptional({ example: 'laptop', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;

  @ApiPropertyOptional({
    enum: SERVICE_SCOPES,
    isArray: true,
    description: 'Required for a service member’s token (what it may call); refused for other roles',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SERVICE_SCOPES.length)
  @IsIn(SERVICE_SCOPES, { each: true })
  scopes?: ServiceScope[];

  @ApiPropertyOptional({
    type: [String],
    example: ['10.20.0.0/16'],
    description: 'Client networks a service token may call from (CIDR); left out: any address',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  allowedCidrs?: string[];
}

export class StaffDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) roles: StaffRole[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) accountId: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;

  static from(staff: Staff): StaffDto {
    return {
      id: staff.id,
      name: staff.name,
      roles: staff.roles,
      accountId: staff.accountId,
      active: staff.active,
      createdAt: staff.createdAt.toISOString(),
    };
  }
}

export class StaffPageDto {
  @ApiProperty({ type: [StaffDto] }) items: StaffDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class TokenDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String }) label: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
  @ApiProperty({ enum: SERVICE_SCOPES, isArray: true, description: 'What a service token may call; empty for other roles' }) scopes: ServiceScope[];
  @ApiProperty({ type: [String], nullable: true, description: 'Client networks a service token may call from; null: any' }) allowedCidrs: string[] | null;

  static from(token: StaffToken): TokenDto {
    return {
      id: token.id,
      label: token.label,
      createdAt: token.createdAt.toISOString(),
      expiresAt: token.expiresAt?.toISOString() ?? null,
      revokedAt: token.revokedAt?.toISOString() ?? null,
      scopes: token.scopes,
      allowedCidrs: token.allowedCidrs,
    };
  }
}

export class IssuedTokenDto extends TokenDto {
  @ApiProperty({ description: 'The bearer token. Shown once: only its hash is kept.' })
  token: string;
}
