import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape every route answers with. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({ example: 'tier must be one of the following values: standard, privileged, critical' })
  message: string;

  @ApiPropertyOptional({
    description: 'Structured detail: invalid fields, current state and allowed events, retry hints',
    example: { fields: [{ field: 'tier', errors: ['must be one of the following values: standard, privileged, critical'] }] },
  })
  details?: Record<string, unknown>;
}
