import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { ChangeReasonDto } from '../../change-requests/dto/change-request.dto';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { Account, ACCOUNT_SOURCES, ACCOUNT_STATUSES, ACCOUNT_TIERS } from '../account.entity';
import type { AccountSource, AccountStatus, AccountTier } from '../account.entity';
import { maskEmail, maskPhone } from '../masking';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export const E164 = /^\+[1-9]\d{6,14}$/;
export const EXTERNAL_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const PRINTABLE = /^[^\p{Cc}]*$/u;

/** The fields an admin (or a directory import) sets on an account. */
export class AccountFieldsDto {
  @ApiProperty({ example: 'E10442', description: 'The directory’s id for the employee; unique' })
  @Transform(trim)
  @IsString()
  @Matches(EXTERNAL_ID, { message: 'must be 1-128 letters, digits or . _ : @ -' })
  externalId: string;

  @ApiProperty({ example: 'Jane Doe' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  displayName: string;

  @ApiProperty({ enum: ACCOUNT_TIERS })
  @IsIn(ACCOUNT_TIERS)
  tier: AccountTier;

  @ApiProperty({ example: 'jane.doe@example.com', description: 'Registered e-mail: one-time codes and links go only here' })
  @Transform(lower)
  @IsEmail({}, { message: 'must be an e-mail address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: '+447700900234', description: 'Registered phone, E.164' })
  @Transform(trim)
  @IsString()
  @Matches(E164, { message: 'must be an E.164 phone number such as +447700900234' })
  phone: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'The manager’s account' })
  @IsOptional()
  @IsUUID(undefined, { message: 'must be a UUID' })
  managerId?: string | null;

  @ApiPropertyOptional({ example: '10442', nullable: true, type: String })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be 1-64 letters, digits or -' })
  employeeNumber?: string | null;

  @ApiPropertyOptional({ example: 'CC-4410', nullable: true, type: String })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9 ._-]{1,64}$/, { message: 'must be 1-64 letters, digits, spaces or . _ -' })
  costCentre?: string | null;
}

export class CreateAccountDto extends AccountFieldsDto {}

/** `changeReason` goes to the change request a sensitive change becomes. */
export class UpdateAccountDto extends IntersectionType(PartialType(AccountFieldsDto), ChangeReasonDto) {
  @ApiPropertyOptional({ enum: ACCOUNT_STATUSES, description: '`deactivated` stops all recovery for the account' })
  @IsOptional()
  @IsIn(ACCOUNT_STATUSES)
  status?: AccountStatus;
}

export class AccountSearchDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'External id, e-mail (exact) or part of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/**
 * An account as staff see it. Agents and approvers get the registered channels
 * masked and no directory facts: those are what the caller must prove, and the
 * directory-facts step is compared by the server, not read off a screen.
 */
export class AccountDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() externalId: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ACCOUNT_TIERS }) tier: AccountTier;
  @ApiProperty({ example: 'j***@example.com', description: 'Masked unless the caller is an admin' }) email: string;
  @ApiProperty({ example: '*** *** **34', description: 'Masked unless the caller is an admin' }) phone: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) managerId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Admins only' }) employeeNumber?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Admins only' }) costCentre?: string | null;
  @ApiProperty({ enum: ACCOUNT_STATUSES }) status: AccountStatus;
  @ApiProperty({ description: 'Whether email and phone are masked in this view' }) masked: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) channelsChangedAt: string | null;
  @ApiProperty({ enum: ACCOUNT_SOURCES, description: '`directory` once a SCIM connection provisions or adopts the account' }) source: AccountSource;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When a directory (SCIM) last changed the account' })
  directoryChangedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;

  static from(account: Account, full: boolean): AccountDto {
    const common = {
      id: account.id,
      externalId: account.externalId,
      displayName: account.displayName,
      tier: account.tier,
      managerId: account.managerId,
      status: account.status,
      channelsChangedAt: account.channelsChangedAt?.toISOString() ?? null,
      source: account.source,
      directoryChangedAt: account.directoryChangedAt?.toISOString() ?? null,
      createdAt: account.createdAt.toISOString(),
      updatedAt: account.updatedAt.toISOString(),
    };
    return full
      ? {
          ...common,
          email: account.email,
          phone: account.phone,
          employeeNumber: account.employeeNumber,
          costCentre: account.costCentre,
          masked: false,
        }
      : { ...common, email: maskEmail(account.email), phone: maskPhone(account.phone), masked: true };
  }
}

export class AccountPageDto {
  @ApiProperty({ type: [AccountDto] }) items: AccountDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
