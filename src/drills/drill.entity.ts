import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type DrillStatus = 'scheduled' | 'running' | 'resolved';
export type DrillOutcome = 'passed' | 'failed' | 'inconclusive';

/** One simulated social-engineering attempt and its score. Readable by drill runners and auditors only. */
@Entity('drills')
export class Drill {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') campaign: string;
  @Column('text') name: string;
  @Column('jsonb') scenario: Record<string, unknown>;
  @Column('uuid', { name: 'runner_id' }) runnerId: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('text') status: DrillStatus;
  @Column('uuid', { name: 'ticket_id', nullable: true }) ticketId: string | null;
  @Column('timestamptz', { name: 'scheduled_for' }) scheduledFor: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt: Date | null;
  @Column('text', { nullable: true }) outcome: DrillOutcome | null;
  @Column('text', { name: 'decided_step', nullable: true }) decidedStep: string | null;
  @Column('text', { name: 'decided_by', nullable: true }) decidedBy: string | null;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt: Date | null;
  @Column('bigint', {
    name: 'time_to_decision_ms',
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  timeToDecisionMs: number | null;
  /** Why a drill ended without a decision (e.g. pre-empted by a real request); null otherwise. */
  @Column('text', { name: 'ended_reason', nullable: true }) endedReason: string | null;
  @Column('timestamptz', { name: 'debriefed_at', nullable: true }) debriefedAt: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
