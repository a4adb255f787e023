import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { splitNotes } from './checkpoint-note';

/**
 * Where checkpoints go, outside PostgreSQL: a witness keeps every signed
 * checkpoint and a mirror of the leaf hashes, append-only. With the mirror an
 * auditor can name the exact event a database owner rewrote; with the
 * checkpoints alone, the checkpoint interval it lies in.
 *
 * Layout (a directory, or the same paths under an HTTP witness's URL):
 *   checkpoints  every signed note, each followed by an empty line
 *   leaves       one leaf hash per line, hex, in tree order
 */
export interface WitnessBatch {
  /** The index of the first leaf in `leaves`: the witness's size before this batch. */
  from: number;
  leaves: string[];
  checkpoint: string;
}

export interface WitnessCopy {
  notes: string[];
  leaves: Buffer[];
}

export interface Witness {
  /** How many leaves the witness holds. */
  size(): Promise<number>;
  publish(batch: WitnessBatch): Promise<void>;
  read(): Promise<WitnessCopy>;
}

const LEAF_LINE = 65;

const parseLeaves = (text: string) =>
  text
    .split('\n')
    .filter((line) => /^[0-9a-f]{64}$/.test(line))
    .map((line) => Buffer.from(line, 'hex'));

export class DirectoryWitness implements Witness {
  constructor(private readonly dir: string) {}

  async size(): Promise<number> {
    const info = await stat(join(this.dir, 'leaves')).catch(() => undefined);
    return info ? Math.floor(info.size / LEAF_LINE) : 0;
  }

  async publish(batch: WitnessBatch): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if ((await this.size()) !== batch.from) throw new Error(`the witness holds ${await this.size()} leaves, the batch starts at ${batch.from}`);
    // Leaves first: a checkpoint is never ahead of the leaves it covers.
    if (batch.leaves.length > 0) await appendFile(join(this.dir, 'leaves'), batch.leaves.map((leaf) => `${leaf}\n`).join(''));
    await appendFile(join(this.dir, 'checkpoints'), `${batch.checkpoint}\n`);
  }

  async read(): Promise<WitnessCopy> {
    const text = (name: string) => readFile(join(this.dir, name), 'utf8').catch(() => '');
    return { notes: splitNotes(await text('checkpoints')), leaves: parseLeaves(await text('leaves')) };
  }
}

/** An HTTP witness (see `audit:witness`): POST /add with a batch, GET /size, /checkpoints and /leaves. */
export class HttpWitness implements Witness {
  constructor(private readonly url: string) {}

  private async get(path: string): Promise<string> {
    const response = await fetch(new URL(path, this.url.endsWith('/') ? this.url : `${this.url}/`), { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`witness ${path}: HTTP ${response.status}`);
    return response.text();
  }

  async size(): Promise<number> {
    return (JSON.parse(await this.get('size')) as { size: number }).size;
  }

  async publish(batch: WitnessBatch): Promise<void> {
    const response = await fetch(new URL('add', this.url.endsWith('/') ? this.url : `${this.url}/`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`witness refused the checkpoint: HTTP ${response.status} ${await response.text()}`);
  }

  async read(): Promise<WitnessCopy> {
    return { notes: splitNotes(await this.get('checkpoints')), leaves: parseLeaves(await this.get('leaves')) };
  }
}

/** A witness named by a directory path or an http(s) URL. */
export const openWitness = (source: string): Witness => (/^https?:\/\//.test(source) ? new HttpWitness(source) : new DirectoryWitness(source));
