import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { ChangeReasonDto } from '../../change-requests/dto/change-request.dto';
import { ScimConnection } from '../scim-connection.entity';

/** RFC 7644 §3.4.2: filter, 1-based startIndex (below 1 reads as 1) and count (above the page size reads as it). */
export class ScimListQueryDto {
  @ApiPropertyOptional({
    example: 'userName eq "jane.doe@example.com"',
    description: 'SCIM filter (userName, externalId, emails, phoneNumbers, active, name, enterprise attributes; eq ne co sw ew gt ge lt le pr, and/or/not)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  filter?: string;

  @ApiPropertyOptional({ type: 'integer', default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Transform(({ value }: { value: number }) => (typeof value === 'number' && value < 1 ? 1 : value))
  startIndex = 1;

  @ApiPropertyOptional({ type: 'integer', default: 100, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  count = 100;

  @ApiPropertyOptional({ description: 'Accepted; every attribute is returned' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  attributes?: string;

  @ApiPropertyOptional({ description: 'Accepted; every attribute is returned' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  excludedAttributes?: string;
}

/** RFC 7644 §3.12: how every /scim/v2 refusal reads (application/scim+json). */
export class ScimErrorDto {
  @ApiProperty({ example: ['urn:ietf:params:scim:api:messages:2.0:Error'] }) schemas: string[];
  @ApiProperty({ example: '400', description: 'The HTTP status, as a string' }) status: string;
  @ApiPropertyOptional({
    enum: ['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue'],
    description: 'On every 400, and on 409 uniqueness',
  })
  scimType?: string;
  @ApiProperty() detail: string;
}

export class CreateScimConnectionDto extends ChangeReasonDto {
  @ApiProperty({ example: 'Okta production', description: 'What the directory is, for the admin view and the audit trail' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/^[^\p{Cc}]*$/u, { message: 'must not contain control characters' })
  name: string;
}

export class ConnectionErrorDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() method: string;
  @ApiProperty() status: number;
  @ApiProperty({ nullable: true, type: String }) scimType: string | null;
  @ApiProperty() detail: string;
}

export class ScimConnectionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastRequestAt: string | null;
  @ApiProperty() requests: number;
  @ApiProperty() creates: number;
  @ApiProperty() updates: number;
  @ApiProperty() deactivations: number;
  @ApiProperty() errors: number;
  @ApiProperty({ type: [ConnectionErrorDto], description: 'The last errors, newest first' }) lastErrors: ConnectionErrorDto[];
  @ApiProperty({ description: 'Created through a change request and its secret not fetched yet: only its requester can, once' }) awaitingSecret: boolean;

  static from(c: ScimConnection): ScimConnectionDto {
    return {
      id: c.id,
      name: c.name,
      createdBy: c.createdBy,
      createdAt: c.createdAt.toISOString(),
      revokedAt: c.revokedAt?.toISOString() ?? null,
      lastRequestAt: c.lastRequestAt?.toISOString() ?? null,
      requests: c.requests,
      creates: c.creates,
      updates: c.updates,
      deactivations: c.deactivations,
      errors: c.errors,
      lastErrors: c.lastErrors,
      awaitingSecret: c.secretHash === null && !c.revokedAt,
    };
  }
}

export class CreatedScimConnectionDto {
  @ApiProperty({ type: ScimConnectionDto }) connection: ScimConnectionDto;
  @ApiProperty({ description: 'The bearer secret the directory sends: shown this once, stored only as a SHA-256 hash' }) secret: string;
  @ApiProperty({ example: 'https://desk.example.com/scim/v2', description: 'The SCIM base URL to give the directory' }) baseUrl: string;
}
