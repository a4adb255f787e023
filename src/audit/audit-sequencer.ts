import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { Clock } from '../common/clock';
import { FaultInjection } from '../common/fault-injection';
import type { Env } from '../config/env.validation';
import { eventLeafHash } from './audit-hash';
import { AuditLogKeys } from './audit-log-keys';
import { signCheckpoint } from './checkpoint-note';
import { CompactRange } from './merkle';
import { ADVISORY_LOCK } from '../database/advisory-locks';

/** Held (session-level) by the one process integrating and publishing at a time; a dead process's connection frees it. */
const SEQUENCER_LOCK = ADVISORY_LOCK.auditSequencer;
const BATCH = 1000;

interface HeadRow {
  size: string;
  root: string;
  compact: string[];
  last_xid: string | null;
  last_seq: string | null;
}

export interface SequencerRound {
  integrated: number;
  size: number;
  /** The checkpoint published in this round, if one was. */
  checkpoint?: string;
  /** Why no checkpoint could be signed, when the log in the database does not extend the witnessed one. */
  refused?: string;
}

/**
 * Integrates committed audit events into the Merkle tree, off the writers' path
 * (Trillian's and Rekor's sequencer): writers only INSERT; this assigns each
 * event its leaf, in order, one process at a time.
 *
 * Order is (inserting transaction's xid, seq), and a batch takes only events
 * whose xid is below the snapshot's oldest running transaction of this database
 * (its xmin, less other databases' transactions): every transaction below it has
 * finished, so no event can later commit in front of one already integrated
 * (seq alone would not do: a transaction holding seq 5 may commit after the one
 * holding seq 6). A long-open transaction anywhere on the server holds the
 * frontier back, which shows as checkpoint lag, never as a gap.
 *
 * A batch's leaves and tree head commit together; killed mid-batch, it rolls back
 * and the next leader redoes it from the last head: nothing lost, nothing twice.
 */
