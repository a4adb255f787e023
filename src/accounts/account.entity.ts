import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ACCOUNT_TIERS = ['standard', 'privileged', 'critical'] as const;
export type AccountTier = (typeof ACCOUNT_TIERS)[number];

/** Where the account's record comes from: an admin (or an import), or a directory provisioning over SCIM. */
export const ACCOUNT_SOURCES = ['manual', 'directory'] as const;
export type AccountSource = (typeof ACCOUNT_SOURCES)[number];

export const ACCOUNT_STATUSES = ['active', 'deactivated'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** An employee whose backup codes we keep, with the directory facts used for proofing. */
@Entity('accounts')
export class Account {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'external_id' })
  externalId: string;

  @Column({ name: 'display_name' })
  displayName: string;

  @Column('text')
  tier: AccountTier;

  /** Registered channels: the only places a one-time code or link is ever sent. */
  @Column()
  email: string;

  @Column()
  phone: string;

  @Column('uuid', { name: 'manager_id', nullable: true })
  managerId: string | null;

  @Column('text', { name: 'employee_number', nullable: true })
  employeeNumber: string | null;

  @Column('text', { name: 'cost_centre', nullable: true })
  costCentre: string | null;

  @Column('text', { default: 'active' })
  status: AccountStatus;

  /** When a registered channel last changed: a recent change is a social-engineering signal. */
  @Column('timestamptz', { name: 'channels_changed_at', nullable: true })
  channelsChangedAt: Date | null;

  @Column('text', { default: 'manual' })
  source: AccountSource;

  /** When a directory (SCIM) last changed this account. */
  @Column('timestamptz', { name: 'directory_changed_at', nullable: true })
  directoryChangedAt: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
