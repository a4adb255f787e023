import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditActor } from '../audit/audit-actor';
import { CodeSet } from '../codes/code-set.entity';
import { CodesService } from '../codes/codes.service';
import { ExposureLimited, ExposureLimits } from './exposure-limits';
import { TicketsService } from './tickets.service';

export interface ExposureOutcome {
  revoked: CodeSet;
  reissueRequestId: string;
  ticketId: string;
}

/**
 * An exposure report revokes the set at once and opens the reissue ticket in
 * the same transaction, so the account is never left without either.
 * If a real ticket is already in progress for the account, it takes the request up (a drill's never does: a real
 * request supersedes it): whatever the limits, the subject can always recover through a ticket. Limited per caller
 * and per account (exposure-limits.ts).
 */
@Injectable()
export class ExposureService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly codes: CodesService,
    private readonly tickets: TicketsService,
    private readonly limits: ExposureLimits,
  ) {}

  async report(actor: AuditActor, accountId: string, reason: string): Promise<ExposureOutcome> {
    try {
      return await this.revokeAndOpen(actor, accountId, reason);
    } catch (error) {
      if (error instanceof ExposureLimited) await this.limits.refused(actor, accountId, error);
      throw error;
    }
  }

  private revokeAndOpen(actor: AuditActor, accountId: string, reason: string): Promise<ExposureOutcome> {
    return this.dataSource.transaction(async (em) => {
      const account = await this.codes.lockAccount(em, accountId);
      await this.limits.admit(em, actor, accountId);
      const { revoked, request } = await this.codes.reportExposureIn(em, actor, account, reason);
      await this.limits.watchRevocation(em, actor, account, revoked.id);
      const live = await this.tickets.liveTicket(em, accountId);
      // A real ticket in progress takes the request up; a drill's never does: a real request supersedes it.
      const ticketId =
        live && !live.isDrill
          ? live.id
          : (
              await this.tickets.openNewest(
                em,
                account,
                { channel: 'self_service', reason: 'exposure', notes: `Opened automatically: backup codes reported exposed (${reason}).` },
                actor,
              )
            ).id;
      await em.query(`UPDATE reissue_requests SET ticket_id = $2 WHERE id = $1`, [request.id, ticketId]);
      return { revoked, reissueRequestId: request.id, ticketId };
    });
  }
}
