import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { NotCountedReason } from './risk/history-signals';

/** One approver's signed decision on a ticket; one per approver per ticket (unique index). */
@Entity('approvals')
export class Approval {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'ticket_id' }) ticketId: string;
  @Column('uuid', { name: 'approver_id' }) approverId: string;
  @Column('text') decision: 'approve' | 'deny';
  @Column('text') reason: string;
  /** Counts toward the ticket's approvals: false exactly when `notCounted` names a reason. */
  @Column('boolean') independent: boolean;
  /** Why it does not count: the subject's reporting line on a critical ticket; a fresh approver on a privileged or critical one. */
  @Column('text', { name: 'not_counted', array: true, default: () => `'{}'` }) notCounted: NotCountedReason[];
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
