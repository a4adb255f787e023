import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import type { Env } from '../config/env.validation';
import { Policy } from '../config/policy';
import { updateReturning } from '../database/sql';
import { Ticket } from './ticket.entity';

/** One answer for unknown, used and expired links: the holder learns nothing about which. */
export const LINK_NOT_VALID = 'this link is not valid: it was used already, has expired, or never existed';

/** How long the subject's "this was not me" link works: the life of any ticket, cooling-off included. */
const CANCEL_LINK_DAYS = 14;

/** One-time links sent to people (subject's cancel, manager's attestation); only their SHA-256 is stored. */
@Injectable()
export class TicketLinks {
  constructor(
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly config: ConfigService<Env, true>,
  ) {}

  async issueCancelLink(em: EntityManager, ticket: Ticket): Promise<string> {
    const token = await this.issue(em, ticket.id, 'cancel', CANCEL_LINK_DAYS * 24 * 60);
    return `${this.config.get('PUBLIC_URL', { infer: true })}/c/${token}`;
  }

  async issueAttestationLink(em: EntityManager, ticket: Ticket): Promise<string> {
    const token = await this.issue(em, ticket.id, 'attest', this.policy.attestation.ttlMinutes);
    return `${this.config.get('PUBLIC_URL', { infer: true })}/a/${token}`;
  }

  /** Uses a link once: the ticket it belongs to, or undefined for unknown, used or expired tokens alike. */
  async consume(em: EntityManager, token: string, purpose: 'cancel' | 'attest'): Promise<string | undefined> {
    const [row] = await updateReturning<{ ticket_id: string }>(
      em,
      `UPDATE ticket_links SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING ticket_id`,
      [sha256Hex(token), purpose, this.clock.now()],
    );
    return row?.ticket_id;
  }

  /** Looks at a link without using it (the page shown before the person decides); same answer for every invalid one. */
  async peek(em: EntityManager, token: string, purpose: 'cancel' | 'attest'): Promise<{ ticketId: string; expiresAt: Date } | undefined> {
    const [row] = (await em.query(
      `SELECT ticket_id, expires_at FROM ticket_links WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`,
      [sha256Hex(token), purpose, this.clock.now()],
    )) as { ticket_id: string; expires_at: Date }[];
    return row && { ticketId: row.ticket_id, expiresAt: row.expires_at };
  }

  private async issue(em: EntityManager, ticketId: string, purpose: 'cancel' | 'attest', ttlMinutes: number): Promise<string> {
    const token = randomToken(purpose === 'cancel' ? 'rdc' : 'rda');
    const now = this.clock.now();
    await em.query(`INSERT INTO ticket_links (ticket_id, purpose, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      ticketId,
      purpose,
      sha256Hex(token),
      now,
      new Date(now.getTime() + ttlMinutes * 60_000),
    ]);
    return token;
  }
}
