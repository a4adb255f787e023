import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { Client } from 'pg';
import { eventually } from './wait';

const execFileAsync = promisify(execFile);

/**
 * PostgreSQL and Redis servers of a test's own, on free ports, in a temporary
 * directory: a fault test may stop and restart them without touching the
 * machine's shared servers (which other test runs are using).
 */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))) : [];
  if (!versions.length) throw new Error(`no PostgreSQL server binaries under ${root}/*/bin (initdb, pg_ctl)`);
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** initdb refuses to run as root: as root, run the server binaries as the `postgres` user. */
function asServerUser(binary: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

/** Asynchronous, so requests in flight keep being answered (and recorded) while the server stops or starts. */
async function runServerTool(binary: string, args: string[]): Promise<string> {
  const [command, argv] = asServerUser(binary, args);
  const { stdout } = await execFileAsync(command, argv, { encoding: 'utf8' });
  return stdout;
}

export interface OwnPostgres {
  port: number;
  /** A database on this server (created by the service itself on its first start). */
  url(database: string): string;
  /** `fast` disconnects clients and rolls back their transactions; `immediate` is a crash (recovery on start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  isRunning(): boolean;
  destroy(): Promise<void>;
}

export async function startOwnPostgres(options: { maxConnections?: number } = {}): Promise<OwnPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'rd-own-pg-'));
  if (process.getuid?.() === 0)
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const data = join(dir, 'data');
  const port = await freePort();
  await runServerTool(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  // fsync off: no test here survives a machine crash, only a server restart, which loses nothing.
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    `-c listen_addresses=127.0.0.1`,
    `-c fsync=off`,
    `-c max_connections=${options.maxConnections ?? 200}`,
  ].join(' ');
  let running = false;
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

  const own: OwnPostgres = {
    port,
    url,
    async start() {
      await runServerTool(join(bin, 'pg_ctl'), ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
      running = true;
      await eventually(
        async () => {
          const client = new Client({ connectionString: url('postgres'), connectionTimeoutMillis: 1_000 });
          try {
            await client.connect();
            await client.query('SELECT 1');
            return true;
          } catch {
            return false;
          } finally {
            await client.end().catch(() => undefined);
          }
        },
        `own PostgreSQL on port ${port} to accept connections`,
        30_000,
      );
    },
    async stop(mode = 'fast') {
      if (!running) return;
      await runServerTool(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    isRunning: () => running,
    async destroy() {
      try {
        await own.stop('immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  await own.start();
  return own;
}

/** Creates a database on a server (as an operator would before the first start). */
export async function createDatabase(url: string): Promise<void> {
  const maintenance = new URL(url);
  const name = maintenance.pathname.slice(1);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export interface OwnRedis {
  port: number;
  url: string;
  /** SIGTERM: Redis saves its data set to disk and exits, as a restart by an operator would. */
  stop(): Promise<void>;
  /** `empty`: without the saved data set, as a Redis that lost its data (no persistence, a fresh replica, FLUSHALL). */
  start(options?: { empty?: boolean }): Promise<void>;
  isRunning(): boolean;
  destroy(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-own-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const own: OwnRedis = {
    port,
    url,
    async start({ empty = false } = {}) {
      if (empty) rmSync(join(dir, 'dump.rdb'), { force: true });
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '3600 1',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
      ];
      const server = spawn('redis-server', args, { stdio: 'ignore' });
      child = server;
      exited = new Promise((resolve) => server.once('exit', () => resolve()));
      await eventually(
        async () => {
          const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
          redis.on('error', () => undefined);
          try {
            await redis.connect();
            return (await redis.ping()) === 'PONG';
          } catch {
            return false;
          } finally {
            redis.disconnect();
          }
        },
        `own Redis on port ${port} to answer`,
        15_000,
      );
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
      child = undefined;
    },
    isRunning: () => !!child && child.exitCode === null && child.signalCode === null,
    async destroy() {
      try {
        await own.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  await own.start();
  return own;
}
