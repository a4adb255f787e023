import { ApiProperty, ApiPropertyOptional, ApiSchema, ApiSchemaOptions } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/**
 * The service refuses fields a step's class does not name (forbidNonWhitelisted), so each evidence
 * shape is closed, and the document says so: that is also what tells the shapes apart in the step
 * route's `oneOf` (a body with `documentType` is not a video-call body). ApiSchema copies its options
 * into the schema object; its type names only `name` and `description`.
 */
const ClosedSchema = () => ApiSchema({ additionalProperties: false } as ApiSchemaOptions);

const OTP_CODE = /^\d{6,8}$/;
const DOCUMENT_LAST4 = /^[A-Za-z0-9]{4}$/;

/** Evidence per step. One body type per step; the service validates the body against its step's class. */
@ClosedSchema()
export class OtpEvidenceDto {
  @ApiProperty({ example: '482913', pattern: OTP_CODE, description: 'registered_channel_otp: what the caller read back' })
  @Matches(OTP_CODE, { message: 'must be the 6-8 digit code the caller read back' })
  code: string;
}

@ClosedSchema()
export class DirectoryFactsEvidenceDto {
  @ApiProperty({ example: '10442', minLength: 1, maxLength: 64, description: 'directory_facts: what the caller says' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  employeeNumber: string;

  @ApiProperty({ example: 'CC-4410', minLength: 1, maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  costCentre: string;
}

export const DOCUMENT_TYPES = ['passport', 'driving_licence', 'national_id', 'residence_permit'] as const;

@ClosedSchema()
export class GovernmentIdEvidenceDto {
  @ApiProperty({ enum: DOCUMENT_TYPES, description: 'government_id: the document checked' })
  @IsIn(DOCUMENT_TYPES)
  documentType: (typeof DOCUMENT_TYPES)[number];

  @ApiProperty({ example: '4F7K', pattern: DOCUMENT_LAST4, description: 'Last 4 characters of the document number' })
  @Matches(DOCUMENT_LAST4, { message: 'must be the last 4 letters or digits of the document number' })
  last4: string;

  @ApiProperty({ example: 'photo matches the person on camera; document not expired', minLength: 10, maxLength: 1000 })
  @IsString()
  @MinLength(10)
  @MaxLength(1000)
  note: string;
}

@ClosedSchema()
export class VideoCallEvidenceDto {
  @ApiProperty({ example: 'recognised on camera, confirmed recent team events', minLength: 10, maxLength: 1000 })
  @IsString()
  @MinLength(10)
  @MaxLength(1000)
  note: string;

  @ApiPropertyOptional({ type: 'integer', example: 6, minimum: 1, maximum: 180 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(180)
  minutes?: number;
}

export class StartStepDto {
  @ApiPropertyOptional({ enum: ['sms', 'email'], default: 'sms', description: 'registered_channel_otp: which REGISTERED channel gets the code' })
  @IsOptional()
  @IsIn(['sms', 'email'])
  channel?: 'sms' | 'email';
}
