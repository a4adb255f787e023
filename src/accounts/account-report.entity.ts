import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A "this wasn't me" link sent about an account (first enrolment, a channel change …), and, once followed, the
 * subject's report: it holds every recovery of the account until an admin clears it.
 */
@Entity('account_reports')
export class AccountReport {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('char', { name: 'token_hash', length: 64, select: false }) tokenHash: string;
  @Column('text') channel: 'email' | 'sms';
  @Column('text') template: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'reported_at', nullable: true }) reportedAt: Date | null;
  @Column('timestamptz', { name: 'cleared_at', nullable: true }) clearedAt: Date | null;
  @Column('uuid', { name: 'cleared_by', nullable: true }) clearedBy: string | null;
  @Column('text', { name: 'clear_reason', nullable: true }) clearReason: string | null;
}
