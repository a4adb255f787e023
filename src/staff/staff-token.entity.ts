import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ServiceScope } from './service-scopes';
import { Staff } from './staff.entity';

/** A bearer token. Only its SHA-256 is kept: the token itself is shown once, at issue. */
@Entity('staff_tokens')
export class StaffToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'staff_id' })
  staffId: string;

  @ManyToOne(() => Staff, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'staff_id' })
  staff?: Staff;

  @Column({ name: 'token_hash', select: false })
  tokenHash: string;

  @Column('text', { nullable: true })
  label: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  /** What a service member may call with this token (service-scopes.ts); empty for other roles. */
  @Column('text', { array: true, default: () => `'{}'` })
  scopes: ServiceScope[];

  /** Client networks (CIDR) a service token may call from; null: any. */
  @Column('text', { name: 'allowed_cidrs', array: true, nullable: true })
  allowedCidrs: string[] | null;
}
