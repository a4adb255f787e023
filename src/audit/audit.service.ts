import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Clock } from '../common/clock';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { AuditActor } from './audit-actor';
import { AuditEvent } from './audit-event.entity';
import { chainHash, checkLink, findSecretKey, GENESIS_HASH } from './audit-hash';

export interface AuditEntry {
  actor: AuditActor;
  action: string;
  target: { type: string; id?: string | null };
  payload?: Record<string, unknown>;
}

export interface AuditFilter {
  action?: string;
  target?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: number;
  reason?: string;
}

/**
 * Serialises appends so each event's seq and prev_hash are the chain's head at
 * commit. Held to the end of the caller's transaction: keep audit writes last.
 */
const AUDIT_CHAIN_LOCK = 0x52440001;
const VERIFY_BATCH = 2000;

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Appends an event inside the caller's transaction, so it commits or rolls back with the change. */
  async record(em: EntityManager, entry: AuditEntry): Promise<AuditEvent> {
    if (!em.queryRunner?.isTransactionActive) {
      throw new Error('audit events are written inside the transaction of the change they record');
    }
    const payload = entry.payload ?? {};
    const secretKey = findSecretKey(payload);
    if (secretKey) throw new Error(`audit payload key "${secretKey}" looks like a secret; audit payloads never hold one`);

    await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const [head] = (await em.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    const fields = {
      seq: head ? Number(head.seq) + 1 : 1,
      occurredAt: this.clock.now(),
      actorKind: entry.actor.kind,
      actorId: 'id' in entry.actor ? entry.actor.id : null,
      action: entry.action,
      targetType: entry.target.type,
      targetId: entry.target.id ?? null,
      payload,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const event = em.create(AuditEvent, { ...fields, hash: chainHash(fields) });
    await em.insert(AuditEvent, event as QueryDeepPartialEntity<AuditEvent>);
    return event;
  }

  /** Opens a transaction just for an audit event (an act that changes nothing else, e.g. a refusal). */
  recordAlone(entry: AuditEntry): Promise<AuditEvent> {
    return this.dataSource.transaction((em) => this.record(em, entry));
  }

  async list(filter: AuditFilter): Promise<Page<AuditEvent>> {
    const query = this.dataSource.getRepository(AuditEvent).createQueryBuilder('e').orderBy('e.seq', 'DESC');
    if (filter.action) query.andWhere('e.action = :action', { action: filter.action });
    if (filter.target) query.andWhere('e.target_id = :target', { target: filter.target });
    if (filter.actor) query.andWhere('e.actor_id = :actor', { actor: filter.actor });
    if (filter.from) query.andWhere('e.occurred_at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('e.occurred_at < :to', { to: filter.to });
    if (filter.cursor) {
      const [seq] = decodeCursor(filter.cursor, 1);
      query.andWhere('e.seq < :seq', { seq: Number(seq) });
    }
    const rows = await query.take(filter.limit + 1).getMany();
    return toPage(rows, filter.limit, (e) => [e.seq], (e) => e);
  }

  /** Recomputes the whole chain in seq order and names the first event that does not hold. */
  async verify(): Promise<ChainVerdict> {
    const repository = this.dataSource.getRepository(AuditEvent);
    let previous: { seq: number; hash: string } | undefined;
    let checked = 0;
    for (;;) {
      const batch = await repository
        .createQueryBuilder('e')
        .where('e.seq > :after', { after: previous?.seq ?? 0 })
        .orderBy('e.seq', 'ASC')
        .take(VERIFY_BATCH)
        .getMany();
      for (const event of batch) {
        const link = checkLink(event, previous);
        if (!link.ok) return { ok: false, checked, firstBrokenSeq: link.brokenSeq, reason: link.reason };
        checked += 1;
        previous = { seq: event.seq, hash: event.hash };
      }
      if (batch.length < VERIFY_BATCH) return { ok: true, checked };
    }
  }
}
