import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One generation of backup codes for an account. Active while revoked_at is null (at most one per account). */
@Entity('code_sets')
export class CodeSet {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('int', { name: 'code_count' }) codeCount: number;
  @Column('timestamptz', { name: 'issued_at' }) issuedAt: Date;
  /** `staff:<id>`, `system` or `cli`: who caused the issue. */
  @Column('text', { name: 'issued_by' }) issuedBy: string;
  @Column('uuid', { name: 'issuing_ticket_id', nullable: true }) issuingTicketId: string | null;
  @Column('timestamptz', { name: 'rotation_due_at' }) rotationDueAt: Date;
  @Column('timestamptz', { name: 'custody_acknowledged_at', nullable: true }) custodyAcknowledgedAt: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('text', { name: 'revoked_by', nullable: true }) revokedBy: string | null;
  @Column('text', { name: 'revoke_reason', nullable: true }) revokeReason: string | null;
}
