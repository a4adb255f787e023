import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Client } from 'pg';
import type { Env } from '../config/env.validation';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntitySubscriberInterface, InsertEvent, RemoveEvent, UpdateEvent } from 'typeorm';
import { afterCommit } from '../database/after-commit';
import { Staff } from './staff.entity';
import { StaffToken } from './staff-token.entity';

/** The channel the staff and staff_tokens triggers notify (migration 1764003300000). */
export const STAFF_AUTH_CHANNEL = 'rd_staff_auth';
const MAX_ENTRIES = 10_000;
const RECONNECT_AFTER_MS = 1_000;

interface Entry {
  token: StaffToken & { staff: Staff };
  /** Not trusted past this instant, whatever happens: the configured TTL or the token's own expiry. */
  until: number;
}

/**
 * The staff tokens this process has verified, by SHA-256, so a request costs no query to authenticate.
 *
 * It is only as good as its invalidation: a trigger on `staff` and `staff_tokens` notifies {@link STAFF_AUTH_CHANNEL}
 * when any change commits (a revocation, a deactivation, a role change, by the service or by hand), and every
 * process listening forgets everything it knew. While this process is not listening (not yet connected, or the
 * connection dropped) it remembers nothing and every request reads the database. A read that raced a change is not
 * kept: put() drops an entry read before the newest notification (the generation moved on).
 */
@Injectable()
export class StaffTokenCache implements OnModuleDestroy {
  private readonly logger = new Logger(StaffTokenCache.name);
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private generation = 0;
  private listener?: Client;
  private listening = false;
  private retryAt = 0;
  private closed = false;
  /** Counted for tests and /metrics-style inspection: answers from memory, and reads that went to the database. */
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(private readonly config: ConfigService<Env, true>) {
    this.ttlMs = config.get('STAFF_TOKEN_CACHE_SECONDS', { infer: true }) * 1000;
  }

  /** The verified token (with its staff member) for this hash, if this process knows it and nothing changed since. */
  get(hash: string, now: number): (StaffToken & { staff: Staff }) | undefined {
    const entry = this.listening ? this.entries.get(hash) : undefined;
    if (entry && entry.until > now) {
      this.stats.hits += 1;
      return entry.token;
    }
    if (entry) this.entries.delete(hash);
    this.stats.misses += 1;
    this.listen();
    return undefined;
  }

  /** Call before reading the database; pass the result to put(). */
  begin(): number {
    return this.generation;
  }

  put(hash: string, token: StaffToken & { staff: Staff }, generation: number, now: number): void {
    if (!this.listening || generation !== this.generation || this.ttlMs === 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const expires = token.expiresAt ? token.expiresAt.getTime() : Infinity;
    this.entries.set(hash, { token, until: Math.min(now + this.ttlMs, expires) });
  }

  /** Forgets everything: a change was notified, or the notifications can no longer be trusted to arrive. */
  forget(): void {
    this.generation += 1;
    this.stats.invalidations += 1;
    this.entries.clear();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.listening = false;
    this.forget();
    await this.listener?.end().catch(() => undefined);
  }

  /** Connects the listener in the background (once, or again a second after it dropped). */
  private listen(): void {
    if (this.listener || this.closed || this.ttlMs === 0 || Date.now() < this.retryAt) return;
    const client = new Client({ connectionString: this.config.get('DATABASE_URL', { infer: true }), application_name: 'recovery-desk staff auth' });
    this.listener = client;
    const drop = (why: string) => {
      if (this.listener !== client) return;
      if (this.listening) this.logger.warn(`staff-token notifications lost (${why}): authenticating from the database until they are back`);
      this.listening = false;
      this.listener = undefined;
      this.retryAt = Date.now() + RECONNECT_AFTER_MS;
      this.forget();
      void client.end().catch(() => undefined);
    };
    client.on('notification', () => this.forget());
    client.on('error', (error: Error) => drop(error.message));
    client.on('end', () => drop('connection ended'));
    client
      .connect()
      .then(() => client.query(`LISTEN ${STAFF_AUTH_CHANNEL}`))
      .then(() => {
        if (this.listener !== client || this.closed) return void client.end().catch(() => undefined);
        this.forget(); // nothing read before LISTEN took effect is kept
        this.listening = true;
      })
      .catch((error: Error) => drop(error.message));
  }
}

/**
 * The same forgetting without waiting for the notification, in the process that made the change: a member or token
 * written through TypeORM (a revocation, a deactivation, a role change) empties this process's cache once its
 * transaction commits, before the change's answer goes out. The notification can arrive after the next request
 * (the listener's socket is read when the event loop gets to it); other processes still wait for it.
 */
@Injectable()
export class StaffTokenCacheInvalidation implements EntitySubscriberInterface {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly cache: StaffTokenCache,
  ) {
    dataSource.subscribers.push(this);
  }

  afterInsert(event: InsertEvent<unknown>): void {
    this.changed(event);
  }

  afterUpdate(event: UpdateEvent<unknown>): void {
    this.changed(event);
  }

  afterRemove(event: RemoveEvent<unknown>): void {
    this.changed(event);
  }

  private changed(event: InsertEvent<unknown> | UpdateEvent<unknown> | RemoveEvent<unknown>): void {
    const target = event.metadata.target;
    if (target !== Staff && target !== StaffToken) return;
    if (event.queryRunner.isTransactionActive) afterCommit(event.manager, async () => this.cache.forget());
    else this.cache.forget();
  }
}
