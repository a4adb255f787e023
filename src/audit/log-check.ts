import { eventLeafHash, LoggedFields } from './audit-hash';
import { NoteVerifier, openCheckpoint, TreeHead } from './checkpoint-note';
import { CompactRange, EMPTY_ROOT } from './merkle';
import type { WitnessCopy } from './witness';

/** One row of the log in tree order, as the database holds it (untrusted: everything here is recomputed). */
export interface LeafRow {
  idx: number;
  seq: number;
  /** The leaf hash the sequencer stored. */
  stored: Buffer;
  /** The event's row, or undefined when it is gone. */
  event?: LoggedFields;
}

export interface LogVerdict {
  ok: boolean;
  /** Leaves recomputed from the events and found good. */
  checked: number;
  /** Signed checkpoints the log was held to. */
  checkpoints: number;
  /** The largest size a valid checkpoint covers. */
  checkpointSize: number;
  firstBrokenSeq?: number;
  firstBrokenLeaf?: number;
  reason?: string;
}

type Failure = Omit<LogVerdict, 'ok' | 'checked' | 'checkpoints' | 'checkpointSize'>;

/**
 * Holds the log in the database to the checkpoints published outside it: every
 * leaf recomputed from its event's content, the tree rebuilt, its root compared
 * with each signed checkpoint at that size. Two checkpoints that both match the
 * one rebuilt tree are consistent with each other by construction (the smaller
 * tree is a prefix of the larger); two of one size with different roots are a fork.
 * Feed rows in leaf order with `add`, then call `finish`.
 */
export class LogCheck {
  private readonly heads: TreeHead[] = [];
  private readonly witnessed: Buffer[] = [];
  private readonly range = new CompactRange();
  private next = 0;
  private lastGoodSize = 0;
  private failure?: Failure;

  constructor(witness: WitnessCopy, verifier: NoteVerifier) {
    const bySize = new Map<number, TreeHead>();
    witness.notes.forEach((note, i) => {
      if (this.failure) return;
      const opened = openCheckpoint(note, verifier);
      if (!opened.ok) {
        this.failure = { reason: `published checkpoint #${i + 1} is not ours: ${opened.reason}` };
        return;
      }
      const same = bySize.get(opened.head.size);
      if (same && !same.root.equals(opened.head.root)) {
        this.failure = { firstBrokenLeaf: 0, reason: `forked history: two signed checkpoints of size ${opened.head.size} with different roots` };
        return;
      }
      bySize.set(opened.head.size, opened.head);
    });
    this.heads = [...bySize.values()].sort((a, b) => a.size - b.size);
    if (!this.failure) this.witnessed = this.trustedMirror(witness.leaves);
    if (!this.failure) this.checkHeads();
  }

  get checkpointSize(): number {
    return this.heads.at(-1)?.size ?? 0;
  }

  /** The witness's leaf mirror, as far as signed checkpoints vouch for it. */
  private trustedMirror(leaves: Buffer[]): Buffer[] {
    const range = new CompactRange();
    let vouched = 0;
    for (const head of this.heads) {
      if (head.size > leaves.length) break;
      while (range.size < head.size) range.append(leaves[range.size]);
      if (!range.root().equals(head.root)) {
        this.failure = { reason: `the witness's leaf mirror does not match its checkpoint of size ${head.size}` };
        return [];
      }
      vouched = head.size;
    }
    return leaves.slice(0, vouched);
  }

  /** Compares the rebuilt tree with every checkpoint of its current size. */
  private checkHeads(): void {
    for (const head of this.heads) {
      if (head.size !== this.range.size) continue;
      const root = head.size === 0 ? EMPTY_ROOT : this.range.root();
      if (!root.equals(head.root)) {
        this.failure = {
          firstBrokenLeaf: this.lastGoodSize,
          reason: `the tree of ${head.size} events does not match the checkpoint signed at ${head.time.toISOString()}: an event among leaves ${this.lastGoodSize}–${head.size - 1} was changed`,
        };
        return;
      }
      this.lastGoodSize = head.size;
    }
  }

  /** Returns false once the log has failed (stop feeding rows). */
  add(row: LeafRow): boolean {
    if (this.failure) return false;
    if (row.idx !== this.next) {
      this.failure = { firstBrokenLeaf: this.next, reason: `leaf ${this.next} is missing from the tree (next is ${row.idx})` };
      return false;
    }
    if (!row.event) {
      this.failure = { firstBrokenLeaf: row.idx, firstBrokenSeq: row.seq, reason: `event ${row.seq} (leaf ${row.idx}) is missing` };
      return false;
    }
    const hash = eventLeafHash(row.event);
    const witnessed = this.witnessed[row.idx];
    if (witnessed && !witnessed.equals(hash)) {
      this.failure = {
        firstBrokenLeaf: row.idx,
        firstBrokenSeq: row.event.seq,
        reason: `event ${row.event.seq} (leaf ${row.idx}) differs from what the witness holds`,
      };
      return false;
    }
    if (!row.stored.equals(hash)) {
      this.failure = {
        firstBrokenLeaf: row.idx,
        firstBrokenSeq: row.event.seq,
        reason: `event ${row.event.seq} (leaf ${row.idx}): content does not match its leaf hash`,
      };
      return false;
    }
    this.range.append(hash);
    this.next += 1;
    this.checkHeads();
    return !this.failure;
  }

  finish(): LogVerdict {
    const counts = { checked: this.next, checkpoints: this.heads.length, checkpointSize: this.checkpointSize };
    if (!this.failure && this.next < this.checkpointSize) {
      const newest = this.heads.at(-1)!;
      this.failure = {
        firstBrokenLeaf: this.next,
        reason: `truncated: the log holds ${this.next} events but the checkpoint signed at ${newest.time.toISOString()} covers ${newest.size}; leaves ${this.next}–${newest.size - 1} are missing`,
      };
    }
    if (this.failure) return { ok: false, ...counts, ...this.failure };
    return { ok: true, ...counts };
  }
}
