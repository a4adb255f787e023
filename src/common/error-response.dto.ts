import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape every route answers with. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({
    example: 'validation_failed',
    description:
      'Stable, machine-readable reason (snake_case): key on this, never on the message. A domain error answers its own ' +
      '(e.g. separation_of_duties, ticket_held, invalid_transition, account_locked); any other refusal its status (not_found, payload_too_large …)',
  })
  code: string;

  @ApiProperty({ example: 'tier must be one of the following values: standard, privileged, critical' })
  message: string;

  @ApiPropertyOptional({
    description: 'Structured detail: invalid fields, current state and allowed events, retry hints',
    example: { fields: [{ field: 'tier', errors: ['must be one of the following values: standard, privileged, critical'] }] },
  })
  details?: Record<string, unknown>;
}
