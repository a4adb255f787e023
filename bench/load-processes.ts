import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_RUNTIME } from '../src/config/runtime';

/** The service as `npm start` runs it after the build: dist/src/main.js beside this file's dist/bench. */
const MAIN = join(__dirname, '..', 'src', 'main.js');

/** One process of the service, started by the bench, with the tail of what it printed (for a failure message). */
export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  tail: string[];
  exited: Promise<number | null>;
}

const running = new Set<ServiceProcess>();
// If the bench dies, its children die with it: nothing keeps listening on a port or consuming the queues.
process.once('exit', () => running.forEach((p) => p.child.kill('SIGKILL')));

/** A port nothing listens on right now (the OS picks it; there is a small window before the service takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `node dist/src/main.js --role <role>` with this environment, started as npm start and the Dockerfile start it (SERVICE_RUNTIME). */
export function startService(name: string, role: 'api' | 'worker' | 'all', env: NodeJS.ProcessEnv): ServiceProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the benchmark through npm run bench, which builds first`);
  const child = spawn(process.execPath, [...SERVICE_RUNTIME.nodeFlags, MAIN, '--role', role], {
    env: { ...SERVICE_RUNTIME.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const service: ServiceProcess = { name, child, tail, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  running.add(service);
  void service.exited.then(() => running.delete(service));
  return service;
}

/** Resolves when `ready()` is true; fails, with the process's last output, if it exits or takes too long. */
export async function waitUntil(service: ServiceProcess, what: string, ready: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  let exited = false;
  void service.exited.then(() => (exited = true));
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (exited) throw new Error(`the ${service.name} process exited before ${what}:\n${service.tail.join('\n')}`);
    if (await ready()) return;
  }
  throw new Error(`the ${service.name} process was not ${what} within ${timeoutMs / 1000} s:\n${service.tail.join('\n')}`);
}

/** Resolves when the API process at `baseUrl` answers GET /health/ready with 2xx (PostgreSQL and Redis reachable). */
export function waitUntilReady(service: ServiceProcess, baseUrl: string): Promise<void> {
  return waitUntil(service, 'ready', () =>
    fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    ),
  );
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopService(service: ServiceProcess, graceMs = 10_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const stopped = await Promise.race([service.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!stopped) {
    service.child.kill('SIGKILL');
    await service.exited;
  }
}

/** Resident and peak resident memory of a process in bytes, from /proc (Linux); undefined elsewhere or once it is gone. */
export function residentMemory(pid: number | undefined): { rss: number; peak: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
    return { rss: kib('VmRSS'), peak: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** One unlabelled metric's value from a Prometheus text exposition. */
export function metricFromText(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}\\s+([0-9.e+]+)`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/** `process_resident_memory_bytes` from a Prometheus text exposition. */
export const residentFromMetrics = (text: string): number | undefined => metricFromText(text, 'process_resident_memory_bytes');

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on every Linux build that matters. */
const USER_HZ = 100;

/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine spent busy and idle so far, over all cores, from /proc/stat. */
export function machineSeconds(): { busy: number; idle: number } | undefined {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks;
    return { busy: (user + nice + system + irq + softirq + steal) / USER_HZ, idle: (idle + iowait) / USER_HZ };
  } catch {
    return undefined;
  }
}

/** The bench database's PostgreSQL backends, for cpuSnapshot (run on any connection to that database). */
export const BACKENDS_SQL = `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;

/**
 * CPU seconds used so far by each named process, this one (the bench), PostgreSQL's backends for the bench database
 * (`backends`: the rows of BACKENDS_SQL; by pid, as they come and go) and the whole machine.
 */
export async function cpuSnapshot(backends: { pid: number }[], processes: Record<string, ServiceProcess>) {
  const postgres = new Map<number, number>();
  for (const { pid } of backends) {
    const used = cpuSeconds(pid);
    if (used !== undefined) postgres.set(pid, used);
  }
  const of = (pid: number | undefined) => (pid === undefined ? 0 : (cpuSeconds(pid) ?? 0));
  const named = Object.fromEntries(Object.entries(processes).map(([name, service]) => [name, of(service.child.pid)]));
  return { named, bench: of(process.pid), postgres, machine: machineSeconds() };
}
export type CpuSnapshot = Awaited<ReturnType<typeof cpuSnapshot>>;
export type CpuSpent = ReturnType<typeof cpuSpent>;

export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot) {
  const postgres = [...after.postgres].reduce((sum, [pid, used]) => sum + used - (before.postgres.get(pid) ?? 0), 0);
  const parts: Record<string, number> = {
    ...Object.fromEntries(Object.entries(after.named).map(([name, used]) => [name, used - (before.named[name] ?? 0)])),
    PostgreSQL: postgres,
    'the bench': after.bench - before.bench,
  };
  const machine =
    before.machine && after.machine ? { busy: after.machine.busy - before.machine.busy, idle: after.machine.idle - before.machine.idle } : undefined;
  return { parts, machine };
}

/** Where the CPU went during a run, in CPU-seconds, and what the rest of the machine (other work) took. */
export function describeCpu(cpu: CpuSpent): string {
  const ours = Object.values(cpu.parts).reduce((a, b) => a + b, 0);
  const parts = Object.entries(cpu.parts)
    .map(([name, used]) => `${name} ${used.toFixed(1)}`)
    .join(', ');
  if (!cpu.machine) return parts;
  const total = cpu.machine.busy + cpu.machine.idle;
  return `${parts}; everything else ${Math.max(0, cpu.machine.busy - ours).toFixed(1)}; idle ${cpu.machine.idle.toFixed(1)} (of ${total.toFixed(1)} CPU-s)`;
}
