import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log becomes a Merkle tree log (RFC 9162) integrated after commit,
 * instead of a hash chain that every writer extended under one global lock.
 *
 * - `seq` comes from a sequence (no chain read, no lock); `xid` records the
 *   inserting transaction so the sequencer never integrates past one that may
 *   still commit (see AuditSequencer).
 * - `audit_leaves` gives each committed event its place in the tree, in the
 *   order the sequencer integrated them; `audit_tree_heads` keeps each tree head
 *   with its compact range. Both are append-only, like the events.
 * - `prev_hash`/`hash` go: a chain in the same database proves nothing against
 *   whoever can write to it. The signed checkpoints outside PostgreSQL do.
 */
export class AuditMerkleLog1764002000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE audit_events_seq_seq OWNED BY audit_events.seq`);
    await q.query(`SELECT setval('audit_events_seq_seq', coalesce(max(seq), 0) + 1, false) FROM audit_events`);
    await q.query(`ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq_seq')`);
    await q.query(`ALTER TABLE audit_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN prev_hash, DROP COLUMN hash`);
    await q.query(`CREATE INDEX audit_events_xid_idx ON audit_events (xid, seq)`);

    await q.query(`
      CREATE TABLE audit_leaves (
        idx bigint PRIMARY KEY CHECK (idx >= 0),
        seq bigint NOT NULL UNIQUE,
        hash bytea NOT NULL CHECK (length(hash) = 32)
      )`);
    await q.query(`
      CREATE TABLE audit_tree_heads (
        size bigint PRIMARY KEY CHECK (size >= 0),
        root bytea NOT NULL,
        compact text[] NOT NULL,
        last_xid xid8,
        last_seq bigint,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO audit_tree_heads (size, root, compact) VALUES (0, sha256(''), '{}')`);
    for (const table of ['audit_leaves', 'audit_tree_heads']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_tree_heads`);
    await q.query(`DROP TABLE audit_leaves`);
    await q.query(`DROP INDEX audit_events_xid_idx`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN xid, ADD COLUMN prev_hash char(64), ADD COLUMN hash char(64)`);
    await q.query(`ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT`);
    await q.query(`DROP SEQUENCE audit_events_seq_seq`);
  }
}
