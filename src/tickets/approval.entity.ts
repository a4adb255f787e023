import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One approver's signed decision on a ticket; one per approver per ticket (unique index). */
@Entity('approvals')
export class Approval {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'ticket_id' }) ticketId: string;
  @Column('uuid', { name: 'approver_id' }) approverId: string;
  @Column('text') decision: 'approve' | 'deny';
  @Column('text') reason: string;
  /** Counts toward the ticket's approvals: false for the subject's reporting line on a critical ticket. */
  @Column('boolean') independent: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
