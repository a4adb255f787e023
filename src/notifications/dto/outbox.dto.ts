import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { maskEmail, maskPhone } from '../../accounts/masking';
import { PageQueryDto } from '../../common/pagination';
import { OUTBOX_STATUSES, OutboxMessage, type OutboxStatus } from '../outbox-message.entity';

export class OutboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES, description: 'Default: every status' })
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;
}

/**
 * A message as admins see it: where it stands, never what it says. The body
 * and links stay sealed (they carry one-time links and codes), and the
 * recipient is masked as in every staff view.
 */
export class OutboxMessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['email', 'sms'] }) channel: string;
  @ApiProperty({ example: 'j***@example.com', description: 'Masked' }) recipient: string;
  @ApiProperty({ example: 'delivery.link' }) template: string;
  @ApiProperty({ enum: OUTBOX_STATUSES }) status: OutboxStatus;
  @ApiProperty({ description: 'Delivery attempts so far, across resends' }) attempts: number;
  @ApiProperty({ nullable: true, type: String, example: 'RCPT TO answered 550 5.1.1 Mailbox unavailable', description: 'The last failure, without secrets' })
  lastError: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) sentAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) failedAt: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The recovery ticket the message is about' }) ticketId: string | null;

  static from(m: OutboxMessage): OutboxMessageDto {
    return {
      id: m.id,
      channel: m.channel,
      recipient: m.channel === 'email' ? maskEmail(m.recipient) : maskPhone(m.recipient),
      template: m.template,
      status: m.status,
      attempts: m.attempts,
      lastError: m.lastError,
      createdAt: m.createdAt.toISOString(),
      sentAt: m.deliveredAt?.toISOString() ?? null,
      failedAt: m.failedAt?.toISOString() ?? null,
      ticketId: m.ticketId,
    };
  }
}

export class OutboxPageDto {
  @ApiProperty({ type: [OutboxMessageDto] }) items: OutboxMessageDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
