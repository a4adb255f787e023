import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed verifications and lock state per account (see lockout.ts). */
@Entity('code_guards')
export class CodeGuard {
  @PrimaryColumn('uuid', { name: 'account_id' }) accountId: string;
  @Column('int') failures: number;
  @Column('timestamptz', { name: 'window_started_at', nullable: true }) windowStartedAt: Date | null;
  @Column('timestamptz', { name: 'locked_until', nullable: true }) lockedUntil: Date | null;
  @Column('int', { name: 'lock_count' }) lockCount: number;
}
