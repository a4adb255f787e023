import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AccountStatus, AccountTier } from './account.entity';

/** The account facts whose history the risk signals read (src/tickets/risk/history.ts). */
export const TRACKED_FIELDS = ['tier', 'managerId', 'email', 'phone', 'status'] as const;
export type TrackedField = (typeof TRACKED_FIELDS)[number];

/**
 * One change of an account's tier, manager, registered channels or status, written in the transaction that made
 * it (AccountsService.updateIn). Which channel changed is kept, never its value: the audit trail has the masked form.
 */
@Entity('account_changes')
export class AccountChange {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('timestamptz', { name: 'changed_at' }) changedAt: Date;
  /** actorLabel(): `staff:<id>`, `directory:<connection>`, `cli`… */
  @Column('text') actor: string;
  @Column('text', { array: true }) changed: TrackedField[];
  @Column('text', { name: 'tier_before', nullable: true }) tierBefore: AccountTier | null;
  @Column('text', { name: 'tier_after', nullable: true }) tierAfter: AccountTier | null;
  @Column('uuid', { name: 'manager_before', nullable: true }) managerBefore: string | null;
  @Column('uuid', { name: 'manager_after', nullable: true }) managerAfter: string | null;
  @Column('text', { name: 'status_before', nullable: true }) statusBefore: AccountStatus | null;
  @Column('text', { name: 'status_after', nullable: true }) statusAfter: AccountStatus | null;
}
