import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AuditActor, actorLabel } from '../audit/audit-actor';
import { Clock } from '../common/clock';
import { RateLimitExceeded } from '../common/errors';
import { countUse } from '../common/usage-windows';
import { Policy } from '../config/policy';
import { Notifier } from '../notifications/notifier';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Refused: this caller or this account is past its exposure limit. Security hears of it (see ExposureService). */
export class ExposureLimited extends RateLimitExceeded {
  constructor(
    readonly why: string,
    retryAfterSeconds: number,
  ) {
    super(retryAfterSeconds);
    this.message = `${why}; try again in ${retryAfterSeconds} s. The subject can still recover through a recovery ticket`;
  }
}

/**
 * Exposure revokes codes at once, so it is also a way to deny service (revoke every custodian of a critical
 * system and its dual-code unlock is blocked). Limits per caller and per account (policy `exposure`), and
 * alerts for what should never go unnoticed: a custodian's codes revoked, many accounts revoked in an hour.
 */
@Injectable()
export class ExposureLimits {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: Notifier,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /** Counts this revocation against the caller and the account, in the revoking transaction (a refusal counts nothing). */
  async admit(em: EntityManager, actor: AuditActor, accountId: string): Promise<void> {
    const { maxPerCallerPerHour, maxPerAccountPerDay } = this.policy.exposure;
    const now = this.clock.now();
    const caller = await countUse(em, `exposure:caller:${actorLabel(actor)}`, HOUR, now);
    if (caller.calls > maxPerCallerPerHour) {
      throw new ExposureLimited(`this caller has reported ${maxPerCallerPerHour} exposures this hour, the most policy allows`, caller.retryAfterSeconds);
    }
    const account = await countUse(em, `exposure:account:${accountId}`, DAY, now);
    if (account.calls > maxPerAccountPerDay) {
      throw new ExposureLimited(
        `this account's codes were reported exposed ${maxPerAccountPerDay} times today, the most policy allows`,
        account.retryAfterSeconds,
      );
    }
  }

  /** After a revocation: a critical-system custodian's, or one too many across the desk this hour, alerts security at once. */
  async watchRevocation(em: EntityManager, actor: AuditActor, account: Account, revokedSetId: string): Promise<void> {
    const systems = (await em.query(
      `SELECT s.name FROM critical_system_custodians c JOIN critical_systems s ON s.id = c.system_id WHERE c.account_id = $1 ORDER BY s.name`,
      [account.id],
    )) as { name: string }[];
    const by = actorLabel(actor);
    if (systems.length > 0) {
      const why = `${by} revoked the backup codes of account ${account.id}, a custodian of ${systems.map((s) => s.name).join(', ')}: its dual-code unlock may be blocked`;
      await this.alert(em, why, `exposure:custodian:${revokedSetId}`);
    }
    const { alertAccountsPerHour } = this.policy.exposure;
    const desk = await countUse(em, 'exposure:desk', HOUR, this.clock.now());
    if (desk.calls > alertAccountsPerHour) {
      const why = `${desk.calls} accounts' codes revoked as exposed in the hour from ${desk.windowStart.toISOString()} (policy: alert above ${alertAccountsPerHour}); the latest by ${by}`;
      await this.alert(em, why, `exposure:desk:${desk.windowStart.toISOString()}`);
    }
  }

  /** A refused report still reaches security (its own transaction: the refused one rolled back). */
  async refused(actor: AuditActor, accountId: string, error: ExposureLimited): Promise<void> {
    const hour = Math.floor(this.clock.now().getTime() / HOUR);
    await this.dataSource.transaction((em) =>
      this.alert(
        em,
        `${actorLabel(actor)} was refused an exposure report for account ${accountId}: ${error.why}`,
        `exposure:refused:${actorLabel(actor)}:${hour}`,
      ),
    );
  }

  private alert(em: EntityManager, why: string, key: string): Promise<void> {
    return this.notifier.toSecurity(em, 'security.exposure_unusual', { why }, key);
  }
}
