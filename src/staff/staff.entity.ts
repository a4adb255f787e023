import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StaffRole } from '../common/auth/staff-roles';

@Entity('staff')
export class Staff {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column()
  name: string;

  @Column('text', { array: true })
  roles: StaffRole[];

  /** The employee account this operator is, for separation-of-duty checks. */
  @Column('uuid', { name: 'account_id', nullable: true })
  accountId: string | null;

  @Column({ default: true })
  active: boolean;

  /** The OpenID provider identity this staff member signs in as (linked once, by verified e-mail). */
  @Column('text', { name: 'oidc_issuer', nullable: true })
  oidcIssuer: string | null;

  @Column('text', { name: 'oidc_subject', nullable: true })
  oidcSubject: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
