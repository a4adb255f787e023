import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export interface PgbenchOptions {
  clients: number;
  threads: number;
  seconds: number;
  /** `-D name=value`: variables the script reads as `:name`. */
  defines?: Record<string, string | number>;
  /** `-M`: `extended` (the default) parses every statement each time, as node-postgres's unnamed ones; `prepared` once per connection. */
  protocol?: 'extended' | 'prepared';
}

export interface PgbenchRun {
  /** pgbench's own figure, without the initial connection time. */
  tps: number;
  transactions: number;
  failed: number;
}

/** pgbench on PATH, else in PostgreSQL's bin directory (where Debian's packages keep it), newest version first. */
export function findPgbench(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const path = join(root, version, 'bin', 'pgbench');
    if (existsSync(path)) return path;
  }
  throw new Error('pgbench not found: install it (Debian/Ubuntu: apt-get install -y postgresql-contrib) or put it on PATH');
}

/** A custom script against the database at `databaseUrl`, for a fixed duration (-T), extended protocol like node-postgres unless told. */
export async function runPgbench(databaseUrl: string, scriptFile: string, options: PgbenchOptions): Promise<PgbenchRun> {
  const url = new URL(databaseUrl);
  const args = [
    '-n',
    '-M',
    options.protocol ?? 'extended',
    '-c',
    String(options.clients),
    '-j',
    String(options.threads),
    '-T',
    String(options.seconds),
    '-f',
    scriptFile,
  ];
  for (const [name, value] of Object.entries(options.defines ?? {})) args.push('-D', `${name}=${value}`);
  args.push('-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres'), url.pathname.slice(1));
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  const { stdout } = await promisify(execFile)(findPgbench(), args, { env, maxBuffer: 1 << 20 });
  const figure = (pattern: RegExp) => {
    const match = pattern.exec(stdout);
    if (!match) throw new Error(`pgbench printed no ${pattern.source}:\n${stdout}`);
    return Number(match[1]);
  };
  return {
    tps: figure(/^tps = ([\d.]+)/m),
    transactions: figure(/^number of transactions actually processed: (\d+)/m),
    failed: /^number of failed transactions: (\d+)/m.test(stdout) ? figure(/^number of failed transactions: (\d+)/m) : 0,
  };
}
