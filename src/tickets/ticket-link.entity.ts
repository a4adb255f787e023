import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A one-time link sent to a person (the subject's "this was not me", the manager's attestation). */
@Entity('ticket_links')
export class TicketLink {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'ticket_id' }) ticketId: string;
  @Column('text') purpose: 'cancel' | 'attest';
  @Column('char', { name: 'token_hash', length: 64, select: false }) tokenHash: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt: Date | null;
}
