import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * A message to a person, written in the same transaction as the change that
 * causes it and delivered by the relay worker. Its content is sealed
 * (AES-256-GCM): it may carry a one-time link, and the table is read by many.
 * `failed` means the relay gave up (a permanent refusal, or retries exhausted);
 * only an admin's resend puts it back to `pending`.
 */
@Entity('outbox')
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { name: 'idempotency_key' }) idempotencyKey: string;
  @Column('text') channel: 'email' | 'sms';
  @Column('text') recipient: string;
  @Column('text') template: string;
  @Column('bytea', { name: 'sealed_body', select: false }) sealedBody: Buffer;
  @Column('text') status: OutboxStatus;
  @Column('uuid', { name: 'ticket_id', nullable: true }) ticketId: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('int') attempts: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt: Date | null;
  @Column('timestamptz', { name: 'failed_at', nullable: true }) failedAt: Date | null;
}
