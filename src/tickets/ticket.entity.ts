import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AccountTier } from '../accounts/account.entity';
import type { ProofingStep } from './proofing/step-catalogue';
import type { TicketState } from './ticket.machine';

/** How the caller reached the desk (what an agent records when opening a ticket). */
export const TICKET_CHANNELS = ['phone', 'chat', 'walk_in', 'email'] as const;
/** `self_service`: opened by the service itself, e.g. after the subject reported their codes exposed. */
export type TicketChannel = (typeof TICKET_CHANNELS)[number] | 'self_service';
export const TICKET_REASONS = ['lost_device', 'app_deleted', 'new_phone', 'codes_used_up', 'exposure'] as const;
export type TicketReason = (typeof TICKET_REASONS)[number];

export const TIER_RANK: Record<AccountTier, number> = { critical: 0, privileged: 1, standard: 2 };

/** What the caller said about how to reach them: recorded and shown, never used to send anything. */
export interface CallbackDetails {
  name?: string;
  phone?: string;
  email?: string;
}

/**
 * What the approval that completed the approvals relied on: the subject's tier, registered channels and manager then
 * (written by the `fix_approved_facts` effect). Regeneration delivers only to these; a change holds the ticket.
 */
export interface ApprovedFacts {
  tier: AccountTier;
  email: string;
  phone: string;
  managerId: string | null;
  approvedAt: string;
}

/** A request to reissue an account's codes. Its state changes only through ticket.machine.ts. */
@Entity('tickets')
export class Ticket {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('text') state: TicketState;
  /** The account's tier when the ticket was opened: its policy (steps, approvers) is fixed then. */
  @Column('text') tier: AccountTier;
  @Column('smallint', { name: 'tier_rank' }) tierRank: number;
  @Column('text') channel: TicketChannel;
  @Column('text') reason: TicketReason;
  @Column('jsonb') callback: CallbackDetails;
  @Column('text', { nullable: true }) notes: string | null;
  @Column('text', { name: 'required_steps', array: true }) requiredSteps: ProofingStep[];
  @Column('int', { name: 'approvals_required' }) approvalsRequired: number;
  @Column('int', { name: 'cooling_off_minutes' }) coolingOffMinutes: number;
  @Column('text', { name: 'opened_by' }) openedBy: string;
  @Column('uuid', { name: 'assigned_to', nullable: true }) assignedTo: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'state_changed_at' }) stateChangedAt: Date;
  /** When the current waiting state breaches its SLA (the sweep expires it then). */
  @Column('timestamptz', { name: 'due_at' }) dueAt: Date;
  @Column('timestamptz', { name: 'regenerate_after', nullable: true }) regenerateAfter: Date | null;
  @Column('jsonb', { name: 'approved_facts', nullable: true }) approvedFacts: ApprovedFacts | null;
  @Column('int') version: number;
  /** A social-engineering drill: never shown to agents or approvers until their debrief. */
  @Column('boolean', { name: 'is_drill' }) isDrill: boolean;
  @Column('timestamptz', { name: 'debriefed_at', nullable: true }) debriefedAt: Date | null;
}
