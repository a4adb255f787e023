import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/**
 * Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (see the migrations). `seq` orders events by
 * insertion, not by commit; their place in the Merkle tree is in audit_leaves.
 */
@Entity('audit_events')
export class AuditEvent {
  @PrimaryColumn('bigint', { transformer: bigintAsNumber })
  seq: number;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt: Date;

  @Column('text', { name: 'actor_kind' })
  actorKind: string;

  @Column('text', { name: 'actor_id', nullable: true })
  actorId: string | null;

  @Column('text')
  action: string;

  @Column('text', { name: 'target_type' })
  targetType: string;

  @Column('text', { name: 'target_id', nullable: true })
  targetId: string | null;

  @Column('jsonb')
  payload: Record<string, unknown>;
}
