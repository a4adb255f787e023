import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { RoleGrants } from './role-grants';
import type { StaffRole } from '../common/auth/staff-roles';

@Entity('staff')
export class Staff {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column()
  name: string;

  @Column('text', { array: true })
  roles: StaffRole[];

  /**
   * When each role was granted: an approver role younger than risk.approverFreshDays does not count on a
   * privileged or critical ticket (approver_recently_privileged). A member's creation grants its first roles.
   */
  @Column('jsonb', { name: 'roles_granted_at', default: () => `'{}'` })
  rolesGrantedAt: RoleGrants;

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
