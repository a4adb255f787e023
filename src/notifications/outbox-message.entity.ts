import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A message to a person, written in the same transaction as the change that
 * causes it and delivered by the relay worker. Its content is sealed
 * (AES-256-GCM): it may carry a one-time link, and the table is read by many.
 */
@Entity('outbox')
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { name: 'idempotency_key' }) idempotencyKey: string;
  @Column('text') channel: 'email' | 'sms';
  @Column('text') recipient: string;
  @Column('text') template: string;
  @Column('bytea', { name: 'sealed_body', select: false }) sealedBody: Buffer;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('int') attempts: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt: Date | null;
}