@Injectable()
export class AuditSequencer {
  private readonly logger = new Logger(AuditSequencer.name);
  private lastPublishedAt = 0;
  /** The tree the witness holds, as far as this process knows it (reloaded from the witness when it has moved on). */
  private witnessed?: CompactRange;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: AuditLogKeys,
    private readonly clock: Clock,
    private readonly faults: FaultInjection,
    private readonly config: ConfigService<Env, true>,
  ) {}

  /**
   * One round: integrate everything committed, then publish a checkpoint if the
   * interval has passed (or `publishNow`). Undefined when another process holds
   * the sequencer (unless `wait`, which queues behind it, as an on-demand checkpoint does).
   */
  async runRound(options: { publishNow?: boolean; wait?: boolean } = {}): Promise<SequencerRound | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(options.wait ? 'SELECT pg_advisory_lock($1), true AS locked' : 'SELECT pg_try_advisory_lock($1) AS locked', [
        SEQUENCER_LOCK,
      ])) as { locked: boolean }[];
      if (!locked) return undefined;
      try {
        let integrated = 0;
        for (;;) {
          const count = await this.integrateBatch(runner);
          integrated += count;
          if (count < BATCH) break;
        }
        return { integrated, ...(await this.publish(runner, options.publishNow ?? false)) };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [SEQUENCER_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * The lowest xid that may still commit an event: the snapshot's oldest running transaction, skipping those that
   * another database's session is known to run (xids are cluster-wide, so a long transaction in another database
   * would otherwise hold this log back). A transaction that ends between the snapshot and the look at
   * pg_stat_activity is not known to be foreign, so it still holds the frontier: that errs towards waiting.
   * Must be the transaction's first statement, so it reads the snapshot the batch reads with.
   */
  private async frontier(runner: QueryRunner): Promise<string> {
    const [snapshot] = (await runner.query(
      `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax, array(SELECT x::text FROM pg_snapshot_xip(pg_current_snapshot()) AS x) AS running`,
    )) as { xmax: string; running: string[] }[];
    const foreign = (await runner.query(
      `SELECT backend_xid::text AS xid FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )) as { xid: string }[];
    const foreignXids = new Set(foreign.map((f) => f.xid));
    const ours = snapshot.running.map(BigInt).filter((xid) => !foreignXids.has(String(xid % 4_294_967_296n)));
    return ours.reduce((min, xid) => (xid < min ? xid : min), BigInt(snapshot.xmax)).toString();
  }

  private async latestHead(runner: QueryRunner): Promise<HeadRow> {
    const [head] = (await runner.query(
      `SELECT size, encode(root, 'hex') AS root, compact, last_xid::text AS last_xid, last_seq FROM audit_tree_heads ORDER BY size DESC LIMIT 1`,
    )) as HeadRow[];
    return head;
  }

  private async integrateBatch(runner: QueryRunner): Promise<number> {
    // One snapshot for the head, the frontier and the events read.
    await runner.startTransaction('REPEATABLE READ');
    try {
      const frontier = await this.frontier(runner);
      const head = await this.latestHead(runner);
      const rows = (await runner.query(
        `SELECT seq, occurred_at, actor_kind, actor_id, action, target_type, target_id, payload, xid::text AS xid
           FROM audit_events
          WHERE xid < $1::xid8
            AND ($2::xid8 IS NULL OR (xid, seq) > ($2::xid8, $3::bigint))
          ORDER BY audit_events.xid, audit_events.seq -- the columns: a bare "xid" would sort by the text alias, "10000" before "9999"
          LIMIT $4`,
        [frontier, head.last_xid, head.last_seq, BATCH],
      )) as EventRow[];
      if (rows.length === 0) {
        await runner.rollbackTransaction();
        return 0;
      }
      const range = new CompactRange(
        Number(head.size),
        head.compact.map((h) => Buffer.from(h, 'hex')),
      );
      const first = range.size;
      const hashes = rows.map((row) => {
        const hash = eventLeafHash(toLoggedFields(row));
        range.append(hash);
        return hash.toString('hex');
      });
      await runner.query(
        `INSERT INTO audit_leaves (idx, seq, hash) SELECT i + $1 - 1, s, decode(h, 'hex') FROM unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS x(s, h, i)`,
        [first, rows.map((r) => r.seq), hashes],
      );
      await this.faults.pauseAt('audit.sequencer_mid_batch');
      const last = rows[rows.length - 1];
      await runner.query(`INSERT INTO audit_tree_heads (size, root, compact, last_xid, last_seq) VALUES ($1, decode($2, 'hex'), $3, $4::xid8, $5)`, [
        range.size,
        range.root().toString('hex'),
        range.hashes.map((h) => h.toString('hex')),
        last.xid,
        last.seq,
      ]);
      await runner.commitTransaction();
      return rows.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    }
  }

  /** Signs the newest tree head and appends it, with the leaves the witness lacks, to the witness. */
  private async publish(runner: QueryRunner, now: boolean): Promise<{ size: number; checkpoint?: string; refused?: string }> {
    const head = await this.latestHead(runner);
    const size = Number(head.size);
    const interval = this.config.get('AUDIT_CHECKPOINT_INTERVAL_MS', { infer: true });
    if (!now && Date.now() - this.lastPublishedAt < interval) return { size };
    const witnessSize = await this.keys.witness.size();
    if (witnessSize > size) {
      // The database has fewer leaves than were published: never sign the shorter history.
      const refused = `the log in the database holds ${size} events, fewer than the ${witnessSize} its witness holds`;
      this.logger.error({ witnessSize, size }, `audit log diverged: ${refused}; refusing to sign a checkpoint`);
      return { size, refused };
    }
    if (!now && witnessSize === size) return { size };
    const leaves = (await runner.query(`SELECT encode(hash, 'hex') AS hash FROM audit_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx`, [
      witnessSize,
      size,
    ])) as {
      hash: string;
    }[];
    // Sign only a tree that extends what was already witnessed: a head rewritten in the database is not signed over.
    const base = await this.witnessedRange(witnessSize);
    const extended = new CompactRange(base.size, [...base.hashes]);
    for (const leaf of leaves) extended.append(Buffer.from(leaf.hash, 'hex'));
    if (!extended.root().equals(Buffer.from(head.root, 'hex'))) {
      const refused = `the tree head in the database does not extend the ${witnessSize} events its witness holds`;
      this.logger.error({ witnessSize, size }, `audit log diverged: ${refused}; refusing to sign a checkpoint`);
      return { size, refused };
    }
    const checkpoint = signCheckpoint({ origin: this.keys.origin, size, root: Buffer.from(head.root, 'hex'), time: this.clock.now() }, this.keys.signer);
    await this.keys.witness.publish({ from: witnessSize, leaves: leaves.map((l) => l.hash), checkpoint });
    this.lastPublishedAt = Date.now();
    this.witnessed = extended;
    return { size, checkpoint };
  }

  private async witnessedRange(size: number): Promise<CompactRange> {
    if (this.witnessed?.size === size) return this.witnessed;
    const range = new CompactRange();
    for (const leaf of (await this.keys.witness.read()).leaves.slice(0, size)) range.append(leaf);
    this.witnessed = range;
    return range;
  }
}

export interface EventRow {
  seq: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  payload: Record<string, unknown>;
  xid: string;
}

export const toLoggedFields = (row: Omit<EventRow, 'xid'>) => ({
  seq: Number(row.seq),
  occurredAt: row.occurred_at,
  actorKind: row.actor_kind,
  actorId: row.actor_id,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  payload: row.payload,
});
