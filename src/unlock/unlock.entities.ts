import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A resource unlocked only by k distinct custodians presenting their own codes within a window. */
@Entity('critical_systems')
export class CriticalSystem {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('int') k: number;
  @Column('int', { name: 'window_seconds' }) windowSeconds: number;
  @Column('int', { name: 'grant_ttl_seconds' }) grantTtlSeconds: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@Entity('critical_system_custodians')
export class Custodian {
  @PrimaryColumn('uuid', { name: 'system_id' }) systemId: string;
  @PrimaryColumn('uuid', { name: 'account_id' }) accountId: string;
  /** Codes count for this custodian only from a set active before this (src/unlock/custodian-codes.ts). */
  @Column('timestamptz', { name: 'added_at' }) addedAt: Date;
}

export type UnlockState = 'open' | 'unlocked' | 'expired';

/** One attempt at unlocking: lives for the system's window. */
@Entity('unlock_sessions')
export class UnlockSession {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'system_id' }) systemId: string;
  @Column('text') state: UnlockState;
  /** k when the session opened: a later policy change does not move a session's goalposts. */
  @Column('int') k: number;
  @Column('text', { name: 'opened_by' }) openedBy: string;
  @Column('timestamptz', { name: 'opened_at' }) openedAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'unlocked_at', nullable: true }) unlockedAt: Date | null;
}

@Entity('unlock_presentations')
export class Presentation {
  @PrimaryColumn('uuid', { name: 'session_id' }) sessionId: string;
  @PrimaryColumn('uuid', { name: 'account_id' }) accountId: string;
  @Column('timestamptz', { name: 'presented_at' }) presentedAt: Date;
}

/** A short-lived, signed proof that a session unlocked; revocable early. */
@Entity('unlock_grants')
export class Grant {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'session_id' }) sessionId: string;
  @Column('uuid', { name: 'system_id' }) systemId: string;
  @Column('uuid', { name: 'custodian_ids', array: true }) custodianIds: string[];
  @Column('timestamptz', { name: 'issued_at' }) issuedAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('text', { name: 'revoked_by', nullable: true }) revokedBy: string | null;
}
