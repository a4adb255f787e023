import { randomBytes } from 'node:crypto';
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

  constructor(config: ConfigService<Env, true>) {
    this.options = {
      type: argon2.argon2id,
      memoryCost: config.get('ARGON2_MEMORY_KIB', { infer: true }),
      timeCost: config.get('ARGON2_TIME_COST', { infer: true }),
      parallelism: config.get('ARGON2_PARALLELISM', { infer: true }),
      secret: Buffer.from(config.get('CODE_PEPPER', { infer: true })),
    };
  }

  hash(secret: string): Promise<string> {
    return argon2.hash(secret, this.options);
  }

  /** All at once: argon2 runs on libuv's thread pool, so a set hashes in parallel, not one after another. */
  hashAll(secrets: string[]): Promise<string[]> {
    return Promise.all(secrets.map((secret) => this.hash(secret)));
  }

  verify(hash: string, secret: string): Promise<boolean> {
    return argon2.verify(hash, secret, { secret: this.options.secret }).catch(() => false);
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
