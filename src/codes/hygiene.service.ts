import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { Policy } from '../config/policy';

export interface HygieneEntry {
  accountId: string;
  externalId: string;
  displayName: string;
  tier: string;
  setId: string | null;
  rotationDueAt: string | null;
  remaining: number | null;
}

export interface HygieneReport {
  generatedAt: string;
  overdue: HygieneEntry[];
  nearlyUsedUp: HygieneEntry[];
  missing: HygieneEntry[];
}

const LIMIT = 1_000;

/** The security audit policy asks for: sets overdue for rotation, nearly used up, and accounts with none. */
@Injectable()
export class HygieneService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  async report(): Promise<HygieneReport> {
    const now = this.clock.now();
    const withSets = `
      SELECT a.id AS "accountId", a.external_id AS "externalId", a.display_name AS "displayName", a.tier,
             s.id AS "setId", s.rotation_due_at AS "rotationDueAt",
             (SELECT count(*)::int FROM backup_codes c WHERE c.set_id = s.id AND c.used_at IS NULL) AS remaining
      FROM accounts a JOIN code_sets s ON s.account_id = a.id AND s.revoked_at IS NULL
      WHERE a.status = 'active'`;
    const overdue = await this.dataSource.query(`${withSets} AND s.rotation_due_at <= $1 ORDER BY s.rotation_due_at, a.id LIMIT ${LIMIT}`, [now]);
    const nearlyUsedUp = await this.dataSource.query(
      `SELECT * FROM (${withSets}) x WHERE x.remaining <= $1 ORDER BY x.remaining, x."accountId" LIMIT ${LIMIT}`,
      [this.policy.codes.lowRemaining],
    );
    const missing = await this.dataSource.query(
      `SELECT a.id AS "accountId", a.external_id AS "externalId", a.display_name AS "displayName", a.tier,
              NULL AS "setId", NULL AS "rotationDueAt", NULL AS remaining
       FROM accounts a WHERE a.status = 'active'
       AND NOT EXISTS (SELECT 1 FROM code_sets s WHERE s.account_id = a.id AND s.revoked_at IS NULL)
       ORDER BY a.display_name, a.id LIMIT ${LIMIT}`,
    );
    const iso = (rows: HygieneEntry[]) => rows.map((r) => ({ ...r, rotationDueAt: r.rotationDueAt ? new Date(r.rotationDueAt).toISOString() : null }));
    return { generatedAt: now.toISOString(), overdue: iso(overdue), nearlyUsedUp: iso(nearlyUsedUp), missing: iso(missing) };
  }
}
