import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ProofingStep, StepStatus } from './proofing/step-catalogue';

/** One proofing step of a ticket: its status, attempts and evidence. Secrets (OTP, link token) only as hashes. */
@Entity('ticket_steps')
export class TicketStep {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'ticket_id' }) ticketId: string;
  @Column('text') step: ProofingStep;
  @Column('text') status: StepStatus;
  @Column('int') attempts: number;
  @Column('int') sends: number;
  @Column('text', { name: 'secret_hash', nullable: true, select: false }) secretHash: string | null;
  /** Which registered channel a code or link went to (`email`, `sms`, `manager`), never the address. */
  @Column('text', { name: 'sent_to', nullable: true }) sentTo: string | null;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('jsonb', { nullable: true }) evidence: Record<string, unknown> | null;
  @Column('text', { name: 'decided_by', nullable: true }) decidedBy: string | null;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt: Date | null;
}
