import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { RiskSignalCode } from './risk-signals';

/** A risk signal raised on a ticket: one row per (ticket, signal); raised again on new evidence, cleared by an admin. */
@Entity('ticket_signals')
export class TicketSignal {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'ticket_id' }) ticketId: string;
  @Column('text') signal: RiskSignalCode;
  @Column('text') reason: string;
  @Column('boolean') holds: boolean;
  @Column('text') basis: string;
  @Column('jsonb') detail: Record<string, unknown>;
  @Column('timestamptz', { name: 'raised_at' }) raisedAt: Date;
  @Column('timestamptz', { name: 'cleared_at', nullable: true }) clearedAt: Date | null;
  @Column('uuid', { name: 'cleared_by', nullable: true }) clearedBy: string | null;
  @Column('text', { name: 'clear_reason', nullable: true }) clearReason: string | null;
}
