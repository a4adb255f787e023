import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const CHANGE_KINDS = [
  'account.update',
  'staff.create',
  'staff.update',
  'staff.token',
  'ticket.clear_hold',
  'account.clear_recovery_hold',
  'critical_system.update',
  'critical_system.custodian_add',
  'critical_system.custodian_remove',
  'scim_connection.create',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * `applied`: carried out on approval. `refused`: approved, but what it was made against had changed, so it was not
 * applied. `used`: a token permit the requester has since used (staff.token).
 */
export const CHANGE_STATES = ['pending', 'applied', 'rejected', 'refused', 'expired', 'used'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export type ChangeValues = Record<string, unknown>;

/** A sensitive admin change waiting for (or decided by) a second admin. */
@Entity('change_requests')
export class ChangeRequest {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') kind: ChangeKind;
  @Column('text', { name: 'target_type' }) targetType: string;
  @Column('text', { name: 'target_id' }) targetId: string;
  @Column('uuid', { name: 'requested_by' }) requestedBy: string;
  @Column('text', { nullable: true }) reason: string | null;
  /** Which sensitive rules made this a request (policy keys under changeApproval.sensitive). */
  @Column('text', { array: true }) sensitive: string[];
  /** The values the change was made against: re-checked on approval. */
  @Column('jsonb') before: ChangeValues;
  @Column('jsonb') after: ChangeValues;
  @Column('text') state: ChangeState;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('uuid', { name: 'reviewed_by', nullable: true }) reviewedBy: string | null;
  @Column('timestamptz', { name: 'reviewed_at', nullable: true }) reviewedAt: Date | null;
  @Column('text', { name: 'review_reason', nullable: true }) reviewReason: string | null;
  /** Why a request was refused or expired. */
  @Column('text', { nullable: true }) outcome: string | null;
}
