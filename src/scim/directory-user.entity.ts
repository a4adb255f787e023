import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What the directory says about an account beyond the account's own fields. */
@Entity('directory_users')
export class DirectoryUser {
  @PrimaryColumn('uuid', { name: 'account_id' }) accountId: string;
  @Column('uuid', { name: 'connection_id' }) connectionId: string;
  @Column({ name: 'user_name' }) userName: string;
  @Column('text', { name: 'given_name', nullable: true }) givenName: string | null;
  @Column('text', { name: 'family_name', nullable: true }) familyName: string | null;
  /** The value of the configured tier attribute as the directory sent it (echoed back so the directory sees no drift). */
  @Column('text', { name: 'tier_value', nullable: true }) tierValue: string | null;
  /** The manager as the directory named it while no account answers to it yet; resolved when that account arrives. */
  @Column('text', { name: 'manager_ref', nullable: true }) managerRef: string | null;
}
