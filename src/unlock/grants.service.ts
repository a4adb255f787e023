import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditActor, actorLabel } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { NotFound } from '../common/errors';
import { IntrospectionDto } from './dto/unlock.dto';
import { GrantSigner } from './grant-signer';
import { Grant } from './unlock.entities';

@Injectable()
export class GrantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signer: GrantSigner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** What the critical system asks: is this grant ours, unexpired and unrevoked, and for whom. */
  async introspect(token: string): Promise<IntrospectionDto> {
    const claims = this.signer.open(token);
    if (!claims) return { active: false };
    const grant = await this.dataSource.getRepository(Grant).findOneBy({ id: claims.jti });
    const now = this.clock.now();
    if (!grant || grant.revokedAt || grant.expiresAt <= now || claims.exp * 1000 <= now.getTime()) return { active: false };
    return {
      active: true,
      grantId: grant.id,
      systemId: grant.systemId,
      sessionId: grant.sessionId,
      custodianIds: grant.custodianIds,
      expiresAt: grant.expiresAt.toISOString(),
    };
  }

  revoke(actor: AuditActor, grantId: string): Promise<Grant> {
    return this.dataSource.transaction(async (em) => {
      const grant = await em.findOne(Grant, { where: { id: grantId }, lock: { mode: 'pessimistic_write' } });
      if (!grant) throw new NotFound('grant', grantId);
      if (grant.revokedAt) return grant;
      grant.revokedAt = this.clock.now();
      grant.revokedBy = actorLabel(actor);
      await em.update(Grant, { id: grantId }, { revokedAt: grant.revokedAt, revokedBy: grant.revokedBy });
      await this.audit.record(em, {
        actor,
        action: 'grant.revoked',
        target: { type: 'grant', id: grantId },
        payload: { sessionId: grant.sessionId, systemId: grant.systemId },
      });
      return grant;
    });
  }
}
