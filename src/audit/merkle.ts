import { createHash } from 'node:crypto';

/**
 * RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, §2.1: a leaf is
 * SHA-256(0x00 || data), an interior node SHA-256(0x01 || left || right), the
 * split is at the largest power of two below n, and the empty tree is SHA-256("").
 * The prefixes keep a leaf from ever passing for a node (second-preimage).
 * Sizes stay below 2^53, so plain numbers with arithmetic (not 32-bit bitwise) are exact.
 */
export type Hash = Buffer;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

export const leafHash = (data: Buffer | string): Hash => createHash('sha256').update(LEAF_PREFIX).update(data).digest();

export const nodeHash = (left: Hash, right: Hash): Hash => createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();

const isOdd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes. */
export function rootOf(leaves: readonly Hash[], from = 0, to = leaves.length): Hash {
  const n = to - from;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[from];
  const k = splitPoint(n);
  return nodeHash(rootOf(leaves, from, from + k), rootOf(leaves, from + k, to));
}

/** PATH(m, D[n]) (RFC 9162 §2.1.3.1): the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: readonly Hash[], index: number, size = leaves.length): Hash[] {
  if (index < 0 || index >= size || size > leaves.length) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  const path: Hash[] = [];
  const walk = (m: number, from: number, to: number): void => {
    const n = to - from;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, from, from + k);
      path.push(rootOf(leaves, from + k, to));
    } else {
      walk(m - k, from + k, to);
      path.push(rootOf(leaves, from, from + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(m, D[n]) (RFC 9162 §2.1.4.1): proves the tree of `first` leaves is a prefix of the tree of `second`. */
export function consistencyProof(leaves: readonly Hash[], first: number, second = leaves.length): Hash[] {
  if (first < 0 || first > second || second > leaves.length) throw new RangeError(`no consistency between sizes ${first} and ${second}`);
  if (first === 0 || first === second) return [];
  const proof: Hash[] = [];
  const sub = (m: number, from: number, to: number, whole: boolean): void => {
    const n = to - from;
    if (m === n) {
      if (!whole) proof.push(rootOf(leaves, from, to));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, from, from + k, whole);
      proof.push(rootOf(leaves, from + k, to));
    } else {
      sub(m - k, from + k, to, false);
      proof.push(rootOf(leaves, from, from + k));
    }
  };
  sub(first, 0, second, true);
  return proof;
}

/** RFC 9162 §2.1.3.2: does `proof` place `leaf` at `index` in the tree of `size` whose root is `root`? */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (`first`, `firstRoot`) is a prefix of (`second`, `secondRoot`)? */
export function verifyConsistency(first: number, second: number, proof: readonly Hash[], firstRoot: Hash, secondRoot: Hash): boolean {
  if (first < 0 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

const isPowerOfTwo = (n: number) => n > 0 && splitPoint(n * 2) === n;

/**
 * The right edge of a growing tree: one hash per perfect subtree in the binary
 * decomposition of its size, largest first (what Trillian calls a compact
 * range). Appending and taking the root cost O(log n) and need no earlier leaf,
 * so the sequencer stores this instead of re-reading the whole log.
 */
export class CompactRange {
  constructor(
    public size = 0,
    public readonly hashes: Hash[] = [],
  ) {}

  append(leaf: Hash): void {
    this.hashes.push(leaf);
    for (let i = this.size; isOdd(i); i = half(i)) {
      const right = this.hashes.pop()!;
      const left = this.hashes.pop()!;
      this.hashes.push(nodeHash(left, right));
    }
    this.size += 1;
  }

  root(): Hash {
    if (this.hashes.length === 0) return EMPTY_ROOT;
    let r = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i -= 1) r = nodeHash(this.hashes[i], r);
    return r;
  }
}
