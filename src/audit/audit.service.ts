import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { AuditActor } from './audit-actor';
import { AuditEvent } from './audit-event.entity';
import { InvalidInput, NotFound } from '../common/errors';
import { findSecretKey } from './audit-hash';
import { AuditLogKeys } from './audit-log-keys';
import { EventRow, toLoggedFields } from './audit-sequencer';
import { NoteVerifier } from './checkpoint-note';
import { LogCheck, LogVerdict } from './log-check';
import { consistencyProof, inclusionProof } from './merkle';
import { openWitness } from './witness';
import { castPlaceholders, preparedQuery, SqlPart } from '../database/sql';
import { openTransaction } from '../database/transaction';

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

export interface InclusionProof {
  seq: number;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
}

const VERIFY_BATCH = 2000;

/** An event's columns in the order its INSERTs name them. */
const valuesOf = (f: Omit<AuditEvent, 'seq'>): unknown[] => [f.occurredAt, f.actorKind, f.actorId, f.action, f.targetType, f.targetId, f.payload];

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly keys: AuditLogKeys,
  ) {}

  /** Appends an event inside the caller's transaction, so it commits or rolls back with the change. */
  record(em: EntityManager, entry: AuditEntry): Promise<AuditEvent> {
    return this.recordWith(em, entry);
  }

  /**
   * The same, in one statement with the change it records: `change` (an INSERT, UPDATE or DELETE, placeholders from $1,
   * no RETURNING) runs as a data-modifying WITH of the event's INSERT, saving a round trip on hot paths (a ticket's
   * transition). PostgreSQL runs such a WITH exactly once, whether or not the INSERT reads it.
   */
  async recordWith(em: EntityManager, entry: AuditEntry, change?: { sql: string; params: unknown[] }): Promise<AuditEvent> {
    openTransaction(em, 'audit events are written inside the transaction of the change they record');
    // No lock and no read of the log: the sequencer places the event in the tree after it commits.
    const fields = this.fieldsOf(entry);
    const first = change?.params.length ?? 0;
    const values = Array.from({ length: 7 }, (_, i) => `$${first + i + 1}`).join(', ');
    const insert = `INSERT INTO audit_events (occurred_at, actor_kind, actor_id, action, target_type, target_id, payload) VALUES (${values}) RETURNING seq`;
    const text = change ? `WITH change AS (${change.sql}) ${insert}` : insert;
    const [row] = await preparedQuery<{ seq: string }>(em, text, [...(change?.params ?? []), ...valuesOf(fields)]);
    return em.create(AuditEvent, { seq: Number(row.seq), ...fields });
  }

  /**
   * The event as one member of a larger data-modifying statement, for a change that is itself one statement (a
   * code's consumption): `INSERT … SELECT … WHERE when`, its placeholders numbered after `before` of the statement's
   * own, so the event is written exactly when `when` (a condition on the statement's other members) holds, and
   * commits or rolls back with them. The caller runs it as part of that statement, never alone.
   */
  eventInsert(entry: AuditEntry, before: number, when: string): SqlPart {
    const params = valuesOf(this.fieldsOf(entry));
    const selected = castPlaceholders(['timestamptz', 'text', 'text', 'text', 'text', 'text', 'jsonb'], before);
    return {
      sql: `INSERT INTO audit_events (occurred_at, actor_kind, actor_id, action, target_type, target_id, payload) SELECT ${selected} WHERE ${when}`,
      params,
    };
  }

  private fieldsOf(entry: AuditEntry): Omit<AuditEvent, 'seq'> {
    const payload = entry.payload ?? {};
    const secretKey = findSecretKey(payload);
    if (secretKey) throw new Error(`audit payload key "${secretKey}" looks like a secret; audit payloads never hold one`);
    return {
      occurredAt: this.clock.now(),
      actorKind: entry.actor.kind,
      actorId: 'id' in entry.actor ? entry.actor.id : null,
      action: entry.action,
      targetType: entry.target.type,
      targetId: entry.target.id ?? null,
      payload,
    };
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
    return toPage(
      rows,
      filter.limit,
      (e) => [e.seq],
      (e) => e,
    );
  }

  /**
   * Holds the log to the checkpoints its witness published (or those at `source`, a directory or URL): recomputes
   * every leaf from its event, rebuilds the tree and names the first event that does not hold.
   */
  async verify(source?: string, verifier: NoteVerifier = this.keys.verifier): Promise<LogVerdict & { pending: number }> {
    const witness = source ? openWitness(source) : this.keys.witness;
    const check = new LogCheck(await witness.read(), verifier);
    let after = -1;
    for (;;) {
      const rows = (await this.dataSource.query(
        `SELECT l.idx, l.seq, encode(l.hash, 'hex') AS hash, e.seq AS event_seq, e.occurred_at, e.actor_kind, e.actor_id, e.action, e.target_type, e.target_id, e.payload
           FROM audit_leaves l LEFT JOIN audit_events e ON e.seq = l.seq
          WHERE l.idx > $1 ORDER BY l.idx LIMIT $2`,
        [after, VERIFY_BATCH],
      )) as (Omit<EventRow, 'xid'> & { idx: string; hash: string; event_seq: string | null })[];
      let going = true;
      for (const row of rows) {
        going = check.add({
          idx: Number(row.idx),
          seq: Number(row.seq),
          stored: Buffer.from(row.hash, 'hex'),
          event: row.event_seq === null ? undefined : toLoggedFields({ ...row, seq: row.event_seq }),
        });
        if (!going) break;
      }
      if (!going || rows.length < VERIFY_BATCH) break;
      after = Number(rows[rows.length - 1].idx);
    }
    const [{ pending }] = (await this.dataSource.query(
      `SELECT count(*)::int AS pending FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.seq = e.seq)`,
    )) as { pending: number }[];
    return { ...check.finish(), pending };
  }

  /** The newest checkpoint the witness holds. */
  async latestCheckpoint(): Promise<string | undefined> {
    return (await this.keys.witness.read()).notes.at(-1);
  }

  /** The audit path of an event in the tree of `size` leaves (the newest tree head when not given). */
  async inclusionProof(seq: number, size?: number): Promise<InclusionProof> {
    const [leaf] = (await this.dataSource.query(`SELECT idx FROM audit_leaves WHERE seq = $1`, [seq])) as { idx: string }[];
    if (!leaf) throw new NotFound('integrated audit event', String(seq));
    const treeSize = size ?? (await this.treeSize());
    const index = Number(leaf.idx);
    if (index >= treeSize) throw new InvalidInput('size', `must be above the event's leaf index ${index}`);
    const leaves = await this.leafHashes(treeSize);
    return {
      seq,
      leafIndex: index,
      treeSize,
      leafHash: leaves[index].toString('hex'),
      proof: inclusionProof(leaves, index, treeSize).map((h) => h.toString('hex')),
    };
  }

  /** Proves the tree of `first` leaves is a prefix of the tree of `second`. */
  async consistencyProof(first: number, second: number): Promise<string[]> {
    if (first > second) throw new InvalidInput('from', 'must not be above to');
    const leaves = await this.leafHashes(second);
    return consistencyProof(leaves, first, second).map((h) => h.toString('hex'));
  }

  private async treeSize(): Promise<number> {
    const [head] = (await this.dataSource.query(`SELECT max(size) AS size FROM audit_tree_heads`)) as { size: string }[];
    return Number(head.size);
  }

  private async leafHashes(size: number): Promise<Buffer[]> {
    const rows = (await this.dataSource.query(`SELECT hash FROM audit_leaves WHERE idx < $1 ORDER BY idx`, [size])) as { hash: Buffer }[];
    if (rows.length < size) throw new InvalidInput('size', `must be at most the tree's ${rows.length} leaves`);
    return rows.map((r) => r.hash);
  }
}
