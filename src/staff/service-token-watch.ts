import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { countUse } from '../common/usage-windows';
import { Policy } from '../config/policy';
import { Notifier } from '../notifications/notifier';
import { ServiceScope } from './service-scopes';
import { Staff } from './staff.entity';
import { StaffToken } from './staff-token.entity';

const HOUR = 3_600_000;
/** How many (token, address) pairs a process remembers as learned before it starts afresh. */
const KNOWN_ADDRESSES_KEPT = 10_000;

/**
 * Unusual use of a service token alerts security: a call from a client address the token has not called from
 * before (its first address is learned silently), a call from outside its allowed networks, and more enrolments
 * or exposures in an hour than policy (serviceTokens) expects of it.
 */
@Injectable()
export class ServiceTokenWatch {
  /** Pairs this process has seen learned: a learned address is never forgotten, so the answer never goes stale. */
  private readonly known = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: Notifier,
    private readonly policy: Policy,
  ) {}

  /** Whether the token has called from this address before. A learned address is never forgotten, so an early answer stays true. */
  async knownAddress(token: StaffToken, address: string): Promise<boolean> {
    const pair = `${token.id} ${address}`;
    if (this.known.has(pair)) return true;
    const rows = (await this.dataSource.query(`SELECT 1 FROM service_token_addresses WHERE token_id = $1 AND address = $2`, [token.id, address])) as unknown[];
    if (rows.length === 0) return false;
    if (this.known.size >= KNOWN_ADDRESSES_KEPT) this.known.clear();
    this.known.add(pair);
    return true;
  }

  /** `known` may have been asked for while the call ran (knownAddress), so the hot path waits for no read of its own. */
  async recordUse(
    staff: Staff,
    token: StaffToken,
    scope: ServiceScope,
    address: string,
    now: Date,
    known: Promise<boolean> = this.knownAddress(token, address),
  ): Promise<void> {
    const limit =
      scope === 'enrol' ? this.policy.serviceTokens.maxEnrolmentsPerHour : scope === 'exposure' ? this.policy.serviceTokens.maxExposuresPerHour : undefined;
    const seen = await known;
    if (seen && limit === undefined) return; // the hot path (verify): one indexed read
    await this.dataSource.transaction(async (em) => {
      if (!seen) await this.learnAddress(em, staff, token, address, now);
      if (limit === undefined) return;
      const { calls, windowStart } = await countUse(em, `service-token:${token.id}:${scope}`, HOUR, now);
      if (calls > limit) {
        const why = `${calls} ${scope} calls in the hour from ${windowStart.toISOString()} (policy: at most ${limit})`;
        await this.alert(em, staff, token, why, `svc-rate:${token.id}:${scope}:${windowStart.toISOString()}`);
      }
    });
  }

  async disallowedAddress(staff: Staff, token: StaffToken, address: string): Promise<void> {
    await this.dataSource.transaction((em) =>
      this.alert(
        em,
        staff,
        token,
        `a call from ${address}, outside its allowed networks (${(token.allowedCidrs ?? []).join(', ')}), was refused`,
        `svc-denied:${token.id}:${address}`,
      ),
    );
  }

  /** Serialised per token (row lock), so two new addresses at once are both seen as new. */
  private async learnAddress(em: EntityManager, staff: Staff, token: StaffToken, address: string, now: Date): Promise<void> {
    await em.query(`SELECT 1 FROM staff_tokens WHERE id = $1 FOR UPDATE`, [token.id]);
    const inserted = (await em.query(
      `INSERT INTO service_token_addresses (token_id, address, first_seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING address`,
      [token.id, address, now],
    )) as unknown[];
    if (inserted.length === 0) return;
    const [{ seen }] = (await em.query(`SELECT count(*)::int AS seen FROM service_token_addresses WHERE token_id = $1`, [token.id])) as { seen: number }[];
    if (seen > 1)
      await this.alert(em, staff, token, `a first call from a new client address, ${address} (${seen} addresses so far)`, `svc-addr:${token.id}:${address}`);
  }

  private async alert(em: EntityManager, staff: Staff, token: StaffToken, why: string, key: string): Promise<void> {
    await this.notifier.toSecurity(
      em,
      'security.service_token_unusual',
      { tokenId: token.id, label: token.label ?? 'no label', staffName: staff.name, why },
      key,
    );
  }
}
