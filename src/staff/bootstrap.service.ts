import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { ADVISORY_LOCK } from '../database/advisory-locks';
import { Staff } from './staff.entity';
import { StaffService } from './staff.service';

export type BootstrapResult = { created: false } | { created: true; staffId: string; token: string; tokenFromEnvironment: boolean };

@Injectable()
export class BootstrapService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly staffService: StaffService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * On a first start (no staff at all) creates one admin. Several processes may
   * start at once: the advisory lock makes exactly one of them do it.
   */
  ensureFirstAdmin(presetToken: string | undefined): Promise<BootstrapResult> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK.firstAdmin]);
      if ((await em.count(Staff)) > 0) return { created: false } as const;
      const admin = await em.save(
        em.create(Staff, { name: 'First admin', roles: ['admin'], rolesGrantedAt: { admin: this.clock.now().toISOString() }, accountId: null, active: true }),
      );
      await this.audit.record(em, {
        actor: SYSTEM,
        action: 'staff.bootstrapped',
        target: { type: 'staff', id: admin.id },
        payload: { roles: admin.roles, tokenFromEnvironment: presetToken !== undefined },
      });
      const { token } = await this.staffService.issueToken(SYSTEM, admin.id, { expiresInDays: null, label: 'first admin', token: presetToken }, em);
      return { created: true, staffId: admin.id, token, tokenFromEnvironment: presetToken !== undefined } as const;
    });
  }
}
