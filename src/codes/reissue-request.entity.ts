import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A reissue the desk owes an account (exposure revoked its codes); a ticket takes it up. */
@Entity('reissue_requests')
export class ReissueRequest {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('text') source: 'exposure';
  @Column('uuid', { name: 'revoked_set_id', nullable: true }) revokedSetId: string | null;
  @Column('text') reason: string;
  @Column('text', { name: 'requested_by' }) requestedBy: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('uuid', { name: 'ticket_id', nullable: true }) ticketId: string | null;
}
