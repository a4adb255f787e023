import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { redactUrl } from '../common/redact-url';
import { ADVISORY_LOCK } from './advisory-locks';

/** A backing service is down: the message is the one line the operator needs. */
export class BackingServiceUnreachable extends Error {
  override name = 'BackingServiceUnreachable';
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { message?: string }[] };
  return e.errors?.[0]?.message ?? e.message ?? e.code ?? String(error);
}

/** Creates the database named by the URL if it is missing (connecting to the server's `postgres` database). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new BackingServiceUnreachable(
      `PostgreSQL is not reachable at ${redactUrl(databaseUrl)} (${reason(error)}). ` +
        `Start it (docker compose up -d postgres, or: pg_ctlcluster --skip-systemctl-redirect <version> main start) or set DATABASE_URL.`,
    );
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return true;
    } catch (error) {
      // Another process created it first: 42P04, or 23505 when both inserted into pg_database at once.
      if (['42P04', '23505'].includes((error as { code?: string }).code ?? '')) return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}

/**
 * Runs pending migrations under an advisory lock, so several processes starting
 * together apply each migration exactly once. Returns the names applied.
 */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK.migrations]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK.migrations]);
    }
  } finally {
    await dataSource.destroy();
  }
}

export async function checkRedis(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new BackingServiceUnreachable(
      `Redis is not reachable at ${redactUrl(redisUrl)} (${reason(error)}). ` +
        `Start it (docker compose up -d redis, or: redis-server --daemonize yes --port 6379) or set REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}
