import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as argon2 from 'argon2';
import type { Env } from '../config/env.validation';

/**
 * argon2id of a code's secret part, peppered with the server-side secret.
 * The only place backup codes are hashed or verified.
 */
@Injectable()
export class CodeHasher {
  private readonly options: argon2.HashOptions & { raw?: false };
  private dummyHash?: Promise<string>;
  private readonly slots: Slots;
  /** How many argon2 operations run at once (ARGON2_CONCURRENCY, or one per core); the rest wait their turn. */
  readonly concurrency: number;

  constructor(config: ConfigService<Env, true>) {
    this.concurrency = config.get('ARGON2_CONCURRENCY', { infer: true }) || availableParallelism();
    this.slots = new Slots(this.concurrency);
    this.options = {
      type: argon2.argon2id,
      memoryCost: config.get('ARGON2_MEMORY_KIB', { infer: true }),
      timeCost: config.get('ARGON2_TIME_COST', { infer: true }),
      parallelism: config.get('ARGON2_PARALLELISM', { infer: true }),
      secret: Buffer.from(config.get('CODE_PEPPER', { infer: true })),
    };
  }

  hash(secret: string): Promise<string> {
    return this.slots.run(() => argon2.hash(secret, this.options));
  }

  /** All at once, up to ARGON2_CONCURRENCY: argon2 runs on libuv's thread pool, so a set hashes in parallel, not one after another. */
  hashAll(secrets: string[]): Promise<string[]> {
    return Promise.all(secrets.map((secret) => this.hash(secret)));
  }

  verify(hash: string, secret: string): Promise<boolean> {
    return this.slots.run(() => argon2.verify(hash, secret, { secret: this.options.secret })).catch(() => false);
  }

  /**
   * Verifies against a real hash of a random value: the path taken when there is
   * no row to check (unknown account, malformed code, wrong lookup part), so
   * every failure costs the same one argon2 verify as a real attempt.
   */
  async verifyNothing(): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(await this.dummyHash, 'no-such-code');
    return false;
  }
}

/**
 * At most `size` argon2 operations at once, the rest first come first served. Each holds its memory cost (19 MiB by
 * default) for as long as it runs, so this is what bounds the memory hashing can take, whatever the load.
 */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
