import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AccountFieldsDto, EXTERNAL_ID } from './account.dto';

/** One row of a directory export: the manager is named by external id, as directories do. */
export class ImportRowDto extends OmitType(AccountFieldsDto, ['managerId'] as const) {
  @ApiPropertyOptional({ example: 'E10001' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() || undefined : value))
  @IsString()
  @Matches(EXTERNAL_ID, { message: 'must be 1-128 letters, digits or . _ : @ -' })
  managerExternalId?: string;
}

export class ImportAccountsDto {
  @ApiProperty({ enum: ['csv', 'json'] })
  @IsIn(['csv', 'json'])
  format: 'csv' | 'json';

  @ApiProperty({
    description:
      'The export itself: CSV with a header row (externalId, displayName, tier, email, phone, managerExternalId, employeeNumber, costCentre; snake_case headers accepted), or a JSON array of such objects',
  })
  @IsString()
  @MaxLength(5 * 1024 * 1024)
  content: string;
}

export class RejectedRowDto {
  @ApiProperty({ description: '1-based data row (CSV header not counted)' }) row: number;
  @ApiPropertyOptional({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty({ type: [String], example: ['email must be an e-mail address'] }) errors: string[];
}

export class RequestedRowDto {
  @ApiProperty({ description: '1-based data row' }) row: number;
  @ApiProperty() externalId: string;
  @ApiProperty({ format: 'uuid', description: 'The pending change request this row became (it waits for a second admin)' }) changeRequestId: string;
}

export class ImportReportDto {
  @ApiProperty() rows: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty({ type: [RejectedRowDto] }) rejected: RejectedRowDto[];
  @ApiProperty({ type: [RequestedRowDto], description: 'Rows with a sensitive change (tier lowered, channels, manager): change requests, not applied' })
  requested: RequestedRowDto[];
}
